// `create` on lists whose change drops data or cannot run on the rows the development database
// holds: as `prisma migrate dev --create-only`, it lists the warnings, asks (here: no TTY, so it
// needs --accept-data-loss and writes nothing without it), and the file gets Prisma's header.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, describeRun, jsonOf, output } from './helpers/cli.js';
import { createKeystoneProject, databaseSnapshot, type KeystoneTestProject, keystoneConfig, type Provider } from './helpers/project.js';

const PROVIDERS: Provider[] = ['sqlite', 'postgresql'];

/** The lists without Author.email (it holds data) and with a required Author.age that has no default. */
function lossyConfig(provider: Provider): string {
  return keystoneConfig(provider, { authorFields: "age: integer({ db: { isNullable: false } })," })
    .replace("email: text({ isIndexed: 'unique' }),", '')
    .replace('import { relationship, select, text, timestamp }', 'import { integer, relationship, select, text, timestamp }');
}

describe.each(PROVIDERS)('create warns before a migration loses data, on %s', (provider) => {
  let project: KeystoneTestProject;
  beforeAll(async () => {
    project = await createKeystoneProject(provider, keystoneConfig(provider));
    for (const args of [['create', '--name', 'init'], ['apply']]) {
      const run = await project.cli(args);
      expect(run.code, describeRun(run)).toBe(0);
    }
    await project.db.execute(`INSERT INTO "authors" ("full_name", "email") VALUES ('Ada', 'ada@example.com')`);
    project.writeKeystone(lossyConfig(provider));
  }, 120_000);
  afterAll(async () => {
    await project?.remove();
  });

  it('without a TTY and without --accept-data-loss: exit 1, the warnings and the flag named, nothing written', async () => {
    const migrations = project.migrationsSnapshot();
    const database = await databaseSnapshot(project.db);

    const run = await project.cli(['create', '--name', 'drop_email']);

    expect(run.code, describeRun(run)).toBe(1);
    expect(output(run)).toContain('You are about to drop the column `email` on the `authors` table, which still contains 1 non-null values.');
    expect(output(run)).toContain('Added the required column `age` to the `authors` table without a default value. There are 1 rows in this table, it is not possible to execute this step.');
    expect(output(run)).toContain('--accept-data-loss');
    expect(project.migrationsSnapshot()).toEqual(migrations);
    expect(await databaseSnapshot(project.db)).toEqual(database);
  });

  it.runIf(existsSync('/usr/bin/script'))('in a terminal it asks; "no" cancels (exit 130) and writes nothing', async () => {
    const migrations = project.migrationsSnapshot();
    // util-linux `script` gives the command a pseudo-terminal; the answer is typed into it.
    const { CI: _ci, ...env }: NodeJS.ProcessEnv = { ...process.env, ...project.env, NO_COLOR: '1' };
    const asked = spawnSync('/usr/bin/script', ['-qec', `${process.execPath} ${BIN} create --name drop_email`, '/dev/null'], {
      cwd: project.dir,
      env: { ...env, MIGRATE_KIT_NON_INTERACTIVE: '' },
      input: 'n\r',
      encoding: 'utf8',
      timeout: 60_000,
    });

    // The terminal wraps long lines.
    const shown = asked.stdout.replace(/\r?\n/g, ' ').replace(/ +/g, ' ');
    expect(shown).toContain('You are about to drop the column `email` on the `authors` table, which still contains 1 non-null values.');
    expect(shown).toContain('Are you sure you want to create this migration? No');
    expect(shown).toContain('Migration cancelled.');
    expect(asked.status, asked.stdout).toBe(130);
    expect(project.migrationsSnapshot()).toEqual(migrations);
  });

  it("with --accept-data-loss: the summary lists the warnings and the migration starts with Prisma's warnings header; the database is untouched", async () => {
    const database = await databaseSnapshot(project.db);

    const run = await project.cli(['create', '--name', 'drop_email', '--accept-data-loss']);

    expect(run.code, describeRun(run)).toBe(0);
    expect(run.stdout).toContain('⚠️  Warnings for the current datasource:');
    expect(run.stdout).toContain('  • You are about to drop the column `email` on the `authors` table, which still contains 1 non-null values.');
    const name = project.migrationNames()[1]!;
    expect(name).toMatch(/^\d{14}_drop_email$/);
    const sql = readFileSync(join(project.dir, 'migrations', name, 'migration.sql'), 'utf8');
    expect(sql).toMatch(
      /^\/\*\n {2}Warnings:\n\n {2}- You are about to drop the column `email` on the `authors` table\. All the data in the column will be lost\.\n {2}- Added the required column `age` to the `authors` table without a default value\. This is not possible if the table is not empty\.\n/,
    );
    expect(await databaseSnapshot(project.db)).toEqual(database);
  });

  it('--json carries the warnings', async () => {
    project.writeKeystone(keystoneConfig(provider));
    // Back to the lists of the first migration: the second one is removed, the database still holds them.
    const second = project.migrationNames()[1]!;
    rmSync(join(project.dir, 'migrations', second), { recursive: true });
    project.writeKeystone(lossyConfig(provider));

    const run = await project.cli(['create', '--name', 'drop_email', '--accept-data-loss', '--json']);

    expect(run.code, describeRun(run)).toBe(0);
    expect(jsonOf(run)).toMatchObject({ ok: true, evaluatedOnDatabase: true });
    expect((jsonOf(run) as { warnings: string[] }).warnings).toHaveLength(2);
  });
});
