import { join } from 'node:path';
import { createProjectDir } from '@migrate-kit/test-support';
import { describe, expect, it } from 'vitest';
import { deploy, push, status } from '../src/index.js';
import { databaseSnapshot, execute, jsonOf, laterMigrationName, migrationRows, migrationScript, output, projectsFor, tableNames, writeMigrationByHand } from './helpers/lifecycle.js';
import { createTestProject, PROVIDERS, type TestProject } from './helpers/project.js';

/** The `_prisma_migrations` table as SQLite keeps it: its CREATE statement and its columns. */
async function sqliteMigrationsTable(project: TestProject): Promise<unknown> {
  const [{ sql }] = (await project.query(`SELECT sql FROM sqlite_master WHERE name = '_prisma_migrations'`)) as [{ sql: string }];
  return { sql, columns: await project.query(`SELECT * FROM pragma_table_info('_prisma_migrations')`) };
}

describe.each(PROVIDERS)('baselining a database that has tables but no migration history, on %s', (provider) => {
  const newProject = projectsFor(provider);

  it('status on an empty database lists the migrations as not yet applied and points at dev and deploy; --json says no baseline is needed', async () => {
    const project = await newProject();
    const name = laterMigrationName(1, 'create_a');
    writeMigrationByHand(project, name, 'CREATE TABLE "A" ("id" INTEGER NOT NULL PRIMARY KEY);\n');
    await tableNames(project); // SQLite: an empty file

    const run = await project.cli(['status']);
    const json = jsonOf(await project.cli(['status', '--json']));

    expect(run.code).toBe(1);
    expect(output(run)).toContain(`have not yet been applied:\n${name}`);
    expect(output(run)).toContain('To apply migrations in development run migrate-kit dev.');
    expect(output(run)).toContain('To apply migrations in production run migrate-kit deploy.');
    expect(output(run)).not.toMatch(/not managed|baseline|resolve/);
    expect(json).toMatchObject({ ok: true, exitCode: 1, hasMigrationsTable: false, needsBaseline: false, migrations: [{ name, state: 'pending' }] });
    // Following the advice works: the migrations apply on the empty database.
    expect((await project.cli(['deploy'])).code).toBe(0);
    expect(await tableNames(project)).toEqual(['A', '_prisma_migrations']);
  });

  it('status on a database made by push advises the baseline steps with this CLI, and following them (diff, resolve) gives a managed, up-to-date database', async () => {
    const project = await newProject();
    await push(project.source());
    await execute(project, `INSERT INTO "User" ("email") VALUES ('ada@example.com')`);

    const run = await project.cli(['status']);
    const json = jsonOf(await project.cli(['status', '--json']));

    expect(run.code).toBe(1);
    expect(output(run)).toContain('The current database is not managed by Prisma Migrate.');
    const diffStep = `migrate-kit diff --from-empty --to-config-datasource --script -o ${join('prisma', 'migrations', '0_init', 'migration.sql')}`;
    expect(output(run)).toContain(diffStep);
    expect(output(run)).toContain('migrate-kit resolve --applied 0_init');
    expect(json).toMatchObject({ ok: true, exitCode: 1, hasMigrationsTable: false, needsBaseline: true, migrations: [] });

    // The advice, word for word.
    const diff = await project.cli(diffStep.split(' ').slice(1));
    expect(diff.code, output(diff)).toBe(0);
    expect(migrationScript(project, '0_init')).toMatch(/CREATE TABLE ("public"\.)?"User"/);
    const resolve = await project.cli(['resolve', '--applied', '0_init']);
    expect(resolve.code, output(resolve)).toBe(0);

    expect((await status(project.source())).exitCode).toBe(0);
    expect((await migrationRows(project)).map((r) => [r.migration_name, r.finished])).toEqual([['0_init', true]]);
    const dev = await project.cli(['dev']);
    expect(dev.code, output(dev)).toBe(0);
    expect(dev.stdout).toContain('Already in sync');
    expect(await project.query('SELECT "email" FROM "User"')).toEqual([{ email: 'ada@example.com' }]);
  });

  it('status on a database made by push, with migrations in the folder, advises resolving the first one', async () => {
    const project = await newProject();
    await push(project.source());
    const first = laterMigrationName(1, 'init');
    writeMigrationByHand(project, first, 'CREATE TABLE "User" ("id" INTEGER NOT NULL PRIMARY KEY, "email" TEXT NOT NULL);\n');

    const run = await project.cli(['status']);

    expect(run.code).toBe(1);
    expect(output(run)).toContain('The current database is not managed by Prisma Migrate.');
    expect(output(run)).toContain(`migrate-kit resolve --applied "${first}"`);
    expect((await status(project.source())).needsBaseline).toBe(true);
  });

  it('dev on a database made by push (P3005) names the baseline steps with this CLI, and changes nothing', async () => {
    const project = await newProject();
    await push(project.source());
    const before = await databaseSnapshot(project);

    const run = await project.cli(['dev', '--name', 'init']);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Error: P3005');
    expect(run.stderr).toContain(`migrate-kit diff --from-empty --to-config-datasource --script -o ${join('prisma', 'migrations', '0_init', 'migration.sql')}`);
    expect(run.stderr).toContain('migrate-kit resolve --applied 0_init');
    expect(run.stderr).toContain('migrate-kit reset');
    expect(await databaseSnapshot(project)).toEqual(before);
  });
});

describe.each(PROVIDERS)('deploy on a database made by push, on %s', (provider) => {
  const newProject = projectsFor(provider);

  it('stops with P3005 naming the baseline with this CLI, never a reset, and changes nothing', async () => {
    const project = await newProject();
    await push(project.source());
    const first = laterMigrationName(1, 'init');
    writeMigrationByHand(project, first, 'CREATE TABLE "User" ("id" INTEGER NOT NULL PRIMARY KEY, "email" TEXT NOT NULL);\n');
    const before = await databaseSnapshot(project);

    const run = await project.cli(['deploy']);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Error: P3005');
    expect(run.stderr).toContain(`migrate-kit resolve --applied "${first}"`);
    expect(run.stderr).not.toContain('migrate-kit reset');
    expect(await databaseSnapshot(project)).toEqual(before);
  });
});

describe('resolve --applied on SQLite', () => {
  const newProject = projectsFor('sqlite');

  it('baselines a SQLite database made by push: creates _prisma_migrations exactly as the engine does, and records the migration', async () => {
    const project = await newProject();
    await push(project.source());
    writeMigrationByHand(project, '0_init', 'CREATE TABLE "User" ("id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, "email" TEXT NOT NULL);\n');

    const run = await project.cli(['resolve', '--applied', '0_init']);

    expect(run.code, output(run)).toBe(0);
    expect((await migrationRows(project)).map((r) => [r.migration_name, r.finished, r.rolledBack])).toEqual([['0_init', true, false]]);
    // The engine's own table: the one its applyMigrations creates on an empty database.
    const reference = await createTestProject('sqlite');
    await deploy({ ...reference.source(), migrationsDir: join(createProjectDir(), 'migrations') });
    expect(await sqliteMigrationsTable(project)).toEqual(await sqliteMigrationsTable(reference));
  });

  it('creates nothing when the migration is not in the folder (P3017)', async () => {
    const project = await newProject();
    await push(project.source());
    const before = await databaseSnapshot(project);

    const run = await project.cli(['resolve', '--applied', '0_missing']);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('P3017');
    expect(await databaseSnapshot(project)).toEqual(before);
  });
});
