// `keystone-migrate deploy --check-drift` and `status --drift` (bare verbs): `apply` writes the
// schema snapshot beside the last migration, and a table added by hand is then reported by name.
// The behaviour itself is tested in migrate-core (test/drift.test.ts).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeRun, jsonOf } from './helpers/cli.js';
import { createKeystoneProject, type KeystoneTestProject, keystoneConfig, type Provider } from './helpers/project.js';

const PROVIDERS: Provider[] = ['sqlite', 'postgresql'];

describe.each(PROVIDERS)('keystone-migrate deploy --check-drift on %s', (provider) => {
  const projects: KeystoneTestProject[] = [];
  afterAll(async () => {
    await Promise.all(projects.map((p) => p.remove()));
  });

  it('apply writes the snapshot; deploy --check-drift --fail-on-drift and status --drift report a table added by hand', async () => {
    const project = await createKeystoneProject(provider, keystoneConfig(provider));
    projects.push(project);
    expect((await project.cli(['create', '--name', 'init'])).code).toBe(0);
    const applied = await project.cli(['apply']);
    expect(applied.code, describeRun(applied)).toBe(0);
    const [name] = project.migrationNames();
    expect(existsSync(join(project.dir, 'migrations', name!, 'migrate-kit.snapshot.json'))).toBe(true);
    const clean = await project.cli(['deploy', '--check-drift', '--fail-on-drift', '--json']);
    expect(clean.code, describeRun(clean)).toBe(0);
    expect(jsonOf(clean).drift).toMatchObject({ state: 'clean', migration: name });

    await project.db.execute('CREATE TABLE "Audit" ("id" INTEGER NOT NULL PRIMARY KEY)');
    const drifted = await project.cli(['deploy', '--check-drift', '--fail-on-drift']);
    const status = await project.cli(['status', '--drift', '--json']);

    expect(drifted.code, describeRun(drifted)).toBe(1);
    expect(drifted.stdout).toContain('[+] table Audit added');
    expect(jsonOf(status).drift).toMatchObject({ state: 'drifted', differences: [{ object: 'table', name: 'Audit', change: 'added' }] });
  }, 240_000);
});
