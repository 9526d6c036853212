// `keystone-migrate hash` and `keystone-migrate deploy --dry-run` (not Keystone verbs): create
// writes migrations/migrate-kit.sum, deploy refuses an edited migration naming this CLI's hash
// verb, and the dry run lists what deploy then applies. The behaviour itself is tested in migrate-core.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { migrationFolders } from '@migrate-kit/test-support';
import { afterAll, describe, expect, it } from 'vitest';
import { describeRun, jsonOf } from './helpers/cli.js';
import { createKeystoneProject, type KeystoneTestProject, keystoneConfig, migrationRows, type Provider } from './helpers/project.js';

const PROVIDERS: Provider[] = ['sqlite', 'postgresql'];

describe.each(PROVIDERS)('keystone-migrate hash and deploy --dry-run on %s', (provider) => {
  const projects: KeystoneTestProject[] = [];
  afterAll(async () => {
    await Promise.all(projects.map((p) => p.remove()));
  });

  it('create writes migrate-kit.sum; an edit stops deploy naming `keystone-migrate hash`; --dry-run lists what deploy then applies', async () => {
    const project = await createKeystoneProject(provider, keystoneConfig(provider));
    projects.push(project);
    const created = await project.cli(['create', '--name', 'init']);
    expect(created.code, describeRun(created)).toBe(0);
    const dir = join(project.dir, 'migrations');
    const [name] = migrationFolders(dir);
    expect(readFileSync(join(dir, 'migrate-kit.sum'), 'utf8').split('\n')[1]).toMatch(new RegExp(`^${name} h1:`));

    const script = join(dir, name!, 'migration.sql');
    writeFileSync(script, `${readFileSync(script, 'utf8')}\n-- reviewed\n`);
    const refused = await project.cli(['deploy']);
    expect(refused.code, describeRun(refused)).toBe(1);
    expect(refused.stderr).toContain('keystone-migrate hash');
    const hash = await project.cli(['hash']);
    expect(hash.code, describeRun(hash)).toBe(0);

    const dry = await project.cli(['deploy', '--dry-run', '--json']);
    expect(dry.code, describeRun(dry)).toBe(0);
    expect(jsonOf(dry)).toMatchObject({ dryRun: true, pending: [name], integrity: { state: 'ok', migrations: 1 } });
    expect(await migrationRows(project.db)).toEqual([]);
    const deploy = await project.cli(['deploy', '--json']);
    expect((jsonOf(deploy).applied as { name: string }[]).map((m) => m.name)).toEqual([name]);
  }, 240_000);
});
