import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { untilNextSecond } from '@migrate-kit/test-support';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeRun, jsonOf, output } from './cli.js';
import { columnNames, databaseSnapshot, instant, migrationRows, PROVIDERS, tableNames } from './database.js';
import {
  folderSnapshot,
  MIGRATION_FOLDER_NAME,
  migrationFolders,
  POST_MODEL,
  type ProjectStyle,
  prismaLockFile,
  projectsFor,
  readMigration,
  sha256,
  STYLE_NAMES,
  TAG_MODEL,
  type TestProject,
  USER_MODEL,
  UUID_V4,
  utcTimestamp,
  writeFile,
} from './project.js';

/**
 * Every `migrate` and `db` verb of `prisma-migrate`, run as its own process in a project of the
 * given style, on SQLite and on PostgreSQL. One project per provider; each test goes on from where
 * the previous one left the project (a day in the life of a project), so the order matters.
 */
export function describeVerbStory(style: ProjectStyle): void {
  describe.each(PROVIDERS)(`${STYLE_NAMES[style]} on %s`, (provider) => {
    const newProject = projectsFor();
    let project: TestProject;
    /** The schema as the CLI is told about it (relative to the project, as a user types it). */
    let schemaArg: string;
    let migrationsArg: string;
    let init: string;
    let addPost: string;
    let addTag: string;
    let tagScript: string;

    beforeAll(async () => {
      project = await newProject({ style, provider });
      schemaArg = relative(project.dir, project.schemaPath);
      migrationsArg = relative(project.dir, project.migrationsDir);
    });

    it("migrate dev --name writes the first migration in stock Prisma's layout and applies it", async () => {
      const before = utcTimestamp(new Date());
      const run = await project.cli(['migrate', 'dev', '--name', 'init', '--json']);
      const after = utcTimestamp(new Date());
      expect(run.code, describeRun(run)).toBe(0);

      const folders = migrationFolders(project.migrationsDir);
      expect(folders).toHaveLength(1);
      init = folders[0]!;
      const [, stamp, name] = MIGRATION_FOLDER_NAME.exec(init) ?? [];
      expect(name).toBe('init');
      expect(stamp! >= before && stamp! <= after, `${stamp} is the UTC time of the run (${before}..${after})`).toBe(true);
      // down.sql and migrate-kit.snapshot.json (what `migrate deploy --check-drift` compares with) beside it: migrate-kit's own (Prisma ignores other files in a migration folder).
      expect(readdirSync(join(project.migrationsDir, init)).sort()).toEqual(['down.sql', 'migrate-kit.snapshot.json', 'migration.sql']);
      expect(readFileSync(join(project.migrationsDir, 'migration_lock.toml'), 'utf8')).toBe(prismaLockFile(provider));
      const script = readMigration(project, init);
      expect(script).toContain('CREATE TABLE "User"');
      expect(jsonOf(run)).toMatchObject({ ok: true, exitCode: 0, created: { name: init, path: join(project.migrationsDir, init, 'migration.sql') } });

      // Where the SQLite file lands is Prisma's rule for relative paths: beside prisma.config.ts in
      // Prisma 7, beside the schema in Prisma 6.
      if (provider === 'sqlite') expect(existsSync(project.db.location), project.db.location).toBe(true);
      expect(await tableNames(project.db)).toEqual(['User', '_prisma_migrations']);
      const rows = await migrationRows(project.db);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ migration_name: init, checksum: sha256(script), logs: null, rolled_back_at: null, applied_steps_count: 1 });
      expect(rows[0]!.id).toMatch(UUID_V4);
      expect(rows[0]!.finished_at).not.toBeNull();
    });

    it('migrate dev --create-only writes the next migration without applying it; status exits 1 naming it', async () => {
      // Not in the second init was created in: the two would sort by name (add_post first), not by age.
      await untilNextSecond();
      project.setModels(`${USER_MODEL}\n\n${POST_MODEL}`);
      const created = await project.cli(['migrate', 'dev', '--create-only', '--name', 'add post']);
      expect(created.code, describeRun(created)).toBe(0);
      const folders = migrationFolders(project.migrationsDir);
      expect(folders).toHaveLength(2);
      addPost = folders[1]!;
      expect(addPost).toMatch(MIGRATION_FOLDER_NAME);
      expect(addPost.endsWith('_add_post')).toBe(true);
      expect(created.stdout).toContain(addPost);
      expect(readMigration(project, addPost)).toContain('CREATE TABLE "Post"');
      expect(await tableNames(project.db)).not.toContain('Post');
      expect((await migrationRows(project.db)).map((r) => r.migration_name)).toEqual([init]);

      const status = await project.cli(['migrate', 'status']);
      expect(status.code, describeRun(status)).toBe(1);
      expect(status.stdout).toContain(addPost);
      expect(status.stdout).toContain('migrate deploy');
    });

    it('migrate deploy applies the pending migration; migrate check then finds the folder up to date', async () => {
      const deploy = await project.cli(['migrate', 'deploy', '--check-drift', '--json']);
      expect(deploy.code, describeRun(deploy)).toBe(0);
      expect(jsonOf(deploy)).toMatchObject({ ok: true, exitCode: 0, found: 2, applied: [{ name: addPost }], edited: [] });
      // --create-only wrote add_post and no dev applied it: no snapshot to compare with (a warning, not --fail-on-drift).
      expect(jsonOf(deploy).drift).toEqual({ state: 'noSnapshot', migration: addPost, snapshot: `${addPost}/migrate-kit.snapshot.json`, differences: [] });
      expect(deploy.stderr).toContain('Run prisma-migrate migrate dev on a development database');
      expect(await tableNames(project.db)).toEqual(['Post', 'User', '_prisma_migrations']);
      expect((await migrationRows(project.db)).map((r) => [r.migration_name, r.checksum])).toEqual([
        [init, sha256(readMigration(project, init))],
        [addPost, sha256(readMigration(project, addPost))],
      ]);

      const check = await project.cli(['migrate', 'check', '--json']);
      expect(check.code, describeRun(check)).toBe(0);
      expect(jsonOf(check)).toMatchObject({ ok: true, exitCode: 0, upToDate: true });
    });

    it('db execute --stdin runs the script whole, outside the migration history', async () => {
      const rowsBefore = await migrationRows(project.db);
      // The `;` inside the string literal would split a script that is cut at every `;`.
      const script = `INSERT INTO "User" ("email") VALUES ('ada;lovelace@example.com');\nINSERT INTO "User" ("email") VALUES ('alan@example.com');\n`;
      const run = await project.cli(['db', 'execute', '--stdin', '--json'], { input: script });
      expect(run.code, describeRun(run)).toBe(0);
      expect(jsonOf(run)).toMatchObject({ ok: true, exitCode: 0 });
      expect((await project.db.query('SELECT "email" FROM "User" ORDER BY "id"')).map((r) => r.email)).toEqual(['ada;lovelace@example.com', 'alan@example.com']);
      expect(await migrationRows(project.db)).toEqual(rowsBefore);
    });

    it('migrate diff (v7 flags) and migrate check see a schema change; neither changes anything', async () => {
      project.setModels(`${USER_MODEL}\n\n${POST_MODEL}\n\n${TAG_MODEL}`);
      const dbBefore = await databaseSnapshot(project.db);
      const migrationsBefore = folderSnapshot(project.migrationsDir);

      const toFile = await project.cli(['migrate', 'diff', '--from-migrations', migrationsArg, '--to-schema', schemaArg, '--script', '--exit-code', '-o', 'out/add_tag.sql']);
      expect(toFile.code, describeRun(toFile)).toBe(2);
      expect(toFile.stdout).not.toContain('CREATE TABLE');
      tagScript = project.read('out/add_tag.sql');
      expect(tagScript).toContain('CREATE TABLE "Tag"');
      expect(tagScript).not.toContain('"User"');
      expect(tagScript).not.toContain('"Post"');

      const live = await project.cli(['migrate', 'diff', '--from-config-datasource', '--to-schema', schemaArg, '--exit-code', '--json']);
      expect(live.code, describeRun(live)).toBe(2);
      const liveJson = jsonOf(live);
      expect(liveJson).toMatchObject({ ok: true, exitCode: 2, empty: false });
      expect(liveJson.text).toContain('Tag');

      const fromEmpty = await project.cli(['migrate', 'diff', '--from-empty', '--to-schema', schemaArg, '--script']);
      expect(fromEmpty.code, describeRun(fromEmpty)).toBe(0);
      for (const table of ['User', 'Post', 'Tag']) expect(fromEmpty.stdout).toContain(`CREATE TABLE "${table}"`);

      const check = await project.cli(['migrate', 'check']);
      expect(check.code, describeRun(check)).toBe(1);
      expect(check.stdout).toContain('Tag');
      expect(check.stdout).toContain('migrate dev');

      expect(await databaseSnapshot(project.db)).toEqual(dbBefore);
      expect(folderSnapshot(project.migrationsDir)).toEqual(migrationsBefore);
    });

    it('a migration written from the diff, run with db execute --file and recorded with migrate resolve --applied', async () => {
      // Later than every folder the engine wrote, so it sorts last.
      addTag = `${utcTimestamp(new Date(Date.now() + 1000))}_add_tag`;
      writeFile(join(project.migrationsDir, addTag, 'migration.sql'), tagScript);
      // A migration written by hand is accepted into migrate-kit.sum with hash (deploy refuses it otherwise).
      expect((await project.cli(['migrate', 'hash'])).code).toBe(0);
      const execute = await project.cli(['db', 'execute', '--file', join(migrationsArg, addTag, 'migration.sql')]);
      expect(execute.code, describeRun(execute)).toBe(0);
      expect(await tableNames(project.db)).toContain('Tag');
      expect((await migrationRows(project.db)).map((r) => r.migration_name)).toEqual([init, addPost]);

      const resolve = await project.cli(['migrate', 'resolve', '--applied', addTag, '--json']);
      expect(resolve.code, describeRun(resolve)).toBe(0);
      expect(jsonOf(resolve)).toMatchObject({ ok: true, exitCode: 0, migration: addTag, markedAs: 'applied' });
      // As stock Prisma records it (prisma-engines, mark_migration_applied_impl): empty logs, no
      // steps, finished when it started.
      const row = (await migrationRows(project.db)).at(-1)!;
      expect(row).toMatchObject({ migration_name: addTag, checksum: sha256(tagScript), rolled_back_at: null, logs: '', applied_steps_count: 0 });
      expect(row.finished_at).not.toBeNull();
      expect(instant(row.finished_at)).toEqual(instant(row.started_at));

      const status = await project.cli(['migrate', 'status', '--json']);
      expect(status.code, describeRun(status)).toBe(0);
      expect(jsonOf(status)).toMatchObject({ ok: true, exitCode: 0, hasMigrationsTable: true, missing: [], migrations: [init, addPost, addTag].map((name) => ({ name, state: 'applied' })) });
    });

    it('db push stops before data loss and names --accept-data-loss; with it, the push goes ahead and diff --exit-code finds nothing', async () => {
      const withoutEmail = USER_MODEL.replace(/\n\s*email .*/, '');
      project.setModels(`${withoutEmail}\n\n${POST_MODEL}\n\n${TAG_MODEL}`);
      const before = await databaseSnapshot(project.db);
      const refused = await project.cli(['db', 'push']);
      expect(refused.code, describeRun(refused)).not.toBe(0);
      expect(refused.stderr).toContain('--accept-data-loss');
      expect(refused.stderr).toContain('email');
      expect(await databaseSnapshot(project.db)).toEqual(before);

      const push = await project.cli(['db', 'push', '--accept-data-loss', '--json']);
      expect(push.code, describeRun(push)).toBe(0);
      expect(jsonOf(push)).toMatchObject({ ok: true, exitCode: 0, reset: false });
      expect(await columnNames(project.db, 'User')).toEqual(['id']);
      expect(await project.db.query('SELECT "id" FROM "User"')).toHaveLength(2);

      // The database now matches the schema exactly: diff has nothing to say and exits 0.
      const diff = await project.cli(['migrate', 'diff', '--from-schema', schemaArg, '--to-config-datasource', '--exit-code']);
      expect(diff.code, describeRun(diff)).toBe(0);
      expect(diff.stdout).toContain('No difference detected.');
    });

    it('db push --force-reset empties the database, then pushes the schema', async () => {
      const push = await project.cli(['db', 'push', '--force-reset']);
      expect(push.code, describeRun(push)).toBe(0);
      expect(await tableNames(project.db)).toEqual(['Post', 'Tag', 'User']);
      expect(await project.db.query('SELECT "id" FROM "User"')).toEqual([]);
    });

    it('migrate reset refuses without --force when nobody can answer, and changes nothing', async () => {
      const before = await databaseSnapshot(project.db);
      const reset = await project.cli(['migrate', 'reset']);
      expect(reset.code, describeRun(reset)).not.toBe(0);
      expect(output(reset)).toContain('--force');
      expect(await databaseSnapshot(project.db)).toEqual(before);
    });

    it('migrate reset --force drops everything and re-applies every migration', async () => {
      await project.db.exec(`INSERT INTO "User" ("id") VALUES (1)`);
      const reset = await project.cli(['migrate', 'reset', '--force', '--json']);
      expect(reset.code, describeRun(reset)).toBe(0);
      expect(jsonOf(reset)).toMatchObject({ ok: true, exitCode: 0, applied: [init, addPost, addTag].map((name) => ({ name })) });
      expect(await tableNames(project.db)).toEqual(['Post', 'Tag', 'User', '_prisma_migrations']);
      expect(await columnNames(project.db, 'User')).toEqual(['email', 'id']);
      expect(await project.db.query('SELECT "id" FROM "User"')).toEqual([]);
      const rows = await migrationRows(project.db);
      expect(rows.map((r) => r.migration_name)).toEqual([init, addPost, addTag]);
      expect(rows.every((r) => r.finished_at !== null && r.rolled_back_at === null)).toBe(true);
    });
  });
}
