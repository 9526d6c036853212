import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check, createMigration, deploy, diff, push, reset, status } from '../src/index.js';
import {
  databaseSnapshot,
  folderSnapshot,
  jsonOf,
  laterMigrationName,
  output,
  prismaLockFile,
  projectsFor,
  writeMigrationByHand,
} from './helpers/lifecycle.js';
import { PROVIDERS, type TestProject, type TestProvider } from './helpers/project.js';

const OTHER_PROVIDER: Record<TestProvider, TestProvider> = { sqlite: 'postgresql', postgresql: 'sqlite' };

/** A URL that cannot be opened, and what the error says about it. */
const UNREACHABLE: Record<TestProvider, { url: (project: TestProject) => string; message: RegExp; code?: string }> = {
  postgresql: { url: () => 'postgresql://postgres:s3cret-pw@127.0.0.1:1/x', message: /Can't reach database server at `127\.0\.0\.1:1`/, code: 'P1001' },
  // A folder that cannot be created (its parent is a file): verbs that create the database create a missing folder.
  sqlite: { url: (project) => `file:${join(project.schemaPath, 'dev.db')}`, message: /Database `dev\.db` does not exist at `[^`]+`/, code: 'P1003' },
};

describe.each(PROVIDERS)('--json on %s', (provider) => {
  const newProject = projectsFor(provider);

  it('every verb prints one JSON document whose ok and exitCode match the outcome', async () => {
    const project = await newProject();
    const runJson = async (args: string[]) => {
      const run = await project.cli([...args, '--json']);
      const json = jsonOf(run);
      expect(json.exitCode, args.join(' ')).toBe(run.code);
      expect(json.ok, args.join(' ')).toBe(!json.error);
      return json;
    };

    const dev = await runJson(['dev', '--name', 'init']);
    expect(dev).toMatchObject({ ok: true, exitCode: 0, created: { name: expect.stringMatching(/_init$/) } });
    const init = (dev.created as { name: string }).name;
    expect(await runJson(['status'])).toMatchObject({ ok: true, exitCode: 0, migrations: [{ state: 'applied' }] });
    expect(await runJson(['deploy'])).toMatchObject({ ok: true, exitCode: 0, applied: [] });
    expect(await runJson(['diff', '--from-empty', '--to-schema', project.schemaPath, '--exit-code'])).toMatchObject({ ok: true, exitCode: 2, empty: false });
    expect(await runJson(['check'])).toMatchObject({ ok: true, exitCode: 0, upToDate: true });
    expect(await runJson(['push'])).toMatchObject({ ok: true, exitCode: 0, executedSteps: 0 });

    const baseline = laterMigrationName(1, 'by_hand');
    writeMigrationByHand(project, baseline, 'CREATE TABLE "A" ("id" INTEGER NOT NULL PRIMARY KEY);\n');
    expect(await runJson(['resolve', '--applied', baseline])).toMatchObject({ ok: true, exitCode: 0, migration: baseline, markedAs: 'applied' });

    expect(await runJson(['reset'])).toMatchObject({ ok: false, exitCode: 1, error: { code: 'MK_NON_INTERACTIVE', flag: '--force' } });
    expect(await runJson(['reset', '--force'])).toMatchObject({ ok: true, exitCode: 0, applied: [{ name: init }, { name: baseline }] });
  });
});

describe.each(PROVIDERS)('bad input on %s', (provider) => {
  const newProject = projectsFor(provider);

  async function projectWithHistory(): Promise<TestProject> {
    const project = await newProject();
    await createMigration(project.source(), { name: 'init' });
    return project;
  }

  it('a malformed schema fails with the engine\'s P1012, leaving folder and database as they were', async () => {
    const project = await projectWithHistory();
    project.setModels('model User {\n  id Int @id\n  name Strin\n}');
    const folder = folderSnapshot(project.migrationsDir);
    const database = await databaseSnapshot(project);

    const run = await project.cli(['dev', '--name', 'broken', '--json']);
    expect(run.code).toBe(1);
    expect(jsonOf(run)).toMatchObject({ ok: false, error: { code: 'P1012' } });
    expect(jsonOf(run).error?.message).toContain('Strin');

    const source = project.source();
    await expect(push(source, { acceptDataLoss: true })).rejects.toMatchObject({ code: 'P1012' });
    await expect(check(source)).rejects.toMatchObject({ code: 'P1012' });
    await expect(diff({ from: { kind: 'empty' }, to: { kind: 'schema', files: source.files }, provider, url: project.url, baseDir: project.dir })).rejects.toMatchObject({
      code: 'P1012',
    });
    expect(folderSnapshot(project.migrationsDir)).toEqual(folder);
    expect(await databaseSnapshot(project)).toEqual(database);
  });

  it('a lock file written for another provider fails with P3019 before anything is touched', async () => {
    const project = await projectWithHistory();
    writeFileSync(join(project.migrationsDir, 'migration_lock.toml'), prismaLockFile(OTHER_PROVIDER[provider]));
    const folder = folderSnapshot(project.migrationsDir);
    const database = await databaseSnapshot(project);

    const run = await project.cli(['deploy']);
    expect(run.code).toBe(1);
    expect(output(run)).toContain('P3019');
    expect(output(run)).toContain(`\`${OTHER_PROVIDER[provider]}\``);

    const source = project.source();
    for (const operation of [() => createMigration(source, {}), () => status(source), () => reset(source, { force: true }), () => check(source)]) {
      await expect(operation()).rejects.toMatchObject({ code: 'P3019' });
    }
    expect(folderSnapshot(project.migrationsDir)).toEqual(folder);
    expect(await databaseSnapshot(project)).toEqual(database);
  });

  it('a URL that is not one for the provider is a clear error with exit 1', async () => {
    const project = await projectWithHistory();
    const folder = folderSnapshot(project.migrationsDir);

    const run = await project.cli(['deploy', '--url', 'postgresql://', '--json']);
    expect(run.code).toBe(1);
    expect(jsonOf(run)).toMatchObject({ ok: false, error: { code: 'MK_INVALID_URL' } });

    const invalid = { ...project.source(), url: 'postgresql://' };
    for (const operation of [() => createMigration(invalid, {}), () => status(invalid), () => reset(invalid, { force: true })]) {
      await expect(operation()).rejects.toMatchObject({ code: 'MK_INVALID_URL' });
    }
    expect(folderSnapshot(project.migrationsDir)).toEqual(folder);
  });

  it('an unreachable server (or SQLite folder) is a clear error with exit 1, and no password is shown', async () => {
    const project = await projectWithHistory();
    const folder = folderSnapshot(project.migrationsDir);
    const expected = UNREACHABLE[provider];
    const url = expected.url(project);

    const run = await project.cli(['deploy', '--url', url]);
    expect(run.code).toBe(1);
    expect(output(run)).toMatch(expected.message);
    if (expected.code) expect(output(run)).toContain(expected.code);
    expect(output(run)).not.toContain('s3cret-pw');

    const unreachable = { ...project.source(), url };
    for (const operation of [() => createMigration(unreachable, {}), () => status(unreachable), () => deploy(unreachable)]) {
      await expect(operation()).rejects.toMatchObject({ message: expect.stringMatching(expected.message), ...(expected.code ? { code: expected.code } : {}) });
    }
    expect(folderSnapshot(project.migrationsDir)).toEqual(folder);
  });
});

