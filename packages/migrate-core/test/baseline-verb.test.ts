import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { push } from '../src/index.js';
import {
  databaseSnapshot,
  execute,
  folderSnapshot,
  jsonOf,
  laterMigrationName,
  MIGRATION_FOLDER,
  migrationFolders,
  migrationRows,
  output,
  prismaLockFile,
  projectsFor,
  sha256,
  tableNames,
  USER_WITH_NAME,
  untilNextSecond,
  writeMigrationByHand,
} from './helpers/lifecycle.js';
import { PROVIDERS } from './helpers/project.js';

describe.each(PROVIDERS)('the baseline verb, on %s', (provider) => {
  const newProject = projectsFor(provider);

  it('on a database made by push: writes the first migration from the schema, records it as applied, keeps the data; status is then up to date and dev writes only the next migration', async () => {
    const project = await newProject();
    await push(project.source());
    await execute(project, `INSERT INTO "User" ("email") VALUES ('ada@example.com')`);
    const expected = await project.cli(['diff', '--from-empty', '--to-schema', project.schemaPath, '--script']);

    const run = await project.cli(['baseline']);

    expect(run.code, output(run)).toBe(0);
    const [folder, ...others] = migrationFolders(project.migrationsDir);
    expect(others).toEqual([]);
    expect(folder).toMatch(MIGRATION_FOLDER);
    expect(folder).toMatch(/_init$/);
    const script = readFileSync(join(project.migrationsDir, folder!, 'migration.sql'), 'utf8');
    expect(`${script}\n`).toBe(expected.stdout);
    expect(readFileSync(join(project.migrationsDir, 'migration_lock.toml'), 'utf8')).toBe(prismaLockFile(provider));
    const rows = await migrationRows(project);
    expect(rows.map((r) => [r.migration_name, r.finished, r.rolledBack, r.checksum])).toEqual([[folder, true, false, sha256(script)]]);
    expect(run.stdout).toContain(`${folder}/`);
    expect(run.stdout).toContain('recorded it as applied without running it');
    expect(run.stdout).toContain('migrate-kit dev writes the next migration');

    const status = await project.cli(['status']);
    expect(status.code, output(status)).toBe(0);
    expect(status.stdout).toContain('Database schema is up to date!');

    await untilNextSecond();
    project.setModels(USER_WITH_NAME);
    const dev = await project.cli(['dev', '--name', 'add_name']);
    expect(dev.code, output(dev)).toBe(0);
    const after = migrationFolders(project.migrationsDir);
    expect(after).toHaveLength(2);
    expect(after[0]).toBe(folder);
    expect(after[1]).toMatch(/_add_name$/);
    const next = readFileSync(join(project.migrationsDir, after[1]!, 'migration.sql'), 'utf8');
    expect(next).toMatch(/"name" TEXT/);
    expect(next).not.toMatch(/CREATE TABLE/);
    expect(await project.query('SELECT "email", "name" FROM "User"')).toEqual([{ email: 'ada@example.com', name: null }]);
  });

  it('takes --name, and --json reports the migration written', async () => {
    const project = await newProject();
    await push(project.source());

    const run = await project.cli(['baseline', '--name', 'Existing Tables', '--json']);

    expect(run.code, output(run)).toBe(0);
    const json = jsonOf(run);
    const [folder] = migrationFolders(project.migrationsDir);
    expect(folder).toMatch(/^\d{14}_existing_tables$/);
    expect(json).toMatchObject({ ok: true, exitCode: 0, migration: folder, tables: ['User'], createdMigrationsTable: true });
    expect((await migrationRows(project)).map((r) => r.migration_name)).toEqual([folder]);
  });

  it('when the database does not match the schema: shows the difference as a summary and SQL, exits 1, and writes and records nothing', async () => {
    const project = await newProject();
    await push(project.source());
    project.setModels(USER_WITH_NAME);
    const before = await databaseSnapshot(project);

    const run = await project.cli(['baseline']);
    const json = jsonOf(await project.cli(['baseline', '--json']));

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Error: MK_BASELINE_MISMATCH');
    expect(run.stderr).toContain('Added column `name`');
    expect(run.stderr).toMatch(/ALTER TABLE "User" ADD COLUMN\s+"name" TEXT;/);
    expect(run.stderr).toContain('migrate-kit push');
    expect(json).toMatchObject({ ok: false, exitCode: 1, error: { code: 'MK_BASELINE_MISMATCH', summary: expect.stringContaining('name') } });
    expect(folderSnapshot(project.migrationsDir)).toEqual({});
    expect(await databaseSnapshot(project)).toEqual(before);
  });

  it('refuses an empty database, pointing at dev and deploy, and changes nothing', async () => {
    const project = await newProject();
    await tableNames(project); // SQLite: an empty file
    const before = await databaseSnapshot(project);

    const run = await project.cli(['baseline']);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Error: MK_EMPTY_DATABASE');
    expect(run.stderr).toContain('`migrate-kit dev`');
    expect(run.stderr).toContain('`migrate-kit deploy`');
    expect(folderSnapshot(project.migrationsDir)).toEqual({});
    expect(await databaseSnapshot(project)).toEqual(before);
  });

  it('refuses when the migrations folder already has migrations, naming resolve --applied, and changes nothing', async () => {
    const project = await newProject();
    await push(project.source());
    const first = laterMigrationName(1, 'init');
    writeMigrationByHand(project, first, 'CREATE TABLE "User" ("id" INTEGER NOT NULL PRIMARY KEY, "email" TEXT NOT NULL);\n');
    const folderBefore = folderSnapshot(project.migrationsDir);
    const before = await databaseSnapshot(project);

    const run = await project.cli(['baseline']);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Error: MK_MIGRATIONS_FOLDER');
    expect(run.stderr).toContain(`migrate-kit resolve --applied "${first}"`);
    expect(folderSnapshot(project.migrationsDir)).toEqual(folderBefore);
    expect(await databaseSnapshot(project)).toEqual(before);
  });

  it('refuses a database that already has a migration history, and changes nothing', async () => {
    const project = await newProject();
    expect((await project.cli(['dev', '--name', 'init'])).code).toBe(0);
    const [folder] = migrationFolders(project.migrationsDir);
    const { rmSync } = await import('node:fs');
    rmSync(project.migrationsDir, { recursive: true });
    const before = await databaseSnapshot(project);

    const run = await project.cli(['baseline']);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Error: MK_HAS_MIGRATION_HISTORY');
    expect(folderSnapshot(project.migrationsDir)).toEqual({});
    expect((await migrationRows(project)).map((r) => r.migration_name)).toEqual([folder]);
    expect(await databaseSnapshot(project)).toEqual(before);
  });

  it('dev and status on a database made by push name the baseline verb', async () => {
    const project = await newProject();
    await push(project.source());

    const dev = await project.cli(['dev', '--name', 'init']);
    const status = await project.cli(['status']);

    expect(dev.code).toBe(1);
    expect(dev.stderr).toContain('Error: P3005');
    expect(dev.stderr).toContain('migrate-kit baseline');
    expect(status.stdout).toContain('migrate-kit baseline');
  });
});

describe('the baseline verb and the migration lock (PostgreSQL)', () => {
  const newProject = projectsFor('postgresql');

  it('waits for the lock another session holds, and when it times out (P1002) writes and records nothing', async () => {
    const project = await newProject();
    await push(project.source());
    const before = await databaseSnapshot(project);
    const holder = new pg.Client({ connectionString: project.url, application_name: 'left-over-deploy' });
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock(72707369)');

      const run = await project.cli(['baseline', '--json']);

      expect(run.code, output(run)).toBe(1);
      expect(jsonOf(run).error?.code).toBe('P1002');
      expect(run.stderr).toContain('Waiting for the migration lock');
      expect(folderSnapshot(project.migrationsDir)).toEqual({});
      expect(await databaseSnapshot(project)).toEqual(before);
    } finally {
      await holder.end();
    }
  });
});
