// `keystone-migrate dev` takes every flag its own messages name: the data-loss question of a
// migration the withMigrations plugin (`useMigrations`) generates inside `keystone dev` names
// `keystone-migrate dev --accept-data-loss`, and that flag is accepted and handed on.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnNodeCli } from '@migrate-kit/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, describeRun, jsonOf, output } from './helpers/cli.js';
import { createKeystoneProject, type KeystoneTestProject, keystoneConfig, migrationRows } from './helpers/project.js';

const ESBUILD_KEYSTONE_TS = "export default (config: { external?: string[] }) => ({ ...config, external: [...(config.external ?? []), '@migrate-kit/*'] });\n";

/** The test config with withMigrations({ useMigrations: true }); without Author.email when `dropEmail`. */
function devConfig(dropEmail: boolean): string {
  const config = keystoneConfig('sqlite', { plugin: true }).replace("?? 'apply' })", "?? 'apply', useMigrations: true })");
  return dropEmail ? config.replace("email: text({ isIndexed: 'unique' }),", '') : config;
}

describe('keystone-migrate dev and the flags its messages name (SQLite)', () => {
  let project: KeystoneTestProject;
  beforeAll(async () => {
    project = await createKeystoneProject('sqlite', devConfig(false), { linkPackage: true });
    writeFileSync(join(project.dir, 'esbuild.keystone.ts'), ESBUILD_KEYSTONE_TS);
    const created = await project.cli(['create', '--name', 'init']);
    expect(created.code, describeRun(created)).toBe(0);
  }, 120_000);
  afterAll(async () => {
    await project?.remove();
  });

  it('takes --accept-data-loss (with --json it applies the pending migrations and starts nothing)', async () => {
    const run = await project.cli(['dev', '--accept-data-loss', '--json']);

    expect(run.code, describeRun(run)).toBe(0);
    expect(jsonOf(run)).toMatchObject({ ok: true, applied: [{ name: project.migrationNames()[0] }] });
  });

  it('inside keystone dev, a change that drops data asks; without a TTY the refusal names `keystone-migrate dev --accept-data-loss`', async () => {
    await project.db.execute(`INSERT INTO "authors" ("full_name", "email") VALUES ('Ada', 'ada@example.com')`);
    project.writeKeystone(devConfig(true));

    const run = await project.cli(['dev', '--name', 'drop_email'], { PORT: '0' });

    expect(run.code, describeRun(run)).not.toBe(0);
    expect(output(run)).toContain('You are about to drop the column `email` on the `authors` table, which still contains 1 non-null values.');
    expect(output(run)).toContain('Hint: Start it with `keystone-migrate dev --accept-data-loss`');
    expect(project.migrationNames()).toHaveLength(1);
  }, 180_000);

  it('with --accept-data-loss, keystone dev generates and applies the migration', async () => {
    const dev = spawnNodeCli([BIN, 'dev', '--name', 'drop_email', '--accept-data-loss'], {
      cwd: project.dir,
      env: { ...project.env, PORT: '0' },
      notInherited: ['DATABASE_URL'],
      timeoutMs: 180_000,
    });
    let seen = '';
    dev.child.stdout.on('data', (d) => {
      seen += d;
      if (seen.includes('✨ Generated and applied migration')) dev.child.kill('SIGTERM');
    });
    const run = await dev.exited;

    expect(run.stdout, describeRun(run)).toContain('✨ Generated and applied migration');
    const [, dropEmail] = project.migrationNames();
    expect(dropEmail).toMatch(/^\d{14}_drop_email$/);
    expect((await migrationRows(project.db)).map((r) => r.name)).toEqual(project.migrationNames());
  }, 180_000);
});
