import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check, createMigration, diff, push } from '../src/index.js';
import {
  columnNames,
  databaseSnapshot,
  execute,
  folderSnapshot,
  jsonOf,
  output,
  prismaLockFile,
  projectsFor,
  tableNames,
  USER_MODEL,
  USER_WITH_NAME,
} from './helpers/lifecycle.js';
import { writeFile } from '@migrate-kit/test-support';
import { PROVIDERS } from './helpers/project.js';

describe.each(PROVIDERS)('migrate diff on %s', (provider) => {
  const newProject = projectsFor(provider);

  it('--from-empty --to-schema prints a summary, or with --script the SQL, and changes nothing', async () => {
    const project = await newProject();

    const summary = await project.cli(['diff', '--from-empty', '--to-schema', project.schemaPath]);
    expect(summary.code).toBe(0);
    expect(summary.stdout).toMatch(/\[\+\] Added tables\n\s+- User/);

    const script = await project.cli(['diff', '--from-empty', '--to-schema', project.schemaPath, '--script']);
    expect(script.code).toBe(0);
    expect(script.stdout).toContain('CREATE TABLE "User"');
    expect(script.stdout).toContain('CREATE UNIQUE INDEX "User_email_key"');
    expect(await tableNames(project)).toEqual([]);
  });

  it('--exit-code exits 2 when there are differences and 0 when there are none', async () => {
    const project = await newProject();

    const changes = await project.cli(['diff', '--from-empty', '--to-schema', project.schemaPath, '--exit-code']);
    expect(changes.code).toBe(2);

    const none = await project.cli(['diff', '--from-schema', project.schemaPath, '--to-schema', project.schemaPath, '--exit-code']);
    expect(none.code).toBe(0);
    expect(none.stdout).toContain('No difference detected.');
  });

  it('--from-migrations --to-schema shows what the schema has that the migrations do not produce', async () => {
    const project = await newProject();
    await createMigration(project.source(), { name: 'init' });

    const same = await diff({
      from: { kind: 'migrations', dir: project.migrationsDir },
      to: { kind: 'schema', files: project.source().files },
      provider,
      url: project.url,
      baseDir: project.dir,
    });
    expect(same.empty).toBe(true);

    project.setModels(USER_WITH_NAME);
    const database = await databaseSnapshot(project);
    const run = await project.cli(['diff', '--from-migrations', project.migrationsDir, '--to-schema', project.schemaPath, '--script', '--exit-code']);
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/ALTER TABLE "User" ADD COLUMN\s+"name" TEXT/);
    expect(await databaseSnapshot(project)).toEqual(database);
  });

  it('--from-migrations of a folder written for another provider is P3019, as for the other verbs', async () => {
    const project = await newProject();
    const other = provider === 'sqlite' ? 'postgresql' : 'sqlite';
    writeFile(join(project.migrationsDir, 'migration_lock.toml'), prismaLockFile(other));
    writeFile(join(project.migrationsDir, '20240101000000_init', 'migration.sql'), 'CREATE TABLE "User" ("id" INTEGER NOT NULL PRIMARY KEY);\n');

    const run = await project.cli(['diff', '--from-migrations', project.migrationsDir, '--to-schema', project.schemaPath, '--script', '--json']);
    expect(run.code).toBe(1);
    expect(jsonOf(run).error).toMatchObject({ code: 'P3019', schemaProvider: provider, lockFileProvider: other });
    const checkRun = await project.cli(['check', '--json']);
    expect(jsonOf(checkRun).error?.message).toBe(jsonOf(run).error?.message);
  });

  it('--from-url --to-schema compares the live database, and sees a table made by hand', async () => {
    const project = await newProject();
    await createMigration(project.source(), { name: 'init' });

    const inSync = await diff({ from: { kind: 'url', url: project.url }, to: { kind: 'schema', files: project.source().files }, provider, baseDir: project.dir });
    expect(inSync.empty).toBe(true);

    await execute(project, 'CREATE TABLE "Handmade" ("id" INTEGER PRIMARY KEY)');
    const database = await databaseSnapshot(project);
    const drifted = await project.cli(['diff', '--from-url', project.url, '--to-schema', project.schemaPath, '--exit-code']);
    expect(drifted.code).toBe(2);
    expect(drifted.stdout).toMatch(/\[-\] Removed tables\n\s+- Handmade/);
    expect(await databaseSnapshot(project)).toEqual(database);
  });

  it('-o writes the result to a file (creating its folder) instead of stdout', async () => {
    const project = await newProject();
    const file = join(project.dir, 'out', 'diff.sql');

    const run = await project.cli(['diff', '--from-empty', '--to-schema', project.schemaPath, '--script', '-o', file]);

    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain('CREATE TABLE');
    expect(readFileSync(file, 'utf8')).toContain('CREATE TABLE "User"');
  });

  it('a diff of two schemas without any database URL runs in memory on SQLite and asks for --url on PostgreSQL', async () => {
    const project = await newProject();
    const run = await project.cli(['diff', '--from-empty', '--to-schema', project.schemaPath, '--script', '--json'], { env: { DATABASE_URL: '' } });
    if (provider === 'sqlite') {
      expect(run.code).toBe(0);
      expect(jsonOf(run).text).toContain('CREATE TABLE "User"');
    } else {
      // The Wasm engine connects (it reads the server version) even to diff two schemas.
      expect(run.code).toBe(1);
      expect(jsonOf(run)).toMatchObject({ ok: false, error: { code: 'MK_MISSING_URL', hint: expect.stringContaining('--url') } });
    }
  });

  it('two --from sources are a usage error (exit 1) naming the flags', async () => {
    const project = await newProject();

    const run = await project.cli(['diff', '--from-empty', '--from-schema', project.schemaPath, '--to-schema', project.schemaPath, '--json']);

    expect(run.code).toBe(1);
    expect(jsonOf(run)).toMatchObject({ ok: false, exitCode: 1, error: { code: 'MK_USAGE' } });
    expect(jsonOf(run).error?.message).toContain('--from-');
    expect(existsSync(project.migrationsDir)).toBe(false);
  });
});

