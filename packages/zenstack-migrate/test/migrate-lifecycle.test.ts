import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { output, PROVIDERS, projectsFor, type TestDatabase, type ZenProject } from './helpers/project.js';
import { columns, migrationRows, migrationTimestamp, relations, tableName, userInfoViewSql, writeZenSchema } from './helpers/zmodel.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

// One project per provider walks the whole `zen migrate` loop in order; each step starts from
// the state the previous one left, as a developer's project would.
describe.each(PROVIDERS)('zen-migrate migrate on %s', (provider) => {
  const newProject = projectsFor(provider);
  let project: ZenProject;
  const table = (model: string) => tableName(provider, model);

  beforeAll(async () => {
    // The seed writes a marker file, so that a test can tell whether `migrate reset` ran it.
    project = await newProject({ zenstack: { seed: 'node seed.cjs' } });
    project.write('seed.cjs', "require('node:fs').writeFileSync('seeded.marker', String(process.pid));\n");
    writeZenSchema(project);
  });

  it('migrate dev --name writes zenstack/migrations/<ts>_init beside the schema and applies it', async () => {
    const run = await project.run(['migrate', 'dev', '--name', 'init']);
    expect(run.code, output(run)).toBe(0);
    expect(run.stdout).toContain('Your database is now in sync with your schema.');

    const [init] = project.migrationFolders();
    expect(init).toMatch(/^\d{14}_init$/);
    expect(project.read('zenstack/migrations/migration_lock.toml')).toContain(`provider = "${provider}"`);
    const sql = project.read(`zenstack/migrations/${init}/migration.sql`);
    // ZenStack's own constructs are gone: policies and the plugin leave nothing, the view is not
    // created by the engine, the mixin's fields are columns, the delegate is a table per model.
    expect(sql).not.toMatch(/allow|deny|policy|UserInfo/i);
    expect(sql).toMatch(/CREATE TABLE "(public"\.")?Video"/);
    expect(sql).toMatch(/FOREIGN KEY \("id"\) REFERENCES "(public"\.")?Asset"/);
    if (provider === 'postgresql') {
      expect(sql).toContain('CREATE SCHEMA IF NOT EXISTS "auth"');
      expect(sql).toContain('CREATE TABLE "auth"."User"');
    }

    expect(await relations(project, 'table')).toEqual([table('Asset'), table('Tag'), table('User'), table('Video'), table('_prisma_migrations')].sort());
    expect(await relations(project, 'view')).toEqual([]);
    expect(await columns(project, table('User'))).toEqual(['createdAt', 'email', 'id', 'updatedAt']);
    expect(await columns(project, table('Asset'))).toEqual(['createdAt', 'id', 'kind', 'ownerId', 'updatedAt']);
    expect(await columns(project, table('Video'))).toEqual(['id', 'url']);
    const rows = await migrationRows(project);
    expect(rows).toEqual([expect.objectContaining({ migration_name: init, checksum: sha256(sql), finished: true, rolledBack: false })]);
  });

  it('migrate check exits 1 after a schema change, naming what the migrations lack', async () => {
    writeZenSchema(project, { videoFields: 'duration Int?' });
    const run = await project.run(['migrate', 'check']);
    expect(run.code, output(run)).toBe(1);
    expect(run.stdout).toMatch(/Video/);
    expect(run.stdout).toMatch(/duration/);
    expect(project.migrationFolders()).toHaveLength(1);
  });

  it('migrate dev --create-only writes the migration without applying it; status exits 1 while it is pending', async () => {
    const run = await project.run(['migrate', 'dev', '--create-only', '--name', 'add video duration']);
    expect(run.code, output(run)).toBe(0);
    expect(run.stdout).toContain('without applying it');
    const folders = project.migrationFolders();
    expect(folders).toHaveLength(2);
    expect(folders[1]).toMatch(/^\d{14}_add_video_duration$/);
    expect(project.read(`zenstack/migrations/${folders[1]}/migration.sql`)).toMatch(/ADD COLUMN\s+"duration" INTEGER/);
    expect(await columns(project, table('Video'))).toEqual(['id', 'url']);

    const status = await project.run(['migrate', 'status']);
    expect(status.code, output(status)).toBe(1);
    expect(status.stdout).toContain('Following migration have not yet been applied:');
    expect(status.stdout).toContain(folders[1]);
  });

  it('migrate dev applies the edited migration, view included; the engine leaves views to the migrations', async () => {
    // The engine writes no SQL for `view` declarations (they are outside Prisma Migrate's
    // diffing): the view is added by hand to the draft, as a developer does.
    const draft = join(project.migrationsDir, project.migrationFolders()[1]!, 'migration.sql');
    writeFileSync(draft, `${readFileSync(draft, 'utf8')}\n${userInfoViewSql(provider)}`);

    const run = await project.run(['migrate', 'dev']);
    expect(run.code, output(run)).toBe(0);
    expect(run.stdout).toContain('The following migration(s) have been applied:');
    expect(project.migrationFolders()).toHaveLength(2);
    expect(await columns(project, table('Video'))).toEqual(['duration', 'id', 'url']);
    expect(await relations(project, 'view')).toEqual([provider === 'sqlite' ? 'UserInfo' : 'public.UserInfo']);

    // Nothing is missing, and the hand-written view is not drift: check exits 0.
    const check = await project.run(['migrate', 'check', '--json']);
    expect(check.code, output(check)).toBe(0);
    expect(JSON.parse(check.stdout)).toEqual({ ok: true, exitCode: 0, upToDate: true, summary: '', integrity: { state: 'ok', migrations: 2 } });
  });

  let production: TestDatabase;
  it('migrate deploy applies the history to another database (DATABASE_URL)', async () => {
    production = await project.createDatabase('production');
    const run = await project.run(['migrate', 'deploy'], { env: { DATABASE_URL: production.url } });
    expect(run.code, output(run)).toBe(0);
    expect(run.stdout).toContain('2 migrations found in zenstack/migrations');
    expect(run.stdout).toContain('All migrations have been successfully applied.');
    if (provider === 'sqlite') expect(existsSync(join(project.zenstackDir, 'production.db'))).toBe(true);
    expect((await migrationRows(project, production)).map((r) => r.migration_name)).toEqual(project.migrationFolders());
    expect(await columns(project, table('Video'), production)).toEqual(['duration', 'id', 'url']);
    expect(await relations(project, 'view', production)).toHaveLength(1);
  });

  // A data migration that fails on this database (a row it inserts exists already) but replays
  // cleanly on an empty one (shadow database, reset).
  let seedTags: string;
  it('migrate deploy stops at a failing migration; status exits 1 and names it', async () => {
    seedTags = `${migrationTimestamp(new Date(Date.now() + 60_000))}_seed_tags`;
    project.write(`zenstack/migrations/${seedTags}/migration.sql`, `INSERT INTO "Tag" ("name") VALUES ('featured');\n`);
    // A migration written by hand is accepted into migrate-kit.sum with hash (deploy refuses it otherwise).
    expect((await project.run(['migrate', 'hash'])).code).toBe(0);
    await project.db.execute(`INSERT INTO "Tag" ("name") VALUES ('featured')`);

    const deploy = await project.run(['migrate', 'deploy']);
    expect(deploy.code, output(deploy)).toBe(1);
    expect(output(deploy)).toContain('P3018');
    expect(output(deploy)).toContain(seedTags);
    expect((await migrationRows(project)).at(-1)).toMatchObject({ migration_name: seedTags, finished: false, rolledBack: false });

    const status = await project.run(['migrate', 'status']);
    expect(status.code, output(status)).toBe(1);
    expect(status.stdout).toContain('have failed');
    expect(status.stdout).toContain(`zen-migrate migrate resolve --rolled-back "${seedTags}"`);
  });

  it('migrate resolve needs --applied or --rolled-back', async () => {
    const run = await project.run(['migrate', 'resolve']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('--applied or --rolled-back must be part of the command.');
    expect((await migrationRows(project)).at(-1)).toMatchObject({ migration_name: seedTags, finished: false, rolledBack: false });
  });

  it('migrate resolve --rolled-back, then --applied (the hotfix path); status --json exits 0', async () => {
    const rolledBack = await project.run(['migrate', 'resolve', '--rolled-back', seedTags]);
    expect(rolledBack.code, output(rolledBack)).toBe(0);
    expect(rolledBack.stdout).toContain(`Migration ${seedTags} marked as rolled back.`);
    expect((await migrationRows(project)).filter((r) => r.migration_name === seedTags)).toEqual([expect.objectContaining({ finished: false, rolledBack: true })]);

    const applied = await project.run(['migrate', 'resolve', '--applied', seedTags]);
    expect(applied.code, output(applied)).toBe(0);
    expect(applied.stdout).toContain(`Migration ${seedTags} marked as applied.`);
    const rows = (await migrationRows(project)).filter((r) => r.migration_name === seedTags);
    expect(rows).toEqual([expect.objectContaining({ rolledBack: true }), expect.objectContaining({ finished: true, rolledBack: false })]);
    // --applied records the migration; it does not run it.
    expect(await project.db.query(`SELECT name FROM "Tag"`)).toEqual([{ name: 'featured' }]);

    const status = await project.run(['migrate', 'status', '--json']);
    expect(status.code, output(status)).toBe(0);
    const body = JSON.parse(status.stdout);
    expect(body).toMatchObject({ ok: true, exitCode: 0, hasMigrationsTable: true, missing: [] });
    expect(body.migrations).toEqual(project.migrationFolders().map((name) => ({ name, state: 'applied' })));
  });

  it('migrate reset --force drops everything, re-applies every migration, then runs the zenstack.seed script', async () => {
    await project.db.execute(`INSERT INTO "Tag" ("name") VALUES ('doomed')`);
    const run = await project.run(['migrate', 'reset', '--force']);
    expect(run.code, output(run)).toBe(0);
    expect(run.stdout).toContain('Database reset successful');
    expect(run.stderr).toContain('Running seed script "node seed.cjs"');
    expect(existsSync(join(project.dir, 'seeded.marker'))).toBe(true);

    // The data migration ran again, on the emptied table.
    expect(await project.db.query(`SELECT name FROM "Tag"`)).toEqual([{ name: 'featured' }]);
    expect((await migrationRows(project)).map((r) => [r.migration_name, r.finished, r.rolledBack])).toEqual(project.migrationFolders().map((n) => [n, true, false]));
    expect(await relations(project, 'view')).toHaveLength(1);
    expect(await columns(project, table('User'))).toEqual(['createdAt', 'email', 'id', 'updatedAt']);
  });

  it('migrate reset --force --skip-seed --json does not run the seed', async () => {
    rmSync(join(project.dir, 'seeded.marker'));
    const run = await project.run(['migrate', 'reset', '--force', '--skip-seed', '--json']);
    expect(run.code, output(run)).toBe(0);
    const body = JSON.parse(run.stdout);
    expect(body).toMatchObject({ ok: true, exitCode: 0 });
    expect(body.applied.map((m: { name: string }) => m.name)).toEqual(project.migrationFolders());
    expect(existsSync(join(project.dir, 'seeded.marker'))).toBe(false);
    expect(run.stderr).not.toContain('Running seed script');
  });

  it('migrate reset without --force fails at once without a TTY, naming the flag, and keeps the data', async () => {
    const run = await project.run(['migrate', 'reset']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('--force');
    expect(await project.db.query(`SELECT name FROM "Tag"`)).toEqual([{ name: 'featured' }]);
    expect(existsSync(join(project.dir, 'seeded.marker'))).toBe(false);
  });
});
