import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deploy, loadPrismaSchemaSource, type ProgressEvent, status } from '../src/index.js';
import { describeRun, POSTGRES_SERVER_URL, postgresUrl, runNodeCli, withPostgresClient } from '@migrate-kit/test-support';
import { createPostgresDatabase } from './helpers/databases.js';
import {
  databaseSnapshot,
  laterMigrationName,
  migrationRows,
  migrationScript,
  output,
  projectsFor,
  sha256,
  tableNames,
  writeMigrationByHand,
} from './helpers/lifecycle.js';
import { BIN, PROVIDERS } from './helpers/project.js';

const CREATE_A = 'CREATE TABLE "A" ("id" INTEGER NOT NULL PRIMARY KEY);\n';
const CREATE_B = 'CREATE TABLE "B" ("id" INTEGER NOT NULL PRIMARY KEY);\n';

describe.each(PROVIDERS)('migrate deploy on %s', (provider) => {
  const newProject = projectsFor(provider);

  it('applies pending migrations in order, records each with its checksum, and reports progress', async () => {
    const project = await newProject();
    const first = laterMigrationName(1, 'create_a');
    const second = laterMigrationName(2, 'create_b');
    writeMigrationByHand(project, second, CREATE_B);
    writeMigrationByHand(project, first, CREATE_A);
    const events: ProgressEvent[] = [];

    const result = await deploy(project.source(), { onProgress: (e) => events.push(e) });

    expect(result.found).toBe(2);
    expect(result.applied.map((m) => m.name)).toEqual([first, second]);
    expect(events.filter((e) => e.kind === 'migrationFinished').map((e) => e.name)).toEqual([first, second]);
    expect(await tableNames(project)).toEqual(['A', 'B', '_prisma_migrations']);
    const rows = await migrationRows(project);
    expect(rows.map((r) => [r.migration_name, r.checksum, r.finished])).toEqual([
      [first, sha256(migrationScript(project, first)), true],
      [second, sha256(migrationScript(project, second)), true],
    ]);
  });

  it('applies nothing the second time and says so', async () => {
    const project = await newProject();
    writeMigrationByHand(project, laterMigrationName(1, 'create_a'), CREATE_A);
    await deploy(project.source());
    const database = await databaseSnapshot(project);

    const run = await project.cli(['deploy']);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('No pending migrations to apply');
    expect(await databaseSnapshot(project)).toEqual(database);
  });

  it('applies a migration that contains `;` inside a string literal and a comment, whole', async () => {
    const project = await newProject();
    const name = laterMigrationName(1, 'semicolons');
    writeMigrationByHand(project, name, `-- a comment; with a semicolon\n${CREATE_A}INSERT INTO "A" ("id") VALUES (1);\nCREATE TABLE "Note" ("body" TEXT NOT NULL DEFAULT 'a; b');\nINSERT INTO "Note" DEFAULT VALUES;\n`);

    const result = await deploy(project.source());

    expect(result.applied.map((m) => m.name)).toEqual([name]);
    expect(await project.query('SELECT "body" FROM "Note"')).toEqual([{ body: 'a; b' }]);
  });

  it('works on a migrations folder created with no lock file (a hand-made history)', async () => {
    const project = await newProject();
    const name = laterMigrationName(1, 'create_a');
    writeMigrationByHand(project, name, CREATE_A);
    rmSync(join(project.migrationsDir, 'migration_lock.toml'));

    const result = await deploy(project.source());

    expect(result.applied.map((m) => m.name)).toEqual([name]);
  });
});

describe.each(PROVIDERS)('migrate status on %s', (provider) => {
  const newProject = projectsFor(provider);

  it('exits 1 on an empty database without _prisma_migrations, lists the migrations as not yet applied (no baseline), and creates nothing', async () => {
    const project = await newProject();
    const name = laterMigrationName(1, 'create_a');
    writeMigrationByHand(project, name, CREATE_A);
    await tableNames(project); // opens the database: on SQLite, creates the empty file

    const run = await project.cli(['status']);

    expect(run.code).toBe(1);
    expect(output(run)).toContain(`Following migration have not yet been applied:\n${name}`);
    expect(output(run)).not.toMatch(/not managed|baseline|--applied/);
    expect(await tableNames(project)).toEqual([]);
    const report = await status(project.source());
    expect(report).toMatchObject({ hasMigrationsTable: false, needsBaseline: false, exitCode: 1, migrations: [{ name, state: 'pending' }] });
  });

  it('exits 0 when every migration is applied and 1 while one is pending, naming it', async () => {
    const project = await newProject();
    const first = laterMigrationName(1, 'create_a');
    writeMigrationByHand(project, first, CREATE_A);
    await deploy(project.source());

    const inSync = await project.cli(['status']);
    expect(inSync.code).toBe(0);
    expect(inSync.stdout).toContain('Database schema is up to date');

    const second = laterMigrationName(2, 'create_b');
    writeMigrationByHand(project, second, CREATE_B);
    const database = await databaseSnapshot(project);

    const behind = await project.cli(['status']);
    expect(behind.code).toBe(1);
    expect(behind.stdout).toMatch(new RegExp(`not yet been applied:\\n${second}`));
    expect(await status(project.source())).toMatchObject({ exitCode: 1, migrations: [{ name: first, state: 'applied' }, { name: second, state: 'pending' }] });
    expect(await databaseSnapshot(project)).toEqual(database);
  });

  it('exits 1 when a migration failed, naming it and both ways to resolve it', async () => {
    const project = await newProject();
    const broken = laterMigrationName(1, 'broken');
    writeMigrationByHand(project, broken, `${CREATE_A}THIS IS NOT SQL;\n`);
    await deploy(project.source()).catch(() => undefined);

    const run = await project.cli(['status']);

    expect(run.code).toBe(1);
    expect(output(run)).toMatch(new RegExp(`have failed:\\n${broken}`));
    expect(output(run)).toContain(`resolve --rolled-back "${broken}"`);
    expect(output(run)).toContain(`resolve --applied "${broken}"`);
    const report = await status(project.source());
    expect(report.migrations).toEqual([{ name: broken, state: 'failed' }]);
  });

  it('reports a migration recorded in the database whose folder was deleted as missing', async () => {
    const project = await newProject();
    const kept = laterMigrationName(1, 'create_a');
    const deleted = laterMigrationName(2, 'create_b');
    writeMigrationByHand(project, kept, CREATE_A);
    writeMigrationByHand(project, deleted, CREATE_B);
    await deploy(project.source());
    rmSync(join(project.migrationsDir, deleted), { recursive: true });

    const report = await status(project.source());
    expect(report.missing).toEqual([deleted]);
    expect(report.migrations).toEqual([{ name: kept, state: 'applied' }]);

    // Prisma's `migrate status` falls through to "up to date" (exit 0) here; so do we, but says which are missing.
    const run = await project.cli(['status']);
    expect(run.code).toBe(report.exitCode);
    expect(run.stdout).toContain(`missing from the local migrations directory: ${deleted}`);
  });
});

