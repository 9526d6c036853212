// withMigrations inside a real Keystone server: the project is built with its own `keystone build
// --no-ui` (esbuild, artifacts, `prisma generate`) and served with `keystone start --no-ui`.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKeystoneSource } from '../src/source.js';
import { describeRun, output, type ProcessRun, runNode } from './helpers/cli.js';
import { createKeystoneProject, type KeystoneTestProject, keystoneConfig, migrationRows, PACKAGE_DIR, type Provider, tableNames } from './helpers/project.js';

const PROVIDERS: Provider[] = ['sqlite', 'postgresql'];
const KEYSTONE_CLI = join(dirname(createRequire(join(PACKAGE_DIR, 'package.json')).resolve('@keystone-6/core/package.json')), 'bin', 'cli.js');

/** What a workspace project needs so that Keystone's esbuild leaves keystone-migrate to Node (see src/assert-not-bundled.ts). */
const ESBUILD_KEYSTONE_TS = "export default (config: { external?: string[] }) => ({ ...config, external: [...(config.external ?? []), '@migrate-kit/*'] });\n";

function keystone(project: KeystoneTestProject, args: string[], env: Record<string, string> = {}): Promise<ProcessRun> {
  return runNode(KEYSTONE_CLI, args, { cwd: project.dir, env: { ...project.env, ...env }, timeoutMs: 120_000 });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

interface RunningServer {
  child: ChildProcess;
  output(): string;
  /** The first GraphQL answer the server gives to `query`, polled from the moment it starts. */
  firstAnswer(query: string): Promise<{ data?: Record<string, unknown>; errors?: unknown[] }>;
  graphql(query: string): Promise<{ data?: Record<string, unknown>; errors?: unknown[] }>;
  stop(): Promise<void>;
}

function startKeystone(project: KeystoneTestProject, port: number, env: Record<string, string>): RunningServer {
  const { DATABASE_URL: _ignored, FORCE_COLOR: _color, ...inherited } = process.env;
  const child = spawn(process.execPath, [KEYSTONE_CLI, 'start', '--no-ui'], {
    cwd: project.dir,
    env: { ...inherited, NO_COLOR: '1', ...project.env, PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout!.on('data', (d) => {
    text += d;
  });
  child.stderr!.on('data', (d) => {
    text += d;
  });
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  const graphql = async (query: string) => {
    const response = await fetch(`http://127.0.0.1:${port}/api/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
    });
    return (await response.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
  };
  return {
    child,
    output: () => text,
    graphql,
    async firstAnswer(query) {
      const deadline = Date.now() + 90_000;
      while (Date.now() < deadline) {
        if (child.exitCode !== null) throw new Error(`keystone start exited with ${child.exitCode}:\n${text}`);
        try {
          return await graphql(query);
        } catch {
          // not listening yet
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`keystone start did not answer within 90 s:\n${text}`);
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

describe('withMigrations in a Keystone project linked from a workspace', () => {
  let project: KeystoneTestProject;
  beforeAll(async () => {
    project = await createKeystoneProject('sqlite', keystoneConfig('sqlite', { plugin: true }), { linkPackage: true });
  });
  afterAll(async () => {
    await project?.remove();
  });

  it('a workspace-linked keystone-migrate needs esbuild.keystone.ts: keystone build says so instead of failing with "Invalid URL"', async () => {
    const run = await keystone(project, ['build', '--no-ui']);

    expect(run.code, describeRun(run)).not.toBe(0);
    expect(output(run)).toContain("@migrate-kit/keystone-migrate was bundled into Keystone's CommonJS build");
    expect(output(run)).toContain('esbuild.keystone.ts');
    expect(output(run)).not.toContain('Invalid URL');
  });
});

describe.each(PROVIDERS)('withMigrations on keystone start (%s)', (provider) => {
  let project: KeystoneTestProject;
  let migration: string;
  const servers: RunningServer[] = [];

  beforeAll(async () => {
    project = await createKeystoneProject(provider, keystoneConfig(provider, { plugin: true }), { linkPackage: true });
    writeFileSync(join(project.dir, 'esbuild.keystone.ts'), ESBUILD_KEYSTONE_TS);
    const created = await project.cli(['create', '--name', 'init']);
    expect(created.code, describeRun(created)).toBe(0);
    migration = project.migrationNames()[0]!;
    const built = await keystone(project, ['build', '--no-ui']);
    expect(built.code, describeRun(built)).toBe(0);
  }, 180_000);
  afterAll(async () => {
    for (const server of servers) await server.stop();
    await project?.remove();
  });

  it('keystone build wrote the schema keystone-migrate reads, and generated the client offline', async () => {
    const written = readFileSync(join(project.dir, 'schema.prisma'), 'utf8');
    const source = await loadKeystoneSource({}, project.dir, project.env);
    // keystone build writes the client output relative to schema.prisma (getSystemPaths); the models are the same text.
    expect(written.replace('output   = "./generated/prisma"', 'output   = "generated/prisma"')).toBe(source.files[0]!.content);
    expect(readFileSync(join(project.dir, 'prisma.config.ts'), 'utf8')).toContain("path: 'migrations'");
  });

  it('verify mode refuses to start while a migration is pending, naming `keystone-migrate deploy`, and applies nothing', async () => {
    const server = startKeystone(project, await freePort(), { MIGRATE_MODE: 'verify' });
    servers.push(server);
    const code = await new Promise<number | null>((resolve) => server.child.on('close', (c) => resolve(c)));

    expect(code, server.output()).not.toBe(0);
    expect(server.output()).toContain('Keystone will not start: the database is not up to date with the migrations');
    expect(server.output()).toContain(`pending: ${migration}`);
    expect(server.output()).toContain('keystone-migrate deploy');
    expect(server.output()).not.toContain('GraphQL API ready');
    expect(await migrationRows(project.db)).toEqual([]);
  });

  it('apply mode applies the pending migration before the first GraphQL query is answered', async () => {
    const server = startKeystone(project, await freePort(), { MIGRATE_MODE: 'apply' });
    servers.push(server);

    const first = await server.firstAnswer('{ authors { id } }');

    expect(first).toEqual({ data: { authors: [] } });
    expect(await migrationRows(project.db)).toEqual([{ name: migration, finished: true, rolledBack: false }]);
    expect(await tableNames(project.db)).toContain('authors');
    const log = server.output();
    expect(log).toContain(`✨ Applied 1 migration(s): ${migration}`);
    expect(log.indexOf('✨ Applied 1 migration(s)')).toBeLessThan(log.indexOf('GraphQL API ready'));

    const created = await server.graphql(`mutation { createAuthor(data: { name: "Ada", email: "ada@example.com" }) { id name } }`);
    expect(created.errors).toBeUndefined();
    const listed = await server.graphql('{ authors { name email } }');
    expect(listed).toEqual({ data: { authors: [{ name: 'Ada', email: 'ada@example.com' }] } });
    await server.stop();
  });
});
