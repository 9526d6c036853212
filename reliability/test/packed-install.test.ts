/**
 * Issue 11, item 2: the packages as users get them. Each published package is packed with pnpm
 * (workspace ranges become versions), the tarballs are installed with plain `npm install` into a
 * fresh project outside the workspace, next to the frameworks' own packages (prisma, Keystone,
 * ZenStack's ORM), and every CLI runs from that project's node_modules/.bin: `--version`, then
 * one lifecycle on SQLite (create and apply a migration, status, deploy), checked in the database.
 *
 * Full run only: packing and installing take minutes (better-sqlite3 compiles from source).
 */
import { type SpawnOptions, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createProjectDir, migrationFolders, spawnNodeCli, withSqliteFile, writeFile } from '@migrate-kit/test-support';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type CliRun, describeRun, jsonOf, output } from './helpers/cli.js';
import { FULL } from './helpers/mode.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The published packages, their folders and their bins. */
const PACKAGES = [
  { name: '@migrate-kit/migrate-core', dir: 'migrate-core', bin: 'migrate-kit' },
  { name: '@migrate-kit/prisma-passthrough', dir: 'prisma-passthrough', bin: 'prisma-migrate' },
  { name: '@migrate-kit/zenstack-migrate', dir: 'zenstack-migrate', bin: 'zen-migrate' },
  { name: '@migrate-kit/keystone-migrate', dir: 'keystone-migrate', bin: 'keystone-migrate' },
] as const;

/** What a project of each framework has installed besides our package (the versions the workspace tests against). */
const FRAMEWORK_PACKAGES = ['prisma@7.10.1', '@prisma/client@7.10.0', '@prisma/adapter-better-sqlite3@7.10.0', '@keystone-6/core@8.1.0', 'graphql@16.14.2', '@zenstackhq/orm@3.9.4'];

const INSTALL_BOUND_MS = 20 * 60_000;
const CLI_BOUND_MS = 180_000;

interface CommandRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command (no shell) to its end, with a bound; its output is kept for the failure message. */
function runCommand(command: string, args: string[], options: SpawnOptions & { timeoutMs: number }): Promise<CommandRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d) => {
      stdout += d;
    });
    child.stderr?.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const describeCommand = (label: string, run: CommandRun) => `${label} exited ${run.code}\n--- stdout\n${run.stdout.slice(-4000)}\n--- stderr\n${run.stderr.slice(-4000)}`;

