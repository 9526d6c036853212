// `prisma-migrate migrate baseline` (not a prisma verb): a database made by `db push` adopts
// migrations in one command, which `migrate dev`'s P3005 refusal names. Real databases, the built CLI.
import { describe, expect, it } from 'vitest';
import { describeRun, jsonOf } from './helpers/cli.js';
import { migrationRows, PROVIDERS } from './helpers/database.js';
import { migrationFolders, projectsFor, USER_MODEL } from './helpers/project.js';

describe.each(PROVIDERS)('prisma-migrate migrate baseline on %s', (provider) => {
  const newProject = projectsFor();

  it('after db push: dev names it, it records the first migration, and dev then finds nothing to do', async () => {
    const project = await newProject({ style: 'config', provider });
    project.setModels(USER_MODEL);
    const push = await project.cli(['db', 'push']);
    expect(push.code, describeRun(push)).toBe(0);
    await project.db.exec(`INSERT INTO "User" ("email") VALUES ('kept@example.com')`);

    const refused = await project.cli(['migrate', 'dev', '--name', 'init']);
    expect(refused.code, describeRun(refused)).toBe(1);
    expect(refused.stderr).toContain('P3005');
    expect(refused.stderr).toContain('prisma-migrate migrate baseline');

    const run = await project.cli(['migrate', 'baseline', '--json']);
    expect(run.code, describeRun(run)).toBe(0);
    const [folder, ...others] = migrationFolders(project.migrationsDir);
    expect(others).toEqual([]);
    expect(folder).toMatch(/^\d{14}_init$/);
    expect(jsonOf(run)).toMatchObject({ ok: true, migration: folder, tables: ['User'] });
    expect((await migrationRows(project.db)).map((r) => r.migration_name)).toEqual([folder]);

    const status = await project.cli(['migrate', 'status']);
    expect(status.code, describeRun(status)).toBe(0);
    const dev = await project.cli(['migrate', 'dev', '--name', 'next']);
    expect(dev.code, describeRun(dev)).toBe(0);
    expect(dev.stdout).toContain('Already in sync');
    expect(await project.db.query(`SELECT "email" FROM "User"`)).toEqual([{ email: 'kept@example.com' }]);
  });
});