describe.each(PROVIDERS)('db push on %s', (provider) => {
  const newProject = projectsFor(provider);

  it('creates the tables of the schema without a migration', async () => {
    const project = await newProject();

    const result = await push(project.source());

    expect(result.executedSteps).toBeGreaterThan(0);
    expect(await tableNames(project)).toEqual(['User']);
    expect(existsSync(project.migrationsDir)).toBe(false);

    const again = await project.cli(['push']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/already in sync/);
  });

  it('refuses a data-loss change without --accept-data-loss, and makes it with the flag', async () => {
    const project = await newProject();
    project.setModels(USER_WITH_NAME);
    await push(project.source());
    await execute(project, `INSERT INTO "User" ("email", "name") VALUES ('ada@example.com', 'Ada')`);
    project.setModels(USER_MODEL);
    const database = await databaseSnapshot(project);

    const refused = await project.cli(['push']);
    expect(refused.code).toBe(1);
    expect(output(refused)).toContain('--accept-data-loss');
    expect(await databaseSnapshot(project)).toEqual(database);
    expect(await project.query('SELECT "name" FROM "User"')).toEqual([{ name: 'Ada' }]);

    const accepted = await project.cli(['push', '--accept-data-loss']);
    expect(accepted.code).toBe(0);
    expect(await columnNames(project, 'User')).toEqual(['email', 'id']);
    expect(await project.query('SELECT "email" FROM "User"')).toEqual([{ email: 'ada@example.com' }]);
  });

  it('--force-reset drops everything first, data and hand-made tables included', async () => {
    const project = await newProject();
    await push(project.source());
    await execute(project, `INSERT INTO "User" ("email") VALUES ('ada@example.com')`);
    await execute(project, 'CREATE TABLE "Handmade" ("id" INTEGER PRIMARY KEY)');

    const run = await project.cli(['push', '--force-reset']);

    expect(run.code).toBe(0);
    expect(await tableNames(project)).toEqual(['User']);
    expect(await project.query('SELECT * FROM "User"')).toEqual([]);
  });
});

describe.each(PROVIDERS)('migrate check on %s', (provider) => {
  const newProject = projectsFor(provider);

  it('exits 0 while the migrations produce the schema and 1 after a schema change, touching neither folder nor database', async () => {
    const project = await newProject();
    await createMigration(project.source(), { name: 'init' });
    expect(await check(project.source())).toEqual({ upToDate: true, summary: '', integrity: { state: 'ok', migrations: 1 } });

    const upToDate = await project.cli(['check']);
    expect(upToDate.code).toBe(0);

    project.setModels(USER_WITH_NAME);
    const folder = folderSnapshot(project.migrationsDir);
    const database = await databaseSnapshot(project);

    const behind = await project.cli(['check']);
    expect(behind.code).toBe(1);
    expect(behind.stdout).toMatch(/Added column `name`/);
    expect(folderSnapshot(project.migrationsDir)).toEqual(folder);
    expect(await databaseSnapshot(project)).toEqual(database);
  });
});
