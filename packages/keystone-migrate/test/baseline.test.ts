// keystone-migrate on a database made by `keystone dev` (a push, no migration history): `create`
// leaves the database alone (SQLite: not even created), `apply` stops with the baseline steps
// named as keystone-migrate's commands, and following them gives a managed database.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeRun, output } from './helpers/cli.js';
import { createKeystoneProject, databaseSnapshot, type KeystoneTestProject, keystoneConfig, migrationRows, type Provider } from './helpers/project.js';

const PROVIDERS: Provider[] = ['sqlite', 'postgresql'];

describe.each(PROVIDERS)('baselining a Keystone database made by push, on %s', (provider) => {
  const projects: KeystoneTestProject[] = [];
  afterAll(async () => {
    await Promise.all(projects.map((p) => p.remove()));
  });

  it('create does not create the development database (SQLite)', async () => {
    const project = await createKeystoneProject(provider, keystoneConfig(provider));
    projects.push(project);

    const run = await project.cli(['create', '--name', 'init']);

    expect(run.code, describeRun(run)).toBe(0);
    if (provider === 'sqlite') expect(existsSync(join(project.dir, 'app.db'))).toBe(false);
  });

  it('apply after push stops with P3005 naming the baseline steps; following them, apply has nothing to do and the data stays', async () => {
    const project = await createKeystoneProject(provider, keystoneConfig(provider));
    projects.push(project);
    const pushed = await project.cli(['push']);
    expect(pushed.code, describeRun(pushed)).toBe(0);
    await project.db.execute(`INSERT INTO "authors" ("full_name", "email") VALUES ('Ada', 'ada@example.com')`);
    const before = await databaseSnapshot(project.db);

    const refused = await project.cli(['apply']);

    expect(refused.code, describeRun(refused)).toBe(1);
    expect(refused.stderr).toContain('Error: P3005');
    const diffStep = `keystone-migrate diff --from-empty --to-config-datasource --script -o ${join('migrations', '0_init', 'migration.sql')}`;
    expect(refused.stderr).toContain(diffStep);
    expect(refused.stderr).toContain('keystone-migrate resolve --applied 0_init');
    expect(await databaseSnapshot(project.db)).toEqual(before);

    const diff = await project.cli(diffStep.split(' ').slice(1));
    expect(diff.code, describeRun(diff)).toBe(0);
    const resolve = await project.cli(['resolve', '--applied', '0_init']);
    expect(resolve.code, describeRun(resolve)).toBe(0);
    const apply = await project.cli(['apply']);
    expect(apply.code, output(apply)).toBe(0);
    expect(apply.stdout).toContain('✨ No database migrations to apply');
    expect(await migrationRows(project.db)).toEqual([{ name: '0_init', finished: true, rolledBack: false }]);
    expect(await project.db.query(`SELECT "full_name" FROM "authors"`)).toEqual([{ full_name: 'Ada' }]);
  }, 240_000);

  it('apply after push names `keystone-migrate baseline`; it records the first migration, and apply then has nothing to do', async () => {
    const project = await createKeystoneProject(provider, keystoneConfig(provider));
    projects.push(project);
    const pushed = await project.cli(['push']);
    expect(pushed.code, describeRun(pushed)).toBe(0);
    await project.db.execute(`INSERT INTO "authors" ("full_name", "email") VALUES ('Ada', 'ada@example.com')`);
    const refused = await project.cli(['apply']);
    expect(refused.stderr).toContain('keystone-migrate baseline');

    const run = await project.cli(['baseline']);

    expect(run.code, describeRun(run)).toBe(0);
    const folders = readdirSync(join(project.dir, 'migrations')).filter((f) => f !== 'migration_lock.toml' && f !== 'migrate-kit.sum');
    expect(folders).toHaveLength(1);
    expect(folders[0]).toMatch(/^\d{14}_init$/);
    expect(run.stdout).toContain('keystone-migrate create writes the next migration');
    expect(await migrationRows(project.db)).toEqual([{ name: folders[0], finished: true, rolledBack: false }]);
    const apply = await project.cli(['apply']);
    expect(apply.code, output(apply)).toBe(0);
    expect(apply.stdout).toContain('✨ No database migrations to apply');
    expect(await project.db.query(`SELECT "full_name" FROM "authors"`)).toEqual([{ full_name: 'Ada' }]);
  }, 240_000);
});
