// The keystone-migrate lifecycle, verb by verb, through the real CLI process on a real Keystone
// project and a real database. Shared by cli-lifecycle.sqlite.test.ts and
// cli-lifecycle.postgresql.test.ts so that the two providers run in parallel; the steps of one
// provider share a project and run in order, each picking up the state the previous one left.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRun, jsonOf, output } from './helpers/cli.js';
import {
  columnNames,
  createKeystoneProject,
  databaseSnapshot,
  type KeystoneTestProject,
  keystoneConfig,
  migrationRows,
  type Provider,
  tableNames,
  UNREACHABLE_POSTGRES_URL,
} from './helpers/project.js';

const WITH_BIO = { authorFields: 'bio: text(),' };

export function describeCliLifecycle(provider: Provider): void {
  describe(`keystone-migrate on ${provider}`, () => {
    let project: KeystoneTestProject;
    const migrationSql = (name: string) => readFileSync(join(project.dir, 'migrations', name, 'migration.sql'), 'utf8');

    beforeAll(async () => {
      project = await createKeystoneProject(provider, keystoneConfig(provider));
    });
    afterAll(async () => {
      await project?.remove();
    });

    it('create without --name, with no TTY to ask on, fails naming --name and writes nothing', async () => {
      const run = await project.cli(['create']);

      expect(run.code, describeRun(run)).toBe(1);
      expect(output(run)).toContain('Name of migration');
      expect(output(run)).toContain('--name');
      expect(existsSync(join(project.dir, 'migrations'))).toBe(false);
    });

    it('create --name init summarises the new tables and writes the SQL for every list, relationship, index, map and id kind', async () => {
      const run = await project.cli(['create', '--name', 'init']);

      expect(run.code, describeRun(run)).toBe(0);
      const [init] = project.migrationNames();
      expect(init).toMatch(/^\d{14}_init$/);
      expect(run.stdout).toContain('[+] Added tables');
      for (const table of ['authors', 'blog_posts', 'Tag', '_Post_tags', 'AuditLog']) expect(run.stdout).toContain(`  - ${table}\n`);
      expect(run.stdout).toContain(`✨ Generated SQL migration at migrations/${init}/migration.sql`);
      expect(readFileSync(join(project.dir, 'migrations', 'migration_lock.toml'), 'utf8')).toContain(`provider = "${provider}"`);

      const sql = migrationSql(init!);
      // db.map on a list and on a field
      expect(sql).toContain('CREATE TABLE "authors"');
      expect(sql).toContain('CREATE TABLE "blog_posts"');
      expect(sql).toContain('"full_name" TEXT NOT NULL');
      // db.extendPrismaSchema
      expect(sql).toContain('CREATE TABLE "AuditLog"');
      // isIndexed: 'unique' and true
      expect(sql).toContain('CREATE UNIQUE INDEX "authors_email_key" ON "authors"("email")');
      expect(sql).toContain('CREATE UNIQUE INDEX "Tag_name_key" ON "Tag"("name")');
      expect(sql).toContain('CREATE INDEX "blog_posts_title_idx" ON "blog_posts"("title")');
      // one-to-many (a foreign key, indexed) and many-to-many (the join table)
      expect(sql).toContain('CREATE INDEX "blog_posts_author_idx" ON "blog_posts"("author")');
      expect(sql).toMatch(/FOREIGN KEY \("author"\) REFERENCES "authors" ?\("id"\) ON DELETE SET NULL ON UPDATE CASCADE/);
      expect(sql).toContain('CREATE TABLE "_Post_tags"');
      // the id kinds: autoincrement (Author), uuid (Tag), cuid (Post, Keystone's default)
      if (provider === 'postgresql') {
        expect(sql).toMatch(/CREATE TABLE "authors" \(\n\s+"id" SERIAL NOT NULL/);
        expect(sql).toMatch(/CREATE TABLE "Tag" \(\n\s+"id" UUID NOT NULL/);
        expect(sql).toMatch(/CREATE TABLE "blog_posts" \(\n\s+"id" TEXT NOT NULL/);
        expect(sql).toMatch(/"B" UUID NOT NULL/);
        expect(sql).toContain('CONSTRAINT "_Post_tags_AB_pkey" PRIMARY KEY ("A","B")');
      } else {
        expect(sql).toMatch(/CREATE TABLE "authors" \(\n\s+"id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT/);
        expect(sql).toMatch(/CREATE TABLE "Tag" \(\n\s+"id" TEXT NOT NULL PRIMARY KEY/);
        expect(sql).toMatch(/CREATE TABLE "blog_posts" \(\n\s+"id" TEXT NOT NULL PRIMARY KEY/);
        expect(sql).toContain('CREATE UNIQUE INDEX "_Post_tags_AB_unique" ON "_Post_tags"("A", "B")');
      }
      // create only writes: the development database is not touched
      expect(await tableNames(project.db)).toEqual([]);
    });

    it('create with unchanged lists says "Database unchanged from Prisma schema" and writes nothing', async () => {
      const before = project.migrationsSnapshot();

      const run = await project.cli(['create', '--name', 'again']);

      expect(run.code, describeRun(run)).toBe(0);
      expect(run.stdout).toContain('✨ Database unchanged from Prisma schema');
      expect(project.migrationsSnapshot()).toEqual(before);
    });

    it('status exits 1 while the migration is pending, and --json lists it (SQLite: the database does not exist yet, P1003, and is not created)', async () => {
      const run = await project.cli(['status', '--json']);

      expect(run.code, describeRun(run)).toBe(1);
      const json = jsonOf(run);
      if (provider === 'sqlite') {
        expect(json).toMatchObject({ ok: false, exitCode: 1, error: { code: 'P1003', file: join(project.dir, 'app.db') } });
        expect(existsSync(join(project.dir, 'app.db'))).toBe(false);
        return;
      }
      expect(json).toMatchObject({ ok: true, exitCode: 1, hasMigrationsTable: false, needsBaseline: false });
      expect(json.migrations).toEqual([{ name: project.migrationNames()[0], state: 'pending' }]);
    });

    it('check exits 0 when the migrations produce the lists', async () => {
      const run = await project.cli(['check', '--json']);

      expect(run.code, describeRun(run)).toBe(0);
      expect(jsonOf(run)).toEqual({ ok: true, exitCode: 0, upToDate: true, summary: '', integrity: { state: 'ok', migrations: expect.any(Number) } });
    });

    it('apply applies it ("✨ Database migrated"), then has nothing left to apply', async () => {
      const first = await project.cli(['apply']);
      expect(first.code, describeRun(first)).toBe(0);
      expect(first.stdout).toContain('✨ Database migrated');
      expect(await tableNames(project.db)).toEqual(['AuditLog', 'Tag', '_Post_tags', '_prisma_migrations', 'authors', 'blog_posts']);
      expect(await migrationRows(project.db)).toEqual([{ name: project.migrationNames()[0], finished: true, rolledBack: false }]);

      const second = await project.cli(['apply']);
      expect(second.code, describeRun(second)).toBe(0);
      expect(second.stdout).toContain('✨ No database migrations to apply');
    });

    it('check exits 1 after a list changes, naming what the migrations lack', async () => {
      await project.db.execute(`INSERT INTO "authors" ("full_name", "email") VALUES ('Ada', 'ada@example.com')`);
      project.writeKeystone(keystoneConfig(provider, WITH_BIO));

      const run = await project.cli(['check']);

      expect(run.code, describeRun(run)).toBe(1);
      expect(run.stdout).toContain('The migrations folder does not produce the current schema.');
      // SQLite cannot add a column with a default in place: the engine redefines the table.
      expect(run.stdout).toContain(provider === 'sqlite' ? '[*] Redefined table `authors`' : '[*] Changed the `authors` table\n  [+] Added column `bio`');
      expect(run.stdout).toContain('Create the missing migration with keystone-migrate create.');
    });

    it('create --name add_bio --json writes the next migration; deploy applies it and keeps the data', async () => {
      const created = await project.cli(['create', '--name', 'add_bio', '--json']);
      expect(created.code, describeRun(created)).toBe(0);
      const addBio = project.migrationNames()[1]!;
      expect(addBio).toMatch(/^\d{14}_add_bio$/);
      expect(jsonOf(created)).toMatchObject({ ok: true, created: { name: addBio, path: join(project.dir, 'migrations', addBio, 'migration.sql') } });
      expect(migrationSql(addBio)).toMatch(provider === 'sqlite' ? /CREATE TABLE "new_authors" \([^;]*"bio" TEXT NOT NULL DEFAULT ''/ : /ALTER TABLE "authors" ADD COLUMN\s+"bio" TEXT NOT NULL DEFAULT ''/);

      const pending = await project.cli(['status']);
      expect(pending.code, describeRun(pending)).toBe(1);
      expect(pending.stdout).toContain(`Following migration have not yet been applied:\n${addBio}`);
      expect(pending.stdout).toContain('To apply migrations in development run keystone-migrate apply.\nTo apply migrations in production run keystone-migrate deploy.');

      const deployed = await project.cli(['deploy', '--json']);
      expect(deployed.code, describeRun(deployed)).toBe(0);
      expect(jsonOf(deployed)).toMatchObject({ ok: true, found: 2, applied: [{ name: addBio }] });
      expect(await columnNames(project.db, 'authors')).toContain('bio');
      expect(await project.db.query(`SELECT "full_name" FROM "authors"`)).toEqual([{ full_name: 'Ada' }]);

      const again = await project.cli(['deploy']);
      expect(again.code, describeRun(again)).toBe(0);
      expect(again.stdout).toContain('No pending migrations to apply.');
    });

    it('apply on a drifted database fails without a TTY naming --force and changes nothing; apply --force resets and applies', async () => {
      await project.db.execute('CREATE TABLE "drift" ("id" INTEGER)');
      const before = await databaseSnapshot(project.db);

      const refused = await project.cli(['apply']);
      expect(refused.code, describeRun(refused)).toBe(1);
      expect(output(refused)).toContain('Drift detected');
      expect(output(refused)).toContain('Pass --force');
      expect(await databaseSnapshot(project.db)).toEqual(before);

      const forced = await project.cli(['apply', '--force', '--json']);
      expect(forced.code, describeRun(forced)).toBe(0);
      const json = jsonOf(forced);
      expect(json.resetReason).toContain('Drift detected');
      expect(json.applied).toMatchObject(project.migrationNames().map((name) => ({ name })));
      expect(await tableNames(project.db)).not.toContain('drift');
      expect(await project.db.query(`SELECT "full_name" FROM "authors"`)).toEqual([]);
    });

    it('resolve marks a failed migration rolled back, and the hand-fixed migration applied', async () => {
      const last = project.migrationNames().at(-1)!;
      const broken = `${BigInt(last.slice(0, 14)) + 1n}_broken`;
      mkdirSync(join(project.dir, 'migrations', broken));
      writeFileSync(join(project.dir, 'migrations', broken, 'migration.sql'), 'SELECT * FROM "no_such_table";\n');
      // A migration written by hand is accepted into migrate-kit.sum with hash (deploy refuses it otherwise).
      expect((await project.cli(['hash'])).code).toBe(0);

      const failed = await project.cli(['deploy']);
      expect(failed.code, describeRun(failed)).toBe(1);
      expect(output(failed)).toContain('no_such_table');
      const status = await project.cli(['status', '--json']);
      expect(status.code, describeRun(status)).toBe(1);
      expect(jsonOf(status).migrations).toContainEqual({ name: broken, state: 'failed' });

      const rolledBack = await project.cli(['resolve', '--rolled-back', broken, '--json']);
      expect(rolledBack.code, describeRun(rolledBack)).toBe(0);
      expect(jsonOf(rolledBack)).toMatchObject({ ok: true, migration: broken, markedAs: 'rolled-back' });

      writeFileSync(join(project.dir, 'migrations', broken, 'migration.sql'), '-- fixed by hand in the database\nSELECT 1;\n');
      expect((await project.cli(['hash'])).code).toBe(0);
      const applied = await project.cli(['resolve', '--applied', broken]);
      expect(applied.code, describeRun(applied)).toBe(0);
      expect(applied.stdout).toContain(`Migration ${broken} marked as applied.`);

      const rows = (await migrationRows(project.db)).filter((r) => r.name === broken);
      expect(rows).toEqual([
        { name: broken, finished: false, rolledBack: true },
        { name: broken, finished: true, rolledBack: false },
      ]);
      const upToDate = await project.cli(['status']);
      expect(upToDate.code, describeRun(upToDate)).toBe(0);
      expect(upToDate.stdout).toContain('Database schema is up to date!');
    });

    it('diff renders the migrations as SQL, and --exit-code says whether the database matches them', async () => {
      const script = await project.cli(['diff', '--from-empty', '--to-migrations', 'migrations', '--script']);
      expect(script.code, describeRun(script)).toBe(0);
      // PostgreSQL: the engine qualifies names with the schema when it renders a replayed history.
      expect(script.stdout).toMatch(/CREATE TABLE ("public"\.)?"authors"/);
      expect(script.stdout).toContain('"bio" TEXT NOT NULL');

      const same = await project.cli(['diff', '--from-migrations', 'migrations', '--to-config-datasource', '--exit-code', '--json']);
      expect(same.code, describeRun(same)).toBe(0);
      expect(jsonOf(same)).toMatchObject({ ok: true, exitCode: 0, empty: true });
    });

    it('push stops before data loss without a TTY, naming --accept-data-loss; with it, it drops the column', async () => {
      await project.db.execute(`INSERT INTO "authors" ("full_name", "email", "bio") VALUES ('Grace', 'grace@example.com', 'admiral')`);
      project.writeKeystone(keystoneConfig(provider));

      const refused = await project.cli(['push']);
      expect(refused.code, describeRun(refused)).toBe(1);
      expect(output(refused)).toContain('`bio`');
      expect(output(refused)).toContain('Pass --accept-data-loss');
      expect(await columnNames(project.db, 'authors')).toContain('bio');

      const pushed = await project.cli(['push', '--accept-data-loss', '--json']);
      expect(pushed.code, describeRun(pushed)).toBe(0);
      expect(jsonOf(pushed)).toMatchObject({ ok: true, reset: false });
      expect(await columnNames(project.db, 'authors')).not.toContain('bio');
      expect(await project.db.query(`SELECT "full_name" FROM "authors"`)).toEqual([{ full_name: 'Grace' }]);

      const drifted = await project.cli(['diff', '--from-migrations', 'migrations', '--to-config-datasource', '--exit-code']);
      expect(drifted.code, describeRun(drifted)).toBe(2);
      expect(drifted.stdout).toContain(provider === 'sqlite' ? '[*] Redefined table `authors`' : '[-] Removed column `bio`');
    });

    it('reset refuses without a TTY naming --force; reset --force drops everything and re-applies every migration', async () => {
      const before = await databaseSnapshot(project.db);
      const refused = await project.cli(['reset', '--json']);
      expect(refused.code, describeRun(refused)).toBe(1);
      expect(jsonOf(refused)).toMatchObject({ ok: false, error: { code: 'MK_NON_INTERACTIVE', flag: '--force' } });
      expect(await databaseSnapshot(project.db)).toEqual(before);

      const reset = await project.cli(['reset', '--force']);
      expect(reset.code, describeRun(reset)).toBe(0);
      expect(reset.stdout).toContain('Database reset successful');
      expect(await columnNames(project.db, 'authors')).toContain('bio');
      expect(await project.db.query(`SELECT "full_name" FROM "authors"`)).toEqual([]);
      expect((await migrationRows(project.db)).map((r) => r.name)).toEqual(project.migrationNames());
      project.writeKeystone(keystoneConfig(provider, WITH_BIO));
    });

    it('a syntax error in keystone.ts is a clear error with its location; nothing is written or applied', async () => {
      const folder = project.migrationsSnapshot();
      const database = await databaseSnapshot(project.db);
      project.writeKeystone(`${keystoneConfig(provider, { authorFields: 'bio: text(), nickname: text(),' })}\nexport const oops = {;\n`);

      for (const args of [['create', '--name', 'nickname'], ['deploy']]) {
        const run = await project.cli(args);
        expect(run.code, describeRun(run)).toBe(1);
        expect(run.stderr).toContain('Error: MK_KEYSTONE_CONFIG');
        expect(run.stderr).toContain(`Could not load ${join(project.dir, 'keystone.ts')}`);
        expect(run.stderr).toMatch(/keystone\.ts:\d+:\d+/);
      }
      expect(project.migrationsSnapshot()).toEqual(folder);
      expect(await databaseSnapshot(project.db)).toEqual(database);
    });

    it('a config without db says so', async () => {
      project.writeKeystone(`import { config } from '@keystone-6/core';\nexport default config({ lists: {} } as any);\n`);

      const run = await project.cli(['status', '--json']);

      expect(run.code, describeRun(run)).toBe(1);
      expect(jsonOf(run)).toMatchObject({ ok: false, error: { code: 'MK_KEYSTONE_CONFIG' } });
      expect(jsonOf(run).error!.message).toContain('has no `db` configuration');
    });

    it('an unreachable database is a clear error, the password is not shown, and nothing is written or applied', async () => {
      project.writeKeystone(keystoneConfig(provider, { authorFields: 'bio: text(), nickname: text(),' }));
      const folder = project.migrationsSnapshot();
      const database = await databaseSnapshot(project.db);
      // SQLite: a folder that cannot be created (its parent is a file); `create` does not open the
      // development database at all (test/baseline.test.ts), so only deploy reaches it.
      const unreachable = provider === 'postgresql' ? UNREACHABLE_POSTGRES_URL.replace('postgres@', 'postgres:s3cret@') : `file:${join(project.dir, 'keystone.ts', 'app.db')}`;
      const reason = provider === 'postgresql' ? "Can't reach database server at `127.0.0.1:1`" : 'could not be created';
      const verbs = provider === 'postgresql' ? [['create', '--name', 'nickname'], ['deploy']] : [['deploy']];

      for (const args of verbs) {
        const run = await project.cli(args, { DATABASE_URL: unreachable });
        expect(run.code, describeRun(run)).toBe(1);
        expect(run.stderr).toContain(reason);
        expect(output(run)).not.toContain('s3cret');
      }
      expect(project.migrationsSnapshot()).toEqual(folder);
      expect(await databaseSnapshot(project.db)).toEqual(database);
    });
  });
}
