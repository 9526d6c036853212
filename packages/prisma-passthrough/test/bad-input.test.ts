import { cpSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CliRun, describeRun, jsonOf } from './helpers/cli.js';
import { databaseSnapshot, PROVIDERS, tableNames } from './helpers/database.js';
import { configFile, folderSnapshot, POST_MODEL, projectsFor, type TestProject, USER_MODEL } from './helpers/project.js';

// Bad input: a clear message that names the fix, a non-zero exit, and the database and the
// project folder as they were. The project has a pending migration, so any command that got as
// far as the database would change it (on SQLite, even create the file).
const PENDING = fileURLToPath(new URL('./fixtures/stock-prisma-history/', import.meta.url));
const UNSET_VARIABLE = 'MK_PASSTHROUGH_TEST_UNSET_URL';

describe.each(PROVIDERS)('bad input on %s', (provider) => {
  const newProject = projectsFor();
  let project: TestProject;
  let url: string;

  beforeAll(async () => {
    project = await newProject({ provider, style: 'config' });
    project.setModels(`${USER_MODEL}\n\n${POST_MODEL}`);
    cpSync(join(PENDING, provider, 'migrations', 'migration_lock.toml'), join(project.migrationsDir, 'migration_lock.toml'));
    cpSync(join(PENDING, provider, 'migrations', '20240101000000_init'), join(project.migrationsDir, '20240101000000_init'), { recursive: true });
    url = provider === 'postgresql' ? project.db.location : 'file:./dev.db';
  });

  /**
   * Breaks the project, runs the command, checks that it failed and touched neither the database
   * nor any file, and puts the project back.
   */
  async function runBroken(args: string[], breakProject: () => () => void): Promise<CliRun> {
    const database = await databaseSnapshot(project.db);
    const restore = breakProject();
    try {
      const folder = folderSnapshot(project.dir);
      const run = await project.cli(args);
      expect(run.code, describeRun(run)).not.toBe(0);
      expect(folderSnapshot(project.dir)).toEqual(folder);
      expect(await databaseSnapshot(project.db)).toEqual(database);
      return run;
    } finally {
      restore();
    }
  }

  const unchanged = () => () => undefined;
  const withConfig = (text: string) => () => {
    const original = project.read('prisma.config.ts');
    project.write('prisma.config.ts', text);
    return () => project.write('prisma.config.ts', original);
  };
  const configWithoutSchema = () => configFile({ schema: null, migrationsPath: 'prisma/migrations', url });

  it('no schema where Prisma looks: names --schema and the config key (--json: the error as JSON)', async () => {
    const run = await runBroken(['migrate', 'deploy', '--json'], () => {
      const restoreConfig = withConfig(configWithoutSchema())();
      renameSync(project.path('prisma/schema.prisma'), project.path('prisma/app.prisma'));
      return () => {
        renameSync(project.path('prisma/app.prisma'), project.path('prisma/schema.prisma'));
        restoreConfig();
      };
    });
    const json = jsonOf(run);
    expect(json).toMatchObject({ ok: false, exitCode: 1, error: { code: 'MK_SCHEMA_NOT_FOUND' } });
    expect(json.error!.message).toContain('prisma/schema.prisma');
    expect(json.error!.hint).toContain('--schema');
    expect(json.error!.hint).toContain('prisma.config.ts');
  });

  it('two schemas (prisma/schema.prisma and schema.prisma): names both and --schema', async () => {
    const run = await runBroken(['migrate', 'dev', '--name', 'next'], () => {
      const restoreConfig = withConfig(configWithoutSchema())();
      cpSync(project.path('prisma/schema.prisma'), project.path('schema.prisma'));
      return () => {
        project.remove('schema.prisma');
        restoreConfig();
      };
    });
    expect(run.stderr).toContain(project.path('prisma/schema.prisma'));
    expect(run.stderr).toContain(project.path('schema.prisma'));
    expect(run.stderr).toContain('--schema');
  });

  it('a config file with a syntax error: names the file, the place and what to fix', async () => {
    const run = await runBroken(['migrate', 'deploy'], withConfig("import { defineConfig } from 'prisma/config';\n\nexport default defineConfig({\n  schema: 'prisma/schema.prisma',\n"));
    expect(run.stderr).toContain(project.path('prisma.config.ts'));
    expect(run.stderr).toMatch(/prisma\.config\.ts:\d+:\d+/);
    expect(run.stderr).toContain('Fix the error in the config file');
  });

  it("a config whose url names an unset variable (prisma/config's env()): names the variable", async () => {
    const run = await runBroken(
      ['migrate', 'deploy'],
      withConfig(`import { defineConfig, env } from 'prisma/config';\n\nexport default defineConfig({\n  schema: 'prisma/schema.prisma',\n  datasource: { url: env('${UNSET_VARIABLE}') },\n});\n`),
    );
    expect(run.stderr).toContain(`Set ${UNSET_VARIABLE}`);
    expect(run.stderr).toContain('.env');
  });

  it('a Prisma 6-style url = env() whose variable is unset: names the variable and .env', async () => {
    const run = await runBroken(['migrate', 'deploy'], () => {
      const config = project.read('prisma.config.ts');
      const schema = project.read('prisma/schema.prisma');
      project.remove('prisma.config.ts');
      project.write('prisma/schema.prisma', schema.replace(/provider = "(\w+)"/, `provider = "$1"\n  url      = env("${UNSET_VARIABLE}")`));
      return () => {
        project.write('prisma.config.ts', config);
        project.write('prisma/schema.prisma', schema);
      };
    });
    expect(run.stderr).toContain(`Environment variable not found: ${UNSET_VARIABLE}`);
    expect(run.stderr).toContain('.env');
  });

  it('an unknown flag: refused, with the flag that was meant', async () => {
    const run = await runBroken(['migrate', 'dev', '--nmae', 'next'], unchanged);
    expect(run.stderr).toContain("unknown option '--nmae'");
    expect(run.stderr).toContain('--name');
  });

  it('--from-url (the Prisma 6 spelling): refused, naming --from-config-datasource', async () => {
    const run = await runBroken(['migrate', 'diff', '--from-url', url, '--to-schema', 'prisma/schema.prisma', '--script', '-o', 'diff.sql'], unchanged);
    expect(run.stderr).toContain('`--from-url` was removed');
    expect(run.stderr).toContain('--from-config-datasource');
  });

  it('the same project, left as it was, deploys (so the commands above would have changed the database)', async () => {
    const deploy = await project.cli(['migrate', 'deploy']);
    expect(deploy.code, describeRun(deploy)).toBe(0);
    expect(await tableNames(project.db)).toEqual(['User', '_prisma_migrations']);
  });
});
