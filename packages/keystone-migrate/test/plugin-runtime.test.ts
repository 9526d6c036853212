// withMigrations at connect time, as a production Keystone server runs it: a project installed
// without devDependencies (no `prisma` package), with the schema.prisma and prisma.config.ts that
// `keystone build` wrote. The project sits in the OS temp folder, where nothing resolves `prisma`.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inspect } from 'node:util';
import { createProjectDir, prismaLockFile, withSqliteFile, writeFile } from '@migrate-kit/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import type { KeystoneConfigLike } from '../src/load-keystone.js';
import { withMigrations } from '../src/plugin.js';
import { describeRun, runNode } from './helpers/cli.js';
import { PACKAGE_DIR } from './helpers/project.js';

const SCHEMA = `datasource db {\n  provider = "sqlite"\n}\n\nmodel Author {\n  id   Int    @id @default(autoincrement())\n  name String @default("")\n}\n`;
const INIT_SQL = `CREATE TABLE "Author" (\n    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,\n    "name" TEXT NOT NULL DEFAULT ''\n);\n`;
// What Keystone 8 writes when the project has no prisma.config.ts (its scripts' template), with the URL inline.
const PRISMA_CONFIG_TS = `import { defineConfig } from 'prisma/config'\n\nexport default defineConfig({\n  schema: 'schema.prisma',\n  migrations: {\n    path: 'migrations',\n  },\n  datasource: {\n    url: 'file:./app.db',\n  },\n})\n`;

function builtProject(): string {
  const dir = createProjectDir('ks-runtime-');
  writeFile(join(dir, 'package.json'), '{ "name": "ks-runtime", "private": true }\n');
  writeFile(join(dir, 'schema.prisma'), SCHEMA);
  writeFile(join(dir, 'prisma.config.ts'), PRISMA_CONFIG_TS);
  writeFile(join(dir, 'migrations', 'migration_lock.toml'), prismaLockFile('sqlite'));
  writeFile(join(dir, 'migrations', '20260101000000_init', 'migration.sql'), INIT_SQL);
  return dir;
}

const keystoneConfig: KeystoneConfigLike = { db: { provider: 'sqlite' } };

describe('withMigrations in a production install (no prisma package)', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('applies the migrations where the prisma package is not installed (prisma.config.ts imports prisma/config)', async () => {
    dir = builtProject();
    // A server of its own, started in the project folder as `keystone start` is (this package's folder resolves its dev copy of prisma).
    const server = writeFile(
      join(dir, 'server.mjs'),
      `import { withMigrations } from ${JSON.stringify(pathToFileURL(join(PACKAGE_DIR, 'dist', 'index.js')).href)};\nconst config = withMigrations(${JSON.stringify(keystoneConfig)}, { mode: 'apply' });\nawait config.db.onConnect({});\n`,
    );

    // NODE_PATH: pnpm's bin shims point it at the workspace's packages, prisma among them.
    const run = await runNode(server, [], { cwd: dir, env: { NODE_PATH: undefined } });

    expect(run.code, describeRun(run)).toBe(0);
    expect(run.stdout).toContain('✨ Applied 1 migration(s): 20260101000000_init');
    const tables = withSqliteFile(join(dir, 'app.db'), (db) => db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).all());
    expect(tables).toEqual([{ name: 'Author' }, { name: '_prisma_migrations' }]);
  });

  it("verify's refusal reads as one message and the hint, naming keystone-migrate deploy (no stack, no field dump)", async () => {
    dir = builtProject();
    writeFile(join(dir, 'app.db'), '');
    const config = withMigrations(keystoneConfig, { mode: 'verify', cwd: dir, log: () => undefined });

    const error = await Promise.resolve(config.db?.onConnect?.({})).then(
      () => undefined,
      (e: unknown) => e,
    );

    // Keystone prints what onConnect throws with console.error, which shows inspect()'s text.
    const shown = inspect(error);
    expect(shown).toBe(
      'Error: MK_NOT_UP_TO_DATE\n\nKeystone will not start: the database is not up to date with the migrations (the database has no migrations table; pending: 20260101000000_init).\n\nHint: Run `keystone-migrate deploy`, then start again.',
    );
  });
});
