import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeRun, jsonOf, POSTGRES_SERVER_URL, postgresUrl, withPostgresClient } from '@migrate-kit/test-support';
import { describe, expect, it } from 'vitest';
import { deploy, writeMigration } from '../src/index.js';
import { execute, folderSnapshot, laterMigrationName, projectsFor } from './helpers/lifecycle.js';
import { PROVIDERS, type TestProject } from './helpers/project.js';

const CREATE_A = 'CREATE TABLE "A" ("id" INTEGER NOT NULL PRIMARY KEY);\n';
const CREATE_B = 'CREATE TABLE "B" ("id" INTEGER NOT NULL PRIMARY KEY);\n';
const CREATE_C = 'CREATE TABLE "C" ("id" INTEGER NOT NULL PRIMARY KEY);\n';

/**
 * Everything a deploy could change, read from the catalog: on PostgreSQL every relation, column,
 * constraint, index and type outside the system schemas, the rows of `_prisma_migrations`, the
 * advisory locks held and the databases of the server; on SQLite whether the file exists and its
 * bytes (a write of any kind changes them: the header's change counter).
 */
async function catalogSnapshot(project: TestProject): Promise<unknown> {
  if (project.provider === 'sqlite') {
    const file = project.url.slice('file:'.length);
    if (!existsSync(file)) return { file: 'absent' };
    return { file: createHash('sha256').update(readFileSync(file)).digest('hex'), schema: await project.query('SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name') };
  }
  const userSchemas = `n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname NOT LIKE 'pg_temp%' AND n.nspname NOT LIKE 'pg_toast_temp%'`;
  const relations = await project.query(
    `SELECT n.nspname, c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${userSchemas} ORDER BY 1, 2`,
  );
  const columns = await project.query(
    `SELECT c.relname, a.attname, a.atttypid, a.attnotnull FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${userSchemas} AND a.attnum > 0 ORDER BY 1, 2`,
  );
  const constraints = await project.query(`SELECT conname, contype FROM pg_constraint co JOIN pg_namespace n ON n.oid = co.connamespace WHERE ${userSchemas} ORDER BY 1`);
  const types = await project.query(`SELECT typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE ${userSchemas} ORDER BY 1`);
  const namespaces = await project.query(`SELECT nspname FROM pg_namespace n WHERE ${userSchemas} ORDER BY 1`);
  const hasTable = relations.some((r) => r.relname === '_prisma_migrations');
  const rows = hasTable ? await project.query('SELECT id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count FROM _prisma_migrations ORDER BY started_at') : [];
  const locks = await project.query(`SELECT objid FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`);
  return { relations, columns, constraints, types, namespaces, rows, locks };
}

async function serverDatabases(): Promise<string[]> {
  return withPostgresClient(POSTGRES_SERVER_URL, async (c) => (await c.query<{ datname: string }>('SELECT datname FROM pg_database ORDER BY 1')).rows.map((r) => r.datname));
}

