// `prisma-migrate migrate hash` and `migrate deploy --dry-run` (not prisma verbs): the integrity
// file migrate dev writes, deploy's refusal naming this CLI's hash verb, and the dry run's list.
// Real databases, the built CLI; the behaviour itself is tested in migrate-core.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeRun, jsonOf } from './helpers/cli.js';
import { migrationRows, PROVIDERS } from './helpers/database.js';
import { migrationFolders, POST_MODEL, projectsFor, USER_MODEL } from './helpers/project.js';

describe.each(PROVIDERS)('prisma-migrate migrate hash and deploy --dry-run on %s', (provider) => {
  const newProject = projectsFor();

  it('dev writes migrate-kit.sum; an edit stops deploy naming `prisma-migrate migrate hash`; hash accepts it; --dry-run lists what deploy then applies', async () => {
    const project = await newProject({ style: 'config', provider });
    project.setModels(USER_MODEL);
    const dev = await project.cli(['migrate', 'dev', '--name', 'init']);
    expect(dev.code, describeRun(dev)).toBe(0);
    project.setModels(`${USER_MODEL}\n${POST_MODEL}`);
    const created = await project.cli(['migrate', 'dev', '--name', 'post', '--create-only']);
    expect(created.code, describeRun(created)).toBe(0);
    expect(created.stdout).toContain('prisma-migrate migrate hash');
    const [init, post] = migrationFolders(project.migrationsDir);
    expect(readFileSync(join(project.migrationsDir, 'migrate-kit.sum'), 'utf8').split('\n').slice(1, 3).map((l) => l.split(' ')[0])).toEqual([init, post]);

    writeFileSync(join(project.migrationsDir, post!, 'migration.sql'), `${readFileSync(join(project.migrationsDir, post!, 'migration.sql'), 'utf8')}\n-- reviewed\n`);
    const refused = await project.cli(['migrate', 'deploy']);
    expect(refused.code, describeRun(refused)).toBe(1);
    expect(refused.stderr).toContain(`\`${post}\` was edited`);
    expect(refused.stderr).toContain('prisma-migrate migrate hash');
    const hash = await project.cli(['migrate', 'hash']);
    expect(hash.code, describeRun(hash)).toBe(0);

    const rowsBefore = await migrationRows(project.db);
    const dry = await project.cli(['migrate', 'deploy', '--dry-run', '--json']);
    expect(dry.code, describeRun(dry)).toBe(0);
    expect(jsonOf(dry)).toMatchObject({ dryRun: true, pending: [post], integrity: { state: 'ok', migrations: 2 } });
    expect(await migrationRows(project.db)).toEqual(rowsBefore);
    const deploy = await project.cli(['migrate', 'deploy', '--json']);
    expect((jsonOf(deploy).applied as { name: string }[]).map((m) => m.name)).toEqual([post]);
  });
});
