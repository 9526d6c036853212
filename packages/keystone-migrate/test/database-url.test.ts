// The database keystone-migrate works on is the one the Keystone project uses, found where
// Keystone projects keep it (src/source.ts databaseUrls), not only in DATABASE_URL.
import { afterAll, describe, expect, it } from 'vitest';
import { describeRun } from './helpers/cli.js';
import { createKeystoneProject, type KeystoneTestProject, keystoneConfig, migrationRows, type Provider } from './helpers/project.js';

const PROVIDERS: Provider[] = ['sqlite', 'postgresql'];
const NO_DATABASE_URL = { DATABASE_URL: undefined };

describe.each(PROVIDERS)('the database URL of a Keystone project on %s', (provider) => {
  const projects: KeystoneTestProject[] = [];
  afterAll(async () => {
    await Promise.all(projects.map((p) => p.remove()));
  });

  it("db.url in keystone.ts (Keystone 6.1-7's setting) is used without DATABASE_URL: create, then deploy applies there", async () => {
    const project = await createKeystoneProject(provider, '');
    projects.push(project);
    project.writeKeystone(keystoneConfig(provider).replace(`provider: '${provider}',`, `provider: '${provider}',\n    url: '${project.db.url}',`));

    const created = await project.cli(['create', '--name', 'init'], NO_DATABASE_URL);
    expect(created.code, describeRun(created)).toBe(0);
    const deployed = await project.cli(['deploy'], NO_DATABASE_URL);

    expect(deployed.code, describeRun(deployed)).toBe(0);
    expect(await migrationRows(project.db)).toEqual([{ name: project.migrationNames()[0], finished: true, rolledBack: false }]);
  });

  it.runIf(provider === 'postgresql')("the PostgreSQL adapter's connection string (what Keystone 8 connects with) is used without DATABASE_URL", async () => {
    const project = await createKeystoneProject(provider, '');
    projects.push(project);
    project.writeKeystone(keystoneConfig(provider).replace('connectionString: process.env.DATABASE_URL!', `connectionString: '${project.db.url}'`));

    const created = await project.cli(['create', '--name', 'init'], NO_DATABASE_URL);
    expect(created.code, describeRun(created)).toBe(0);
    const deployed = await project.cli(['deploy'], NO_DATABASE_URL);

    expect(deployed.code, describeRun(deployed)).toBe(0);
    expect(await migrationRows(project.db)).toEqual([{ name: project.migrationNames()[0], finished: true, rolledBack: false }]);
  });

  it('without any URL, the error says where a Keystone project sets it and names no flag keystone-migrate lacks', async () => {
    const project = await createKeystoneProject(provider, keystoneConfig(provider));
    projects.push(project);

    // create needs a database server only on PostgreSQL (SQLite replays in memory); status always needs the database.
    for (const args of provider === 'postgresql' ? [['create', '--name', 'init'], ['status']] : [['status']]) {
      const run = await project.cli(args, NO_DATABASE_URL);

      expect(run.code, describeRun(run)).toBe(1);
      expect(run.stderr).toContain('MK_MISSING_URL');
      expect(run.stderr).toContain('db.url in keystone.ts');
      expect(run.stderr).not.toMatch(/--url|--shadow-database-url/);
    }
  });
});
