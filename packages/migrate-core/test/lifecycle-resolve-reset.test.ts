import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMigration, deploy, isMigrateError, type Question, reset, resolve, status } from '../src/index.js';
import {
  databaseSnapshot,
  execute,
  folderSnapshot,
  jsonOf,
  laterMigrationName,
  migrationRows,
  output,
  projectsFor,
  tableNames,
  writeMigrationByHand,
} from './helpers/lifecycle.js';
import { PROVIDERS, type TestProject } from './helpers/project.js';

const CREATE_A = 'CREATE TABLE "A" ("id" INTEGER NOT NULL PRIMARY KEY);\n';
const CREATE_B = 'CREATE TABLE "B" ("id" INTEGER NOT NULL PRIMARY KEY);\n';
const CREATE_C = 'CREATE TABLE "C" ("id" INTEGER NOT NULL PRIMARY KEY);\n';

/** Three migrations, the second of which creates B and then fails half way. */
function historyWithBrokenMigration(project: TestProject): { first: string; broken: string; third: string } {
  const names = { first: laterMigrationName(1, 'create_a'), broken: laterMigrationName(2, 'create_b'), third: laterMigrationName(3, 'create_c') };
  writeMigrationByHand(project, names.first, CREATE_A);
  writeMigrationByHand(project, names.broken, `${CREATE_B}THIS IS NOT SQL;\n`);
  writeMigrationByHand(project, names.third, CREATE_C);
  return names;
}

describe.each(PROVIDERS)('failed migrations and migrate resolve on %s', (provider) => {
  const newProject = projectsFor(provider);

  it('deploy stops at a failed migration (P3018, then P3009) until it is resolved as rolled back and fixed', async () => {
    const project = await newProject();
    const { first, broken, third } = historyWithBrokenMigration(project);

    const failed = await project.cli(['deploy']);
    expect(failed.code).toBe(1);
    expect(output(failed)).toContain('P3018');
    expect(output(failed)).toContain(`Migration name: ${broken}`);
    expect(output(failed)).toContain('THIS');
    const rows = await migrationRows(project);
    expect(rows.map((r) => [r.migration_name, r.finished, r.rolledBack])).toEqual([
      [first, true, false],
      [broken, false, false],
    ]);
    expect(await tableNames(project)).not.toContain('C');
    // PostgreSQL runs the script as one implicit transaction: nothing of it is left behind.
    if (provider === 'postgresql') expect(await tableNames(project)).not.toContain('B');

    const blocked = await project.cli(['deploy', '--json']);
    expect(blocked.code).toBe(1);
    expect(jsonOf(blocked)).toMatchObject({ ok: false, exitCode: 1, error: { code: 'P3009' } });
    expect(jsonOf(blocked).error?.message).toContain(broken);
    expect(await migrationRows(project)).toEqual(rows);

    const statusRun = await project.cli(['status']);
    expect(statusRun.code).toBe(1);
    expect(output(statusRun)).toContain(broken);

    // What a person does: undo what the script did (SQLite ran it up to the error), then say so.
    await execute(project, 'DROP TABLE IF EXISTS "B"');
    const resolved = await project.cli(['resolve', '--rolled-back', broken]);
    expect(resolved.code).toBe(0);
    expect((await migrationRows(project)).find((r) => r.migration_name === broken)).toMatchObject({ finished: false, rolledBack: true });

    writeFileSync(join(project.migrationsDir, broken, 'migration.sql'), CREATE_B);
    const fixed = await project.cli(['deploy']);
    expect(fixed.code).toBe(0);
    expect(await tableNames(project)).toEqual(['A', 'B', 'C', '_prisma_migrations']);
    const after = await migrationRows(project);
    expect(after.filter((r) => r.migration_name === broken).map((r) => [r.finished, r.rolledBack])).toEqual([
      [false, true],
      [true, false],
    ]);
    expect(after.find((r) => r.migration_name === third)?.finished).toBe(true);
    expect((await status(project.source())).exitCode).toBe(0);
  });

  it('resolve --applied records a failed migration finished by hand, and deploy goes on with the next one', async () => {
    const project = await newProject();
    const { broken, third } = historyWithBrokenMigration(project);
    await expect(deploy(project.source())).rejects.toMatchObject({ code: 'P3018' });
    // The hotfix: finish by hand what the migration meant to do.
    await execute(project, 'CREATE TABLE IF NOT EXISTS "B" ("id" INTEGER NOT NULL PRIMARY KEY)');

    const result = await resolve(project.source(), { applied: broken });
    expect(result).toEqual({ migration: broken, markedAs: 'applied' });
    const brokenRows = (await migrationRows(project)).filter((r) => r.migration_name === broken);
    expect(brokenRows.some((r) => r.finished && !r.rolledBack)).toBe(true);
    expect(brokenRows.some((r) => !r.finished && !r.rolledBack)).toBe(false);

    const applied = await deploy(project.source());
    expect(applied.applied.map((m) => m.name)).toEqual([third]);
    expect(await tableNames(project)).toEqual(['A', 'B', 'C', '_prisma_migrations']);
    expect((await status(project.source())).exitCode).toBe(0);
  });

  it('resolve refuses what Prisma refuses: an applied migration again (P3008), rolling back one that did not fail (P3012), an unknown name', async () => {
    const project = await newProject();
    const name = laterMigrationName(1, 'create_a');
    writeMigrationByHand(project, name, CREATE_A);
    await deploy(project.source());
    const database = await databaseSnapshot(project);

    await expect(resolve(project.source(), { applied: name })).rejects.toMatchObject({ code: 'P3008' });
    await expect(resolve(project.source(), { rolledBack: name })).rejects.toMatchObject({ code: 'P3012' });
    await expect(resolve(project.source(), { applied: laterMigrationName(9, 'nope') })).rejects.toMatchObject({ code: 'P3017' });
    await expect(resolve(project.source(), { rolledBack: laterMigrationName(9, 'nope') })).rejects.toMatchObject({ code: 'P3011' });
    expect(await databaseSnapshot(project)).toEqual(database);
  });

  it('resolve --rolled-back on a database with no migration history yet is P3011 (never applied), the same on every provider, and creates nothing', async () => {
    // Upstream's engine says "Invariant violation: called markMigrationRolledBack on a database
    // without migrations table" on PostgreSQL and P1014 (a missing table) on SQLite; a reset running
    // alongside can leave a resolve in exactly that state.
    const project = await newProject();
    const name = laterMigrationName(1, 'create_a');
    writeMigrationByHand(project, name, CREATE_A);
    await execute(project, 'CREATE TABLE "Unrelated" ("id" INTEGER NOT NULL PRIMARY KEY);');
    const database = await databaseSnapshot(project);

    const run = await project.cli(['resolve', '--rolled-back', name, '--json']);
    expect(run.code).toBe(1);
    const error = jsonOf<{ error: { code: string; message: string } }>(run).error;
    expect(error.code).toBe('P3011');
    expect(error.message).toContain(name);
    expect(error.message).toContain('_prisma_migrations');
    expect(await databaseSnapshot(project)).toEqual(database);
  });

  it('resolve without --applied or --rolled-back is a usage error naming both flags', async () => {
    const project = await newProject();
    const run = await project.cli(['resolve']);
    expect(run.code).toBe(1);
    expect(output(run)).toContain('--applied');
    expect(output(run)).toContain('--rolled-back');
    expect(await tableNames(project)).toEqual([]);
  });
});