describe.each(PROVIDERS)('deploy --dry-run on %s', (provider) => {
  const newProject = projectsFor(provider);

  it('on a new database: lists every migration in order, changes nothing (no _prisma_migrations, no SQLite file), and a real deploy then applies exactly that list', async () => {
    const project = await newProject();
    const names = [laterMigrationName(1, 'create_a'), laterMigrationName(2, 'create_b')];
    writeMigration(project.migrationsDir, names[0]!, CREATE_A, project.provider);
    writeMigration(project.migrationsDir, names[1]!, CREATE_B, project.provider);
    const catalog = await catalogSnapshot(project);
    const folder = folderSnapshot(project.dir);

    const human = await project.cli(['deploy', '--dry-run']);
    expect(human.code, describeRun(human)).toBe(0);
    expect(human.stdout).toContain(`would be applied, in this order:\n\n  ${names[0]}\n  ${names[1]}\n`);
    expect(human.stdout).toContain('Dry run: nothing was changed.');
    const dry = await project.cli(['deploy', '--dry-run', '--json']);
    expect(dry.code, describeRun(dry)).toBe(0);
    const plan = jsonOf(dry);
    expect(plan).toMatchObject({ ok: true, dryRun: true, found: 2, pending: names, failed: [], needsBaseline: false, integrity: { state: 'ok', migrations: 2 } });

    expect(await catalogSnapshot(project)).toEqual(catalog);
    expect(folderSnapshot(project.dir)).toEqual(folder);
    if (provider === 'sqlite') expect(catalog).toEqual({ file: 'absent' });

    const real = jsonOf(await project.cli(['deploy', '--json']));
    expect((real.applied as { name: string }[]).map((m) => m.name)).toEqual(plan.pending);
  });

  it('on a database with some applied: lists only the pending ones, leaves `_prisma_migrations` and the schema as they are, and deploy applies that list', async () => {
    const project = await newProject();
    const first = laterMigrationName(1, 'create_a');
    writeMigration(project.migrationsDir, first, CREATE_A, project.provider);
    await deploy(project.source());
    await execute(project, 'INSERT INTO "A" ("id") VALUES (1)');
    const pending = [laterMigrationName(2, 'create_b'), laterMigrationName(3, 'create_c')];
    writeMigration(project.migrationsDir, pending[0]!, CREATE_B, project.provider);
    writeMigration(project.migrationsDir, pending[1]!, CREATE_C, project.provider);
    const catalog = await catalogSnapshot(project);

    const dry = await project.cli(['deploy', '--dry-run', '--json']);
    expect(dry.code, describeRun(dry)).toBe(0);
    const plan = jsonOf(dry);
    expect(plan.pending).toEqual(pending);
    expect(await catalogSnapshot(project)).toEqual(catalog);

    const real = await deploy(project.source());
    expect(real.applied.map((m) => m.name)).toEqual(plan.pending);
    const again = jsonOf(await project.cli(['deploy', '--dry-run', '--json']));
    expect(again.pending).toEqual([]);
  });

  it('refuses as deploy does when the folder does not match migrate-kit.sum, changing nothing', async () => {
    const project = await newProject();
    const first = laterMigrationName(1, 'create_a');
    writeMigration(project.migrationsDir, first, CREATE_A, project.provider);
    writeFileSync(join(project.migrationsDir, first, 'migration.sql'), CREATE_B);
    const catalog = await catalogSnapshot(project);

    const dry = await project.cli(['deploy', '--dry-run']);
    expect(dry.code, describeRun(dry)).toBe(1);
    expect(dry.stderr).toContain('MK_INTEGRITY');
    expect(await catalogSnapshot(project)).toEqual(catalog);
  });

  it('a database with tables and no history: says deploy would stop with P3005, exits 1, changes nothing', async () => {
    const project = await newProject();
    writeMigration(project.migrationsDir, laterMigrationName(1, 'create_a'), CREATE_A, project.provider);
    await execute(project, CREATE_A);
    const catalog = await catalogSnapshot(project);

    const dry = await project.cli(['deploy', '--dry-run', '--json']);
    expect(dry.code, describeRun(dry)).toBe(1);
    expect(jsonOf(dry)).toMatchObject({ needsBaseline: true, pending: [] });
    expect(await catalogSnapshot(project)).toEqual(catalog);
  });

  if (provider === 'postgresql') {
    it('a database that does not exist yet is not created (deploy would create it)', async () => {
      const project = await newProject();
      writeMigration(project.migrationsDir, laterMigrationName(1, 'create_a'), CREATE_A, project.provider);
      const missing = `mk_test_${randomBytes(5).toString('hex')}`;
      const url = postgresUrl(missing);
      expect(await serverDatabases()).not.toContain(missing);

      const dry = await project.cli(['deploy', '--dry-run', '--json'], { env: { DATABASE_URL: url } });
      expect(dry.code, describeRun(dry)).toBe(0);
      expect(jsonOf(dry).pending).toEqual([laterMigrationName(1, 'create_a')]);
      // Other databases come and go on the shared server: only this one is looked for.
      expect(await serverDatabases()).not.toContain(missing);
    });
  }
});
