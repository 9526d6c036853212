// `zen-migrate migrate hash` and `migrate deploy --dry-run` (not zen verbs): migrate dev writes
// zenstack/migrations/migrate-kit.sum, deploy refuses an edited migration naming this CLI's hash
// verb, and the dry run lists what deploy then applies. The behaviour itself is tested in migrate-core.
import { describe, expect, it } from 'vitest';
import { output, PROVIDERS, projectsFor } from './helpers/project.js';
import { writeZenSchema } from './helpers/zmodel.js';

describe.each(PROVIDERS)('zen-migrate migrate hash and deploy --dry-run on %s', (provider) => {
  const newProject = projectsFor(provider);

  it('dev --create-only writes migrate-kit.sum; an edit stops deploy naming `zen-migrate migrate hash`; --dry-run lists what deploy then applies', async () => {
    const project = await newProject();
    writeZenSchema(project);
    const created = await project.run(['migrate', 'dev', '--name', 'init', '--create-only']);
    expect(created.code, output(created)).toBe(0);
    expect(created.stdout).toContain('zen-migrate migrate hash');
    const [name] = project.migrationFolders();
    expect(project.read('zenstack/migrations/migrate-kit.sum').split('\n')[1]).toMatch(new RegExp(`^${name} h1:`));

    const script = `zenstack/migrations/${name}/migration.sql`;
    project.write(script, `${project.read(script)}\n-- reviewed\n`);
    const refused = await project.run(['migrate', 'deploy']);
    expect(refused.code, output(refused)).toBe(1);
    expect(refused.stderr).toContain('zen-migrate migrate hash');
    const hash = await project.run(['migrate', 'hash']);
    expect(hash.code, output(hash)).toBe(0);

    const dry = await project.run(['migrate', 'deploy', '--dry-run', '--json']);
    expect(dry.code, output(dry)).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, pending: [name], integrity: { state: 'ok', migrations: 1 } });
    const deploy = await project.run(['migrate', 'deploy', '--json']);
    expect((JSON.parse(deploy.stdout).applied as { name: string }[]).map((m) => m.name)).toEqual([name]);
  });
});
