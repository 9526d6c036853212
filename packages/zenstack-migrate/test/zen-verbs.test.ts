import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createProjectDir, writeFile } from '@migrate-kit/test-support';
import { describe, expect, it } from 'vitest';
import { output, PROVIDERS, projectsFor, runZenMigrate, type TestProvider } from './helpers/project.js';
import { relations } from './helpers/zmodel.js';

// Issue 11, ZenStack items 9-13: what a zen user types, and the datasource settings zen honours.

function zmodel(provider: TestProvider, datasourceFields: string, models = 'model Note {\n  id    Int    @id @default(autoincrement())\n  title String\n}\n'): string {
  return `datasource db {\n  provider = '${provider}'\n${datasourceFields}\n}\n\n${models}`;
}

describe.each(PROVIDERS)('datasource directUrl and shadowDatabaseUrl on %s', (provider) => {
  const newProject = projectsFor(provider);

  // Prisma 6 rules, which the ZModel datasource inherits: migrations go through directUrl, the
  // pooled url is the app's. Here url points where nothing answers (port 1; on SQLite a folder that
  // does not exist), so any use of it fails.
  it('migrate dev and status connect through directUrl, never the url; the shadow database comes from shadowDatabaseUrl', async () => {
    const project = await newProject();
    const shadow = await project.createDatabase('shadow');
    const unreachable = provider === 'sqlite' ? "'file:./no-such-folder/app.db'" : "'postgresql://postgres@127.0.0.1:1/pooler'";
    project.write('zenstack/schema.zmodel', zmodel(provider, `  url = ${unreachable}\n  directUrl = env('DIRECT_URL')\n  shadowDatabaseUrl = env('SHADOW_URL')`));
    const env = { DIRECT_URL: project.db.url, SHADOW_URL: shadow.url };

    const dev = await project.run(['migrate', 'dev', '--name', 'init'], { env });
    expect(dev.code, output(dev)).toBe(0);
    expect(await relations(project, 'table')).toContain(provider === 'sqlite' ? 'Note' : 'public.Note');
    const status = await project.run(['migrate', 'status'], { env });
    expect(status.code, output(status)).toBe(0);
    expect(status.stdout).toContain('Database schema is up to date');
    expect(existsSync(join(project.zenstackDir, 'no-such-folder'))).toBe(false);
    // The configured shadow database was the one replayed on (SQLite: the file exists, emptied).
    if (provider === 'sqlite') expect(shadow.exists()).toBe(true);
  });
});

describe('zen migrate flags', () => {
  const newProject = projectsFor('sqlite');

  it('--random-prisma-schema-name is accepted (a no-op) on every migrate verb and db push', async () => {
    const project = await newProject();
    project.write('zenstack/schema.zmodel', zmodel('sqlite', "  url = 'file:./dev.db'"));
    for (const args of [['migrate', 'dev', '--name', 'init'], ['migrate', 'deploy'], ['migrate', 'status'], ['migrate', 'reset', '--force'], ['db', 'push']]) {
      const run = await project.run([...args, '--random-prisma-schema-name']);
      expect(run.code, `${args.join(' ')}\n${output(run)}`).toBe(0);
    }
    const resolve = await project.run(['migrate', 'resolve', '--rolled-back', project.migrationFolders()[0]!, '--random-prisma-schema-name']);
    // Not a failed migration: refused as Prisma refuses it (P3012), not as an unknown flag.
    expect(output(resolve)).not.toContain('unknown option');
    expect(readdirSync(project.dir)).not.toContainEqual(expect.stringMatching(/^~schema/));
  });

  // zen (cli 3.9.4, actions/migrate.ts) writes its temporary schema into dirname(--migrations),
  // resolved against the working folder, and Prisma takes the `migrations` folder beside it. So
  // `--migrations db/history` means `db/migrations`, from the working folder, not the schema's.
  it('--migrations <path> is the "migrations" folder beside the path, relative to the working folder, as under zen', async () => {
    const project = await newProject();
    project.write('zenstack/schema.zmodel', zmodel('sqlite', "  url = 'file:./dev.db'"));
    const dev = await project.run(['migrate', 'dev', '--name', 'init', '--migrations', 'db/history']);
    expect(dev.code, output(dev)).toBe(0);
    expect(existsSync(join(project.dir, 'db', 'migrations', 'migration_lock.toml'))).toBe(true);
    expect(existsSync(join(project.dir, 'db', 'history'))).toBe(false);
    expect(dev.stderr).toContain('so the migrations are in db/migrations');

    // The same folder named the usual way, from a subfolder: no warning.
    mkdirSync(join(project.dir, 'src'));
    const status = await project.run(['migrate', 'status', '--schema', '../zenstack/schema.zmodel', '--migrations', '../db/migrations'], { cwd: join(project.dir, 'src') });
    expect(status.code, output(status)).toBe(0);
    expect(status.stdout).toContain('1 migration found');
    expect(status.stderr).not.toContain('so the migrations are in');
  });
});

