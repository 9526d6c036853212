import { rmSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { folderSnapshot, makeTmpDir, output, PROVIDERS, projectsFor, runZenMigrate, type ZenProject } from './helpers/project.js';
import { baseZModel, databaseSnapshot, schemaZModel, writeZenSchema } from './helpers/zmodel.js';

// Bad input gets a clear error and a non-zero exit, and leaves the migrations folder and the
// database as they were. Each case breaks a project that has one applied migration.
describe.each(PROVIDERS)('bad input on %s', (provider) => {
  const newProject = projectsFor(provider);
  let project: ZenProject;
  let before: { folder: Record<string, string>; database: unknown };

  const expectNothingChanged = async () => {
    expect(folderSnapshot(project.zenstackDir)).toEqual(before.folder);
    expect(await databaseSnapshot(project)).toEqual(before.database);
  };

  beforeAll(async () => {
    project = await newProject();
    writeZenSchema(project);
    const init = await project.run(['migrate', 'dev', '--name', 'init']);
    expect(init.code, output(init)).toBe(0);
    before = { folder: folderSnapshot(project.zenstackDir), database: await databaseSnapshot(project) };
  });

  it('a ZModel warning (a generator block, which ZenStack does not use) is printed, as zen prints it, and the command goes on', async () => {
    project.write('zenstack/schema.zmodel', `${schemaZModel(provider)}\ngenerator client {\n  provider = "prisma-client-js"\n}\n`);
    const run = await project.run(['migrate', 'status']);
    expect(run.code, output(run)).toBe(0);
    expect(run.stderr).toContain('"generator" is not used by ZenStack and should be removed.');
    writeZenSchema(project);
    await expectNothingChanged();
  });

  it('a ZModel syntax error in an imported file: the message names file:line:col', async () => {
    project.write('zenstack/base.zmodel', baseZModel().replace('@default(now())', '@default(now()'));
    const run = await project.run(['migrate', 'dev', '--name', 'broken']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Error: MK_ZMODEL');
    expect(run.stderr).toContain("zenstack/base.zmodel:4:3 - Expecting token of type ')' but found `updatedAt`.");
    project.write('zenstack/base.zmodel', baseZModel());
    await expectNothingChanged();
  });

  it('an unresolved reference (--json: the errors as data, nothing else on stdout)', async () => {
    project.write('zenstack/schema.zmodel', schemaZModel(provider).replace('owner   User   @relation', 'owner   Usr    @relation'));
    const run = await project.run(['db', 'push', '--accept-data-loss', '--json']);
    expect(run.code).toBe(1);
    const body = JSON.parse(run.stdout);
    expect(body).toMatchObject({ ok: false, exitCode: 1, error: { code: 'MK_ZMODEL' } });
    expect(body.error.errors).toEqual(expect.arrayContaining([expect.stringMatching(/^zenstack\/schema\.zmodel:\d+:\d+ - Could not resolve reference to .*'Usr'/)]));
    writeZenSchema(project);
    await expectNothingChanged();
  });

  it(provider === 'sqlite' ? 'a datasource without a url' : 'a datasource url from an unset environment variable', async () => {
    if (provider === 'sqlite') {
      writeZenSchema(project, { url: null });
      const run = await project.run(['migrate', 'deploy']);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('Error: MK_MISSING_URL');
      expect(run.stderr).toMatch(/The datasource in .*schema\.zmodel has no url/);
      writeZenSchema(project);
    } else {
      // `reset --force` would drop everything: it must stop before it connects anywhere.
      const run = await project.run(['migrate', 'reset', '--force'], { env: { DATABASE_URL: '' } });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('Environment variable not found: DATABASE_URL');
      expect(run.stderr).toContain('Set DATABASE_URL in your environment or in a .env file.');
    }
    await expectNothingChanged();
  });
});

describe('no schema found', () => {
  it('without --schema, package.json settings or a default file: exit 1, naming where it looked', async () => {
    const empty = makeTmpDir();
    try {
      const run = await runZenMigrate(['migrate', 'status'], { cwd: empty });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('Error: MK_SCHEMA_NOT_FOUND');
      expect(run.stderr).toContain('Schema file not found in default locations ("./schema.zmodel" or "./zenstack/schema.zmodel").');

      const given = await runZenMigrate(['migrate', 'dev', '--schema', 'nowhere/schema.zmodel'], { cwd: empty });
      expect(given.code).toBe(1);
      expect(given.stderr).toContain('Schema file not found: nowhere/schema.zmodel');
      expect(folderSnapshot(empty)).toEqual({});
    } finally {
      rmSync(empty, { recursive: true });
    }
  });
});
