import { existsSync, readdirSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { output, PROVIDERS, projectsFor, type ZenProject } from './helpers/project.js';
import { columns, databaseSnapshot, relations, tableName, writeZenSchema } from './helpers/zmodel.js';

describe.each(PROVIDERS)('zen-migrate db push on %s', (provider) => {
  const newProject = projectsFor(provider);
  let project: ZenProject;
  const table = (model: string) => tableName(provider, model);
  const quotedUser = provider === 'sqlite' ? '"User"' : '"auth"."User"';
  const userTables = () => [table('Asset'), table('Tag'), table('User'), table('Video')].sort();

  beforeAll(async () => {
    project = await newProject();
    writeZenSchema(project);
  });

  it('creates the schema without a migration or a migrations table; status then exits 1', async () => {
    const run = await project.run(['db', 'push']);
    expect(run.code, output(run)).toBe(0);
    expect(run.stdout).toContain('Your database is now in sync');
    expect(await relations(project, 'table')).toEqual(userTables());
    expect(await columns(project, table('User'))).toEqual(['createdAt', 'email', 'id', 'updatedAt']);
    // As with migrations, the engine creates nothing for the ZModel's `view`.
    expect(await relations(project, 'view')).toEqual([]);
    expect(existsSync(project.migrationsDir)).toBe(false);

    // A pushed database has no migration history: status exits 1.
    const status = await project.run(['migrate', 'status']);
    expect(status.code, output(status)).toBe(1);
    expect(status.stdout).toContain('No migration found in zenstack/migrations');
    expect(status.stdout).toContain('The current database is not managed by Prisma Migrate.');
  });

  it('refuses to lose data without a TTY, naming --accept-data-loss, then drops the table with it', async () => {
    await project.db.execute(`INSERT INTO "Tag" ("name") VALUES ('kept')`);
    writeZenSchema(project, { withoutTag: true });
    const before = await databaseSnapshot(project);

    const refused = await project.run(['db', 'push']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/data loss/i);
    expect(refused.stderr).toContain('--accept-data-loss');
    expect(await databaseSnapshot(project)).toEqual(before);
    expect(await project.db.query(`SELECT name FROM "Tag"`)).toEqual([{ name: 'kept' }]);

    const accepted = await project.run(['db', 'push', '--accept-data-loss']);
    expect(accepted.code, output(accepted)).toBe(0);
    expect(await relations(project, 'table')).toEqual(userTables().filter((t) => !t.endsWith('Tag')));
  });

  it('--force-reset empties the database before pushing', async () => {
    await project.db.execute(`INSERT INTO ${quotedUser} ("email", "updatedAt") VALUES ('a@example.com', CURRENT_TIMESTAMP)`);
    writeZenSchema(project);
    const run = await project.run(['db', 'push', '--force-reset']);
    expect(run.code, output(run)).toBe(0);
    expect(run.stdout).toContain('The database was successfully reset.');
    expect(await relations(project, 'table')).toEqual(userTables());
    expect(await project.db.query(`SELECT * FROM ${quotedUser}`)).toEqual([]);
  });

  // ZenStack #2491: `zen db push` wrote `zenstack/~schema.prisma` under a fixed name, so two runs
  // started together on one project (parallel test workers, a database each) overwrote each
  // other's file. (Two pushes on one PostgreSQL database are another matter: `db push` takes no
  // lock, in Prisma's native engine neither, so both may try the same CREATE TABLE.)
  it('two pushes started at the same time on one project, a database each, both succeed', async () => {
    const first = await project.createDatabase('worker1');
    const second = await project.createDatabase('worker2');
    const push = (url: string) => project.run(['db', 'push'], { env: { DATABASE_URL: url } });
    const runs = await Promise.all([push(first.url), push(second.url)]);
    for (const run of runs) expect(run.code, output(run)).toBe(0);
    for (const db of [first, second]) {
      expect(await relations(project, 'table', db)).toEqual(userTables());
      expect(await columns(project, table('Video'), db)).toEqual(['id', 'url']);
    }
    // Nothing was written beside the schema but the SQLite databases: no temporary Prisma schema.
    expect(readdirSync(project.zenstackDir).filter((f) => !/\.db(-\w+)?$/.test(f)).sort()).toEqual(['base.zmodel', 'schema.zmodel']);
  });
});