describe.each(PROVIDERS)('migrate reset on %s', (provider) => {
  const newProject = projectsFor(provider);

  async function projectWithData(): Promise<TestProject> {
    const project = await newProject();
    await createMigration(project.source(), { name: 'init' });
    await execute(project, `INSERT INTO "User" ("email") VALUES ('ada@example.com')`);
    await execute(project, 'CREATE TABLE "Handmade" ("id" INTEGER PRIMARY KEY)');
    return project;
  }

  it('refuses without a TTY unless --force is passed, and leaves the data', async () => {
    const project = await projectWithData();
    const database = await databaseSnapshot(project);

    const run = await project.cli(['reset']);

    expect(run.code).toBe(1);
    expect(output(run)).toContain('--force');
    expect(await databaseSnapshot(project)).toEqual(database);
    expect(await project.query('SELECT "email" FROM "User"')).toEqual([{ email: 'ada@example.com' }]);
  });

  it('with --force drops everything, data and hand-made tables included, and re-applies every migration', async () => {
    const project = await projectWithData();
    const folder = folderSnapshot(project.migrationsDir);
    const [before] = await migrationRows(project);

    const run = await project.cli(['reset', '--force']);

    expect(run.code).toBe(0);
    expect(output(run)).toContain(before!.migration_name);
    expect(await tableNames(project)).toEqual(['User', '_prisma_migrations']);
    expect(await project.query('SELECT * FROM "User"')).toEqual([]);
    expect((await migrationRows(project)).map((r) => [r.migration_name, r.checksum, r.finished])).toEqual([[before!.migration_name, before!.checksum, true]]);
    expect(folderSnapshot(project.migrationsDir)).toEqual(folder);
  });

  it('asks the prompter, naming --force, and resets only on yes', async () => {
    const project = await projectWithData();
    const database = await databaseSnapshot(project);
    const asked: Question[] = [];
    const answering = (answer: boolean) => ({
      confirm: async (q: Question) => {
        asked.push(q);
        return answer;
      },
      text: async () => '',
    });

    const no = await reset(project.source(), { prompter: answering(false) }).catch((e: unknown) => e);
    expect(isMigrateError(no) && no.exitCode).toBe(130);
    expect(await databaseSnapshot(project)).toEqual(database);

    const yes = await reset(project.source(), { prompter: answering(true) });
    expect(yes.applied).toHaveLength(1);
    expect(asked.map((q) => q.flag)).toEqual(['--force', '--force']);
    expect(await tableNames(project)).toEqual(['User', '_prisma_migrations']);
  });
});