describe.skipIf(!FULL)('packed packages installed with npm into a fresh project', () => {
  let tarballDir: string;
  let projectDir: string;
  const versions = new Map<string, string>();

  beforeAll(async () => {
    tarballDir = createProjectDir('mk-tarballs-');
    // Outside the workspace: nothing may resolve from its node_modules.
    projectDir = createProjectDir('mk-packed-project-');
    for (const pkg of PACKAGES) {
      const packageDir = join(ROOT, 'packages', pkg.dir);
      versions.set(pkg.name, (JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string }).version);
      const packed = await runCommand('npx', ['--yes', 'pnpm@10.34.8', 'pack', '--pack-destination', tarballDir], { cwd: packageDir, timeoutMs: 5 * 60_000 });
      expect(packed.code, describeCommand(`pnpm pack in ${pkg.dir}`, packed)).toBe(0);
    }
    writeFile(join(projectDir, 'package.json'), `${JSON.stringify({ name: 'packed-install-check', private: true, type: 'module' }, null, 2)}\n`);
    const tarballs = readdirSync(tarballDir)
      .filter((f) => f.endsWith('.tgz'))
      .map((f) => join(tarballDir, f));
    expect(tarballs).toHaveLength(PACKAGES.length);
    const installed = await runCommand('npm', ['install', '--no-audit', '--no-fund', ...tarballs, ...FRAMEWORK_PACKAGES], {
      cwd: projectDir,
      // The machine's npm settings stay (~/.npmrc: registry, cache); the ones the workspace's
      // package manager set for this run (npm_config_*, npm_package_*) do not leak in.
      env: Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name))),
      timeoutMs: INSTALL_BOUND_MS,
    });
    expect(installed.code, describeCommand('npm install', installed)).toBe(0);
  }, INSTALL_BOUND_MS + 10 * 60_000);

  afterAll(() => {
    if (projectDir) rmSync(projectDir, { recursive: true, force: true });
    if (tarballDir) rmSync(tarballDir, { recursive: true, force: true });
  });

  /** Runs an installed bin from the project (its node_modules/.bin link), in `sub` of the project. */
  function cli(bin: string, args: string[], sub: string, env: Record<string, string | undefined> = {}): Promise<CliRun> {
    return spawnNodeCli([join(projectDir, 'node_modules', '.bin', bin), ...args], {
      cwd: join(projectDir, sub),
      env: { MIGRATE_KIT_HISTORY_CACHE: 'off', ...env },
      notInherited: ['DATABASE_URL', 'SHADOW_DATABASE_URL'],
      timeoutMs: CLI_BOUND_MS,
    }).exited;
  }

  function migrationRows(file: string): { name: string; finished: boolean }[] {
    return withSqliteFile(file, (db) =>
      (db.prepare('SELECT migration_name, finished_at FROM _prisma_migrations ORDER BY migration_name').all() as { migration_name: string; finished_at: unknown }[]).map(
        (r) => ({ name: r.migration_name, finished: r.finished_at !== null }),
      ),
    );
  }

  function tables(file: string): string[] {
    return withSqliteFile(file, (db) => (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name));
  }

  test('the tarballs name versions, not workspace ranges, and no private package', () => {
    for (const file of readdirSync(join(projectDir, 'node_modules', '@migrate-kit'))) {
      const manifest = JSON.parse(readFileSync(join(projectDir, 'node_modules', '@migrate-kit', file, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
      const runtime = { ...manifest.dependencies, ...manifest.peerDependencies, ...manifest.optionalDependencies };
      expect(JSON.stringify(runtime), file).not.toContain('workspace:');
      expect(Object.keys(runtime), file).not.toContain('@migrate-kit/test-support');
      if (runtime['@migrate-kit/migrate-core']) expect(runtime['@migrate-kit/migrate-core']).toBe(versions.get('@migrate-kit/migrate-core'));
    }
    expect(readdirSync(join(projectDir, 'node_modules', '@migrate-kit')).sort()).toEqual(['keystone-migrate', 'migrate-core', 'prisma-passthrough', 'zenstack-migrate']);
  });

  test.each(PACKAGES.map((p) => [p.bin, p.name] as const))('%s --version prints its package version', async (bin, name) => {
    mkdirSync(join(projectDir, 'version-check'), { recursive: true });
    const run = await cli(bin, ['--version'], 'version-check');
    expect(run.code, describeRun(run)).toBe(0);
    expect(run.stdout.trim()).toBe(versions.get(name));
  });

  const MODEL = 'model User {\n  id    Int    @id @default(autoincrement())\n  email String @unique\n}\n';

  /** dev (or create + apply), status, deploy: each exits 0, and the database holds the table and one finished migration. */
  async function lifecycle(bin: string, sub: string, steps: { create: string[][]; status: string[]; deploy: string[] }, dbFile: string, table: string, env: Record<string, string> = {}) {
    for (const args of steps.create) {
      const run = await cli(bin, [...args, '--json'], sub, env);
      expect(run.code, describeRun(run)).toBe(0);
      expect(jsonOf(run).ok, describeRun(run)).toBe(true);
    }
    const [init] = migrationFolders(join(projectDir, sub, migrationsOf(sub)));
    expect(init).toMatch(/^\d{14}_init$/);
    const status = await cli(bin, steps.status, sub, env);
    expect(status.code, describeRun(status)).toBe(0);
    expect(output(status)).toContain('Database schema is up to date!');
    const deploy = await cli(bin, steps.deploy, sub, env);
    expect(deploy.code, describeRun(deploy)).toBe(0);
    expect(output(deploy)).toContain('No pending migrations to apply.');
    expect(migrationRows(join(projectDir, sub, dbFile))).toEqual([{ name: init, finished: true }]);
    expect(tables(join(projectDir, sub, dbFile))).toContain(table);
  }

  const migrationsOf = (sub: string) => ({ mk: 'prisma/migrations', prisma: 'prisma/migrations', zen: 'zenstack/migrations', keystone: 'migrations' })[sub]!;

  test('migrate-kit: dev, status, deploy on SQLite', async () => {
    writeFile(join(projectDir, 'mk', 'prisma', 'schema.prisma'), `datasource db {\n  provider = "sqlite"\n  url      = "file:./dev.db"\n}\n\n${MODEL}`);
    await lifecycle('migrate-kit', 'mk', { create: [['dev', '--name', 'init']], status: ['status'], deploy: ['deploy'] }, 'prisma/dev.db', 'User');
  });

  test("prisma-migrate: migrate dev, migrate status, migrate deploy on SQLite, and a passthrough verb runs the project's prisma", async () => {
    writeFile(
      join(projectDir, 'prisma', 'prisma.config.ts'),
      "import { defineConfig } from 'prisma/config';\n\nexport default defineConfig({\n  schema: 'prisma/schema.prisma',\n  migrations: { path: 'prisma/migrations' },\n  datasource: { url: 'file:./dev.db' },\n});\n",
    );
    writeFile(join(projectDir, 'prisma', 'prisma', 'schema.prisma'), `datasource db {\n  provider = "sqlite"\n}\n\n${MODEL}`);
    await lifecycle('prisma-migrate', 'prisma', { create: [['migrate', 'dev', '--name', 'init']], status: ['migrate', 'status'], deploy: ['migrate', 'deploy'] }, 'dev.db', 'User');
    const validate = await cli('prisma-migrate', ['validate'], 'prisma');
    expect(validate.code, describeRun(validate)).toBe(0);
    expect(output(validate)).toContain('is valid');
  });

  test('zen-migrate: migrate dev, migrate status, migrate deploy on SQLite', async () => {
    writeFile(join(projectDir, 'zen', 'zenstack', 'schema.zmodel'), `datasource db {\n  provider = 'sqlite'\n  url      = 'file:./dev.db'\n}\n\n${MODEL}`);
    await lifecycle('zen-migrate', 'zen', { create: [['migrate', 'dev', '--name', 'init']], status: ['migrate', 'status'], deploy: ['migrate', 'deploy'] }, 'zenstack/dev.db', 'User');
  });

  test('keystone-migrate: create, apply, status, deploy on SQLite', async () => {
    writeFile(
      join(projectDir, 'keystone', 'keystone.ts'),
      `import { config, list } from '@keystone-6/core';
import { allowAll } from '@keystone-6/core/access';
import { text } from '@keystone-6/core/fields';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';

export default config({
  db: { provider: 'sqlite', prismaClientOptions: () => ({ adapter: new PrismaBetterSqlite3({ url: process.env.DATABASE_URL! }) }) },
  ui: { isDisabled: true },
  lists: {
    Post: list({ access: allowAll, fields: { title: text({ validation: { isRequired: true } }) } }),
  },
});
`,
    );
    await lifecycle(
      'keystone-migrate',
      'keystone',
      { create: [['create', '--name', 'init'], ['apply']], status: ['status'], deploy: ['deploy'] },
      'keystone.db',
      'Post',
      { DATABASE_URL: 'file:./keystone.db' },
    );
  });
});