describe("zen's other verbs run the project's zen CLI (@zenstackhq/cli), on this Node too", () => {
  const newProject = projectsFor('sqlite');

  it(`check, format and generate run zen (Node ${process.versions.node}: zen alone crashes on Object.groupBy before 21)`, async () => {
    const project = await newProject();
    project.write('zenstack/schema.zmodel', zmodel('sqlite', "  url = 'file:./dev.db'", 'model Note {\n  id Int @id @default(autoincrement())\n      title String\n}\n'));
    const check = await project.run(['check', '--no-version-check']);
    expect(check.code, output(check)).toBe(0);
    expect(check.stdout).toContain('Schema validation completed successfully');

    const format = await project.run(['format', '--no-version-check']);
    expect(format.code, output(format)).toBe(0);
    expect(project.read('zenstack/schema.zmodel')).toMatch(/\n {4}title +String\n/);

    const generate = await project.run(['generate', '--no-version-check', '--silent']);
    expect(generate.code, output(generate)).toBe(0);
    expect(project.read('zenstack/schema.ts')).toContain('Note');

    project.write('zenstack/schema.zmodel', zmodel('sqlite', "  url = 'file:./dev.db'", 'model Note {\n  id Int @id\n  owner User\n}\n'));
    const bad = await project.run(['check', '--no-version-check']);
    expect(bad.code).toBe(1);
    expect(output(bad)).toContain('Schema validation failed');
  });

  it('db seed runs zenstack.seed with the arguments after --, as zen does', async () => {
    const project = await newProject({ zenstack: { seed: 'node seed.cjs' } });
    project.write('zenstack/schema.zmodel', zmodel('sqlite', "  url = 'file:./dev.db'"));
    project.write('seed.cjs', "require('node:fs').writeFileSync('seed-args.json', JSON.stringify(process.argv.slice(2)));\n");
    const run = await project.run(['db', 'seed', '--no-version-check', '--', '--users', '10']);
    expect(run.code, output(run)).toBe(0);
    expect(JSON.parse(project.read('seed-args.json'))).toEqual(['--users', '10']);
  });

  it('without @zenstackhq/cli in the project: a clear message naming the package, exit 1', async () => {
    const dir = createProjectDir('zen-no-cli-', tmpdir());
    try {
      writeFile(join(dir, 'package.json'), '{"name":"no-cli"}');
      writeFile(join(dir, 'zenstack', 'schema.zmodel'), zmodel('sqlite', "  url = 'file:./dev.db'"));
      const run = await runZenMigrate(['generate'], { cwd: dir });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('MK_ZEN_NOT_INSTALLED');
      expect(run.stderr).toContain('npm install --save-dev @zenstackhq/cli@');
      expect(run.stderr).not.toMatch(/\n\s+at /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the seed after migrate reset, as zen runs it', () => {
  const newProject = projectsFor('sqlite');

  // zen runs `zenstack.seed` with execa's execaCommand: in the working folder of the command, split
  // on spaces, no shell (so `$HOME` stays as written).
  it('runs in the working folder, the command split on spaces without a shell', async () => {
    const project = await newProject({ zenstack: { schema: 'zenstack/schema.zmodel', seed: 'node seed.cjs $HOME two\\ words' } });
    project.write('zenstack/schema.zmodel', zmodel('sqlite', "  url = 'file:./dev.db'"));
    const src = join(project.dir, 'src');
    project.write('src/seed.cjs', "require('node:fs').writeFileSync('seeded.json', JSON.stringify({ cwd: process.cwd(), args: process.argv.slice(2) }));\n");
    const run = await project.run(['migrate', 'reset', '--force'], { cwd: src });
    expect(run.code, output(run)).toBe(0);
    expect(JSON.parse(readFileSync(join(src, 'seeded.json'), 'utf8'))).toEqual({ cwd: src, args: ['$HOME', 'two words'] });
  });

  it("a failing seed fails the reset with exit 1 and zen's message; --json says ok: false", async () => {
    const project = await newProject({ zenstack: { seed: 'node seed.cjs' } });
    project.write('zenstack/schema.zmodel', zmodel('sqlite', "  url = 'file:./dev.db'"));
    project.write('seed.cjs', "console.error('seed: no users table'); process.exit(3);\n");
    const run = await project.run(['migrate', 'reset', '--force']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('seed: no users table');
    expect(run.stderr).toContain('Command failed with exit code 3: node seed.cjs');
    expect(run.stderr).toContain('Failed to seed the database. Please check the error message above for details.');

    const json = await project.run(['migrate', 'reset', '--force', '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, exitCode: 1, error: { code: 'MK_SEED_FAILED' } });
  });
});

describe('what ZenStack drops without a word', () => {
  const newPg = projectsFor('postgresql');
  const newSqlite = projectsFor('sqlite');

  it("warns that defaultSchema does not reach the database: the tables go to public while ZenStack's ORM queries the other schema", async () => {
    const project = await newPg();
    project.write('zenstack/schema.zmodel', zmodel('postgresql', "  url = env('DATABASE_URL')\n  defaultSchema = 'app'"));
    const push = await project.run(['db', 'push']);
    expect(push.code, output(push)).toBe(0);
    expect(push.stderr).toContain(`defaultSchema = 'app' is not passed on by ZenStack's generator: the tables are created in schema "public"`);
    expect(await relations(project, 'table')).toEqual(['public.Note']);

    // With `schemas`, ZenStack puts the models in defaultSchema itself: nothing to warn about.
    project.write('zenstack/schema.zmodel', zmodel('postgresql', "  url = env('DATABASE_URL')\n  defaultSchema = 'app'\n  schemas = ['app']"));
    const again = await project.run(['db', 'push', '--accept-data-loss']);
    expect(again.code, output(again)).toBe(0);
    expect(again.stderr).not.toContain('defaultSchema');
  });

  it('MK_ZMODEL promises file:line:column only when the errors carry one', async () => {
    const project = await newSqlite();
    const twoAuth = 'model A {\n  id Int @id\n  @@auth\n}\n\nmodel B {\n  id Int @id\n  @@auth\n}\n';
    project.write('zenstack/schema.zmodel', zmodel('sqlite', "  url = 'file:./dev.db'", twoAuth));
    const unlocated = await project.run(['db', 'push']);
    expect(unlocated.code).toBe(1);
    expect(unlocated.stderr).toContain('Multiple `@@auth` declarations are not allowed');
    expect(unlocated.stderr).not.toContain('file:line:column');

    project.write('zenstack/schema.zmodel', zmodel('sqlite', "  url = 'file:./dev.db'", 'model A {\n  id Int @id\n  owner Nope\n}\n'));
    const located = await project.run(['db', 'push']);
    expect(located.code).toBe(1);
    expect(located.stderr).toMatch(/schema\.zmodel:\d+:\d+ - /);
    expect(located.stderr).toContain('file:line:column');
  });
});