describe('a PostgreSQL database that does not exist yet', () => {
  it('is created by deploy (as Prisma does) and left alone by status', async () => {
    const db = await createPostgresDatabase('mk_missing');
    await db.drop();
    const dir = mkdtempSync(join(tmpdir(), 'mk-missing-'));
    mkdirSync(join(dir, 'migrations', '20240101000000_init'), { recursive: true });
    writeFileSync(join(dir, 'schema.prisma'), 'datasource db {\n  provider = "postgresql"\n}\n');
    writeFileSync(join(dir, 'migrations', '20240101000000_init', 'migration.sql'), 'CREATE TABLE "A" ("id" INTEGER PRIMARY KEY);\n');
    const source = loadPrismaSchemaSource({ schemaPath: join(dir, 'schema.prisma'), url: db.url });
    try {
      await expect(status(source)).rejects.toMatchObject({ code: 'P1003' });
      const created: string[] = [];
      const result = await deploy(source, { onDatabaseCreated: (name) => created.push(name) });
      expect(created).toEqual([db.name]);
      expect(result.applied.map((m) => m.name)).toEqual(['20240101000000_init']);
      expect(await db.query('SELECT count(*)::int AS n FROM "A"')).toEqual([{ n: 0 }]);
    } finally {
      await db.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('PostgreSQL ?schema= in the URL', () => {
  it('puts _prisma_migrations and the migrations in that schema, as Prisma does, and dev, deploy and status work there', async () => {
    const db = await createPostgresDatabase();
    const dir = mkdtempSync(join(tmpdir(), 'mk-schema-param-'));
    try {
      const schemaPath = join(dir, 'schema.prisma');
      writeFileSync(schemaPath, 'datasource db {\n  provider = "postgresql"\n}\n\nmodel User {\n  id Int @id\n}\n');
      const url = `${db.url}?schema=tenant_a`;
      const source = () => loadPrismaSchemaSource({ schemaPath, url });

      const { createMigration } = await import('../src/index.js');
      const created = await createMigration(source(), { name: 'init' });
      expect(created.created?.applied).toBeDefined();
      const tables = await db.query(`SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2`);
      expect(tables).toEqual([
        { table_schema: 'tenant_a', table_name: 'User' },
        { table_schema: 'tenant_a', table_name: '_prisma_migrations' },
      ]);
      expect((await deploy(source())).applied).toEqual([]);
      expect((await status(source())).migrations.map((m) => m.state)).toEqual(['applied']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await db.drop();
    }
  });

  it.each(['my schema', 'my"schema', 'back\\slash'])('a schema name that needs quoting (%s): dev creates the database, and dev, deploy and status work in that schema', async (schemaName) => {
    const database = `mk_test_${randomBytes(5).toString('hex')}`;
    const dir = mkdtempSync(join(tmpdir(), 'mk-schema-quoting-'));
    try {
      mkdirSync(join(dir, 'prisma'));
      writeFileSync(join(dir, 'prisma', 'schema.prisma'), 'datasource db {\n  provider = "postgresql"\n}\n\nmodel User {\n  id Int @id\n}\n');
      const url = `${postgresUrl(database)}?schema=${encodeURIComponent(schemaName)}`;
      const cli = (args: string[]) => runNodeCli([BIN, ...args], { cwd: dir, env: { DATABASE_URL: url, MIGRATE_KIT_HISTORY_CACHE: 'off' } });

      const dev = await cli(['dev', '--name', 'init']);
      expect(dev.code, describeRun(dev)).toBe(0);
      const tables = await withPostgresClient(postgresUrl(database), async (c) => (await c.query(`SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2`)).rows);
      expect(tables).toEqual([
        { table_schema: schemaName, table_name: 'User' },
        { table_schema: schemaName, table_name: '_prisma_migrations' },
      ]);
      const deployed = await cli(['deploy']);
      expect(deployed.code, describeRun(deployed)).toBe(0);
      const statusRun = await cli(['status']);
      expect(statusRun.code, describeRun(statusRun)).toBe(0);
      const again = await cli(['dev', '--name', 'nothing']);
      expect(again.code, describeRun(again)).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await withPostgresClient(POSTGRES_SERVER_URL, (c) => c.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`));
    }
  });
});
