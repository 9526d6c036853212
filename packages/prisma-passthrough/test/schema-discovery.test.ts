import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeRun, jsonOf } from './helpers/cli.js';
import { migrationRows, PROVIDERS, tableNames } from './helpers/database.js';
import { migrationFolders, prismaLockFile, projectsFor, type TestProject, USER_MODEL } from './helpers/project.js';

// Where the schema and the migrations folder are, as the project's own `prisma` version finds
// them, with no config file and no --schema (read from prisma/prisma's getSchema.ts and
// directoryConfig.ts at each tag):
// - up to 6.5: the `prisma/schema` folder is a default location when the prismaSchemaFolder preview
//   feature is on, and its migrations sit beside the folder (`prisma/migrations`);
// - 6.6 to 6.x: no folder default; migrations beside the file that holds the datasource block;
// - 7: migrations in the schema's root folder (prisma.config.ts `migrations.path` wins).

const PREVIEW_GENERATOR = 'generator client {\n  provider        = "prisma-client-js"\n  previewFeatures = ["prismaSchemaFolder"]\n}\n';
const GENERATOR = 'generator client {\n  provider = "prisma-client-js"\n}\n';

/** Pins the project's installed `prisma` (what `npm install prisma@<version>` leaves in node_modules). */
function installPrisma(project: TestProject, version: string): void {
  project.write('node_modules/prisma/package.json', `${JSON.stringify({ name: 'prisma', version, bin: { prisma: 'build/index.js' } })}\n`);
}

function datasource(provider: string): string {
  return `datasource db {\n  provider = "${provider}"\n  url      = env("DATABASE_URL")\n}\n`;
}

/** SQLite: the file the test reads, by absolute path (a relative one is resolved against the file with the datasource). */
function absoluteDatabaseUrl(project: TestProject): void {
  if (project.provider === 'sqlite') project.write('.env', `DATABASE_URL="file:${project.db.location}"\n`);
}

/** A Prisma 6 project without prisma/schema.prisma: its schema only in prisma/schema/. */
function schemaFolderProject(project: TestProject, generator: string): void {
  absoluteDatabaseUrl(project);
  project.remove('prisma/schema.prisma');
  project.write('prisma/schema/schema.prisma', `${generator}\n${datasource(project.provider)}`);
  project.write('prisma/schema/user.prisma', `${USER_MODEL}\n`);
}

const createUserSql = (provider: string) =>
  provider === 'sqlite'
    ? 'CREATE TABLE "User" (\n    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,\n    "email" TEXT NOT NULL\n);\n\nCREATE UNIQUE INDEX "User_email_key" ON "User"("email");\n'
    : 'CREATE TABLE "User" (\n    "id" SERIAL NOT NULL,\n    "email" TEXT NOT NULL,\n\n    CONSTRAINT "User_pkey" PRIMARY KEY ("id")\n);\n\nCREATE UNIQUE INDEX "User_email_key" ON "User"("email");\n';

describe.each(PROVIDERS)('schema discovery on %s', (provider) => {
  const newProject = projectsFor();

  it('Prisma 6.5, prismaSchemaFolder preview: prisma/schema is found and migrate deploy applies prisma/migrations', async () => {
    const project = await newProject({ provider, style: 'env' });
    installPrisma(project, '6.5.0');
    schemaFolderProject(project, PREVIEW_GENERATOR);
    project.write('prisma/migrations/migration_lock.toml', prismaLockFile(provider));
    project.write('prisma/migrations/20240101000000_init/migration.sql', createUserSql(provider));

    const deploy = await project.cli(['migrate', 'deploy', '--json']);
    expect(deploy.code, describeRun(deploy)).toBe(0);
    expect(jsonOf(deploy)).toMatchObject({ applied: [{ name: '20240101000000_init' }] });
    expect((await migrationRows(project.db)).map((r) => r.migration_name)).toEqual(['20240101000000_init']);
    expect(await tableNames(project.db)).toEqual(['User', '_prisma_migrations']);

    const status = await project.cli(['migrate', 'status']);
    expect(status.code, describeRun(status)).toBe(0);
    expect(status.stdout).toContain('1 migration found in prisma/migrations');
    expect(existsSync(project.path('prisma/schema/migrations'))).toBe(false);
  });

  it('Prisma 6.5: prisma/schema.prisma beside the prisma/schema folder is refused, as Prisma refuses it', async () => {
    const project = await newProject({ provider, style: 'env' });
    installPrisma(project, '6.5.0');
    project.write('prisma/schema/schema.prisma', `${PREVIEW_GENERATOR}\n${datasource(provider)}\n${USER_MODEL}\n`);
    const run = await project.cli(['migrate', 'status']);
    expect(run.code, describeRun(run)).toBe(1);
    expect(run.stderr).toContain('Found Prisma Schemas at both prisma/schema.prisma and prisma/schema');
  });

  it('Prisma 6.19: the folder from package.json "prisma.schema"; migrations beside the file with the datasource block', async () => {
    const project = await newProject({ provider, style: 'env' });
    installPrisma(project, '6.19.0');
    absoluteDatabaseUrl(project);
    project.remove('prisma/schema.prisma');
    project.write('package.json', `${JSON.stringify({ name: 'app', prisma: { schema: 'prisma/schema' } })}\n`);
    project.write('prisma/schema/base/db.prisma', `${GENERATOR}\n${datasource(provider)}`);
    project.write('prisma/schema/models/user.prisma', `${USER_MODEL}\n`);

    const run = await project.cli(['migrate', 'dev', '--name', 'init']);
    expect(run.code, describeRun(run)).toBe(0);
    expect(migrationFolders(project.path('prisma/schema/base/migrations'))).toHaveLength(1);
    expect(existsSync(project.path('prisma/schema/migrations'))).toBe(false);
  });

  it('Prisma 6.19: the prisma/schema folder alone is not found (6.6 dropped that default); the error names the fix', async () => {
    const project = await newProject({ provider, style: 'env' });
    installPrisma(project, '6.19.0');
    schemaFolderProject(project, GENERATOR);
    const run = await project.cli(['migrate', 'status']);
    expect(run.code, describeRun(run)).toBe(1);
    expect(run.stderr).toContain('MK_SCHEMA_NOT_FOUND');
    expect(run.stderr).toContain('--schema prisma/schema');
    expect(run.stderr).toContain('"prisma": { "schema": "prisma/schema" }');
  });

  it('Prisma 7: a folder given with --schema keeps its migrations inside it', async () => {
    const project = await newProject({ provider, style: 'env' });
    schemaFolderProject(project, GENERATOR);
    const run = await project.cli(['migrate', 'dev', '--name', 'init', '--schema', 'prisma/schema']);
    expect(run.code, describeRun(run)).toBe(0);
    expect(migrationFolders(project.path('prisma/schema/migrations'))).toHaveLength(1);
    expect(existsSync(project.path('prisma/migrations'))).toBe(false);
  });
});
