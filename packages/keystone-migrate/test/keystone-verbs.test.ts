// The verbs as Keystone's documentation names them: `keystone migrate generate|deploy|check` (the
// upcoming docs) and `keystone migrate create|apply` (6.1-7), besides keystone-migrate's short forms.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRun, jsonOf } from './helpers/cli.js';
import { createKeystoneProject, type KeystoneTestProject, keystoneConfig, migrationRows, type Provider } from './helpers/project.js';

const PROVIDERS: Provider[] = ['sqlite', 'postgresql'];

describe('keystone-migrate --help', () => {
  it("shows each of Keystone's spellings on the line of the verb it names", async () => {
    const project = await createKeystoneProject('sqlite', keystoneConfig('sqlite'));
    try {
      const run = await project.cli(['--help']);

      expect(run.code, describeRun(run)).toBe(0);
      expect(run.stdout).toMatch(/^ {2}create\|migrate generate\|migrate create \[options\] +Generate a migration/m);
      expect(run.stdout).toMatch(/^ {2}apply\|migrate apply \[options\] +Apply pending migrations to the development database/m);
      expect(run.stdout).toMatch(/^ {2}deploy\|migrate deploy \[options\] +Apply pending migrations, non-interactively/m);
      expect(run.stdout).toMatch(/^ {2}check\|migrate check \[options\] +Exit 1/m);
      // The `migrate` group is not a verb of its own in the list.
      expect(run.stdout).not.toMatch(/^ {2}migrate \[options\]/m);
    } finally {
      await project.remove();
    }
  });
});

describe.each(PROVIDERS)("Keystone's migrate verbs on %s", (provider) => {
  let project: KeystoneTestProject;
  beforeAll(async () => {
    project = await createKeystoneProject(provider, keystoneConfig(provider));
  });
  afterAll(async () => {
    await project?.remove();
  });

  it('migrate generate writes the migration, migrate check passes, migrate deploy applies it', async () => {
    const generated = await project.cli(['migrate', 'generate', '--name', 'init']);
    expect(generated.code, describeRun(generated)).toBe(0);
    const [init] = project.migrationNames();
    expect(init).toMatch(/^\d{14}_init$/);
    expect(generated.stdout).toContain(`✨ Generated SQL migration at migrations/${init}/migration.sql`);

    const checked = await project.cli(['migrate', 'check', '--json']);
    expect(checked.code, describeRun(checked)).toBe(0);
    expect(jsonOf(checked)).toMatchObject({ ok: true, upToDate: true });

    const deployed = await project.cli(['migrate', 'deploy']);
    expect(deployed.code, describeRun(deployed)).toBe(0);
    expect(deployed.stdout).toContain('All migrations have been successfully applied.');
    expect(await migrationRows(project.db)).toEqual([{ name: init, finished: true, rolledBack: false }]);
  });

  it('migrate create (6.1-7) writes the next migration and migrate apply applies it', async () => {
    project.writeKeystone(keystoneConfig(provider, { authorFields: 'bio: text(),' }));

    const created = await project.cli(['migrate', 'create', '--name', 'add_bio']);
    expect(created.code, describeRun(created)).toBe(0);
    const addBio = project.migrationNames()[1]!;
    expect(addBio).toMatch(/^\d{14}_add_bio$/);

    const applied = await project.cli(['migrate', 'apply']);
    expect(applied.code, describeRun(applied)).toBe(0);
    expect(applied.stdout).toContain('✨ Database migrated');
    expect((await migrationRows(project.db)).map((r) => r.name)).toEqual([project.migrationNames()[0], addBio]);
  });
});