describe('a SQLite database locked by another process', () => {
  const newProject = projectsFor('sqlite');

  it('status and deploy wait socket_timeout seconds, then fail with MK_LOCK_TIMEOUT saying who to stop, and change nothing', async () => {
    const project = await newProject();
    await createMigration(project.source(), { name: 'init' });
    writeMigrationByHand(project, laterMigrationName(1, 'create_a'), 'CREATE TABLE "A" ("id" INTEGER PRIMARY KEY);\n');
    const folder = folderSnapshot(project.migrationsDir);
    const database = await databaseSnapshot(project);
    const { default: Database } = await import('better-sqlite3');
    const holder = new Database(project.url.slice('file:'.length));
    holder.exec('BEGIN EXCLUSIVE');
    const url = `${project.url}?socket_timeout=1`;
    try {
      const started = Date.now();
      const read = jsonOf(await project.cli(['status', '--json'], { env: { DATABASE_URL: url } }));
      const write = jsonOf(await project.cli(['deploy', '--json'], { env: { DATABASE_URL: url } }));

      for (const run of [read, write]) {
        expect(run.error).toMatchObject({
          code: 'MK_LOCK_TIMEOUT',
          message: expect.stringContaining('stayed locked by another connection for 1 s (database is locked)'),
          hint: expect.stringContaining('Another process holds the file'),
        });
      }
      expect(Date.now() - started).toBeLessThan(20_000);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
    expect(folderSnapshot(project.migrationsDir)).toEqual(folder);
    expect(await databaseSnapshot(project)).toEqual(database);
  });

  it('a socket_timeout that is not a number of seconds is refused, naming the form', async () => {
    const project = await newProject();
    const run = await project.cli(['status', '--json'], { env: { DATABASE_URL: `${project.url}?socket_timeout=soon` } });
    expect(jsonOf(run).error).toMatchObject({ code: 'MK_INVALID_URL', hint: expect.stringContaining('socket_timeout=10') });
  });
});

describe('a PostgreSQL user that does not exist', () => {
  const newProject = projectsFor('postgresql');

  it('is P1010 naming the user and the database, with the SQL that fixes it, and never the password', async () => {
    const project = await newProject();
    const url = new URL(project.url);
    url.username = 'no_such_role';
    url.password = 'pw-never-printed';

    const run = await project.cli(['status'], { env: { DATABASE_URL: url.toString() } });

    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`User \`no_such_role\` was denied access on the database \`${url.pathname.slice(1)}\``);
    expect(run.stderr).toContain('CREATE ROLE "no_such_role" LOGIN');
    expect(output(run)).not.toContain('pw-never-printed');
  });
});
