import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMigration, isMigrateError, type Question, status } from '../src/index.js';
import {
  columnNames,
  databaseSnapshot,
  execute,
  folderSnapshot,
  MIGRATION_FOLDER,
  migrationFolders,
  migrationRows,
  migrationScript,
  output,
  POST_MODEL,
  prismaLockFile,
  projectsFor,
  sha256,
  tableNames,
  untilNextSecond,
  USER_MODEL,
  USER_WITH_NAME,
} from './helpers/lifecycle.js';
import { PROVIDERS } from './helpers/project.js';

describe.each(PROVIDERS)('migrate dev on %s', (provider) => {
  const newProject = projectsFor(provider);

  it('creates and applies the first migration, with Prisma\'s folder, lock file and checksum', async () => {
    const project = await newProject();
    const result = await createMigration(project.source(), { name: 'init' });

    const name = result.created?.name;
    expect(name).toMatch(MIGRATION_FOLDER);
    expect(name?.endsWith('_init')).toBe(true);
    expect(result.created?.applied?.name).toBe(name);
    expect(migrationFolders(project.migrationsDir)).toEqual([name]);
    expect(readFileSync(join(project.migrationsDir, 'migration_lock.toml'), 'utf8')).toBe(prismaLockFile(provider));

    const script = migrationScript(project, name!);
    expect(script).toContain('CREATE TABLE "User"');
    const rows = await migrationRows(project);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ migration_name: name, checksum: sha256(script), finished: true, rolledBack: false, applied_steps_count: 1 });
    expect(await tableNames(project)).toEqual(['User', '_prisma_migrations']);
  });

  it('says the database is in sync and writes nothing when the schema did not change', async () => {
    const project = await newProject();
    await createMigration(project.source(), { name: 'init' });
    const folder = folderSnapshot(project.migrationsDir);
    const database = await databaseSnapshot(project);

    const run = await project.cli(['dev', '--name', 'nothing']);

    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/already in sync/i);
    expect(folderSnapshot(project.migrationsDir)).toEqual(folder);
    expect(await databaseSnapshot(project)).toEqual(database);
  });

  it('writes a migration without applying it with --create-only, and the next dev applies it', async () => {
    const project = await newProject();
    const init = (await createMigration(project.source(), { name: 'init' })).created!.name;
    project.setModels(`${USER_MODEL}\n\n${POST_MODEL}`);
    await untilNextSecond();

    const run = await project.cli(['dev', '--create-only', '--name', 'add_post']);

    expect(run.code).toBe(0);
    const folders = migrationFolders(project.migrationsDir);
    expect(folders).toHaveLength(2);
    expect(folders[0]).toBe(init);
    const created = folders[1]!;
    expect(created).toMatch(/_add_post$/);
    expect(migrationScript(project, created)).toContain('CREATE TABLE "Post"');
    expect(await tableNames(project)).not.toContain('Post');
    const report = await status(project.source());
    expect(report.migrations.map((m) => m.state)).toEqual(['applied', 'pending']);
    expect(report.exitCode).toBe(1);

    const next = await createMigration(project.source(), {});
    expect(next.appliedPending.map((m) => m.name)).toEqual([created]);
    expect(next.created).toBeUndefined();
    expect(await tableNames(project)).toContain('Post');
    expect(migrationFolders(project.migrationsDir)).toEqual(folders);
  });

  it('sanitises the migration name as Prisma does ("Add Users!" -> add_users)', async () => {
    const project = await newProject();
    const result = await createMigration(project.source(), { name: 'Add Users!' });
    expect(result.created?.name).toMatch(/^\d{14}_add_users$/);
    expect(migrationFolders(project.migrationsDir)).toEqual([result.created?.name]);
  });

  it('refuses a data-loss change without a TTY unless --accept-data-loss is passed', async () => {
    const project = await newProject();
    project.setModels(USER_WITH_NAME);
    await createMigration(project.source(), { name: 'init' });
    await execute(project, `INSERT INTO "User" ("email", "name") VALUES ('ada@example.com', 'Ada')`);
    project.setModels(USER_MODEL);
    const folder = folderSnapshot(project.migrationsDir);
    const database = await databaseSnapshot(project);

    const refused = await project.cli(['dev', '--name', 'drop_name']);

    expect(refused.code).toBe(1);
    expect(output(refused)).toContain('--accept-data-loss');
    expect(output(refused)).toMatch(/drop the column `name`/);
    expect(folderSnapshot(project.migrationsDir)).toEqual(folder);
    expect(await databaseSnapshot(project)).toEqual(database);
    expect(await project.query('SELECT "name" FROM "User"')).toEqual([{ name: 'Ada' }]);

    await untilNextSecond();
    const accepted = await project.cli(['dev', '--name', 'drop_name', '--accept-data-loss']);

    expect(accepted.code).toBe(0);
    expect(migrationFolders(project.migrationsDir)).toHaveLength(2);
    expect(await columnNames(project, 'User')).toEqual(['email', 'id']);
    expect(await project.query('SELECT "email" FROM "User"')).toEqual([{ email: 'ada@example.com' }]);
  });

  it('asks the prompter before losing data and stops, writing nothing, when the answer is no', async () => {
    const project = await newProject();
    project.setModels(USER_WITH_NAME);
    await createMigration(project.source(), { name: 'init' });
    await execute(project, `INSERT INTO "User" ("email", "name") VALUES ('ada@example.com', 'Ada')`);
    project.setModels(USER_MODEL);
    const folder = folderSnapshot(project.migrationsDir);
    const database = await databaseSnapshot(project);
    const asked: Question[] = [];

    const error = await createMigration(project.source(), {
      name: 'drop_name',
      prompter: {
        confirm: async (q) => {
          asked.push(q);
          return false;
        },
        text: async () => 'unused',
      },
    }).catch((e: unknown) => e);

    expect(isMigrateError(error) && error.exitCode).toBe(130);
    expect(asked).toHaveLength(1);
    expect(asked[0]!.flag).toBe('--accept-data-loss');
    expect(folderSnapshot(project.migrationsDir)).toEqual(folder);
    expect(await databaseSnapshot(project)).toEqual(database);
  });

  it('detects drift (a table created by hand), exits 130 pointing at reset, and changes nothing', async () => {
    const project = await newProject();
    await createMigration(project.source(), { name: 'init' });
    await execute(project, 'CREATE TABLE "Handmade" ("id" INTEGER PRIMARY KEY)');
    project.setModels(`${USER_MODEL}\n\n${POST_MODEL}`);
    const folder = folderSnapshot(project.migrationsDir);
    const database = await databaseSnapshot(project);

    const run = await project.cli(['dev', '--name', 'add_post']);

    expect(run.code).toBe(130);
    expect(output(run)).toMatch(/drift detected/i);
    expect(output(run)).toContain('Handmade');
    // The hint names this CLI's command, not Prisma's.
    expect(run.stderr).toContain('Run `migrate-kit reset` to drop the development database');
    expect(folderSnapshot(project.migrationsDir)).toEqual(folder);
    expect(await databaseSnapshot(project)).toEqual(database);
  });

  it('detects an applied migration that was edited: dev exits 130, status reports it edited, deploy refuses (migrate-kit.sum), and after hash warns and succeeds', async () => {
    const project = await newProject();
    const init = (await createMigration(project.source(), { name: 'init' })).created!.name;
    appendFileSync(join(project.migrationsDir, init, 'migration.sql'), '\n-- edited after it was applied\n');
    const folder = folderSnapshot(project.migrationsDir);
    const database = await databaseSnapshot(project);

    const dev = await project.cli(['dev']);
    expect(dev.code).toBe(130);
    expect(output(dev)).toContain(`\`${init}\` was modified after it was applied`);
    expect(output(dev)).toMatch(/\breset\b/);
    expect(folderSnapshot(project.migrationsDir)).toEqual(folder);
    expect(await databaseSnapshot(project)).toEqual(database);

    const report = await status(project.source());
    expect(report.migrations).toEqual([{ name: init, state: 'edited' }]);

    const refused = await project.cli(['deploy']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`\`${init}\` was edited after migrate-kit.sum was written`);
    expect((await project.cli(['hash'])).code).toBe(0);
    const deploy = await project.cli(['deploy']);
    expect(deploy.code).toBe(0);
    expect(deploy.stderr).toContain(`\`${init}\` was modified after it was applied`);
    expect(await databaseSnapshot(project)).toEqual(database);
  });
});
