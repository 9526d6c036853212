import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeRun, jsonOf } from './helpers/cli.js';
import { migrationRows, PROVIDERS, tableNames } from './helpers/database.js';
import { datasourceBlock, MIGRATION_FOLDER_NAME, migrationFolders, prismaLockFile, projectsFor, readMigration, TAG_MODEL, type TestProject } from './helpers/project.js';

// prisma.config.ts with `schema: 'prisma/schema'`: a folder of .prisma files, the models of one
// relation in two files.
const USER_FILE = 'model User {\n  id    Int    @id @default(autoincrement())\n  email String @unique\n  posts Post[]\n}\n';
const POST_FILE = 'model Post {\n  id       Int    @id @default(autoincrement())\n  title    String\n  author   User   @relation(fields: [authorId], references: [id])\n  authorId Int\n}\n';

function writeSchemaFolder(project: TestProject): void {
  project.write('prisma/schema/main.prisma', datasourceBlock(project.provider, 'config'));
  project.write('prisma/schema/user.prisma', USER_FILE);
  project.write('prisma/schema/post.prisma', POST_FILE);
}

describe.each(PROVIDERS)('a multi-file schema folder on %s', (provider) => {
  const newProject = projectsFor();

  describe('with a custom migrations.path', () => {
    let project: TestProject;

    beforeAll(async () => {
      project = await newProject({ provider, style: 'config', schema: 'prisma/schema', migrationsPath: 'db/migrations' });
      writeSchemaFolder(project);
    });

    it('migrate dev reads every .prisma file of the folder and writes to migrations.path', async () => {
      const run = await project.cli(['migrate', 'dev', '--name', 'init', '--json']);
      expect(run.code, describeRun(run)).toBe(0);
      const [init] = migrationFolders(project.path('db/migrations'));
      expect(init).toMatch(MIGRATION_FOLDER_NAME);
      expect(jsonOf(run)).toMatchObject({ created: { name: init, path: project.path(`db/migrations/${init}/migration.sql`) } });
      expect(readFileSync(project.path('db/migrations/migration_lock.toml'), 'utf8')).toBe(prismaLockFile(provider));
      expect(existsSync(project.path('prisma/schema/migrations'))).toBe(false);
      expect(existsSync(project.path('prisma/migrations'))).toBe(false);

      // The relation spans two files: the foreign key is in the migration and in the database.
      expect(readMigration(project, init!)).toContain('"Post_authorId_fkey"');
      expect(await tableNames(project.db)).toEqual(['Post', 'User', '_prisma_migrations']);
    });

    it('a model in a new file becomes the next migration; status and diff against the folder agree', async () => {
      project.write('prisma/schema/tag.prisma', `${TAG_MODEL}\n`);
      const run = await project.cli(['migrate', 'dev', '--name', 'add tag']);
      expect(run.code, describeRun(run)).toBe(0);
      const folders = migrationFolders(project.migrationsDir);
      expect(folders).toHaveLength(2);
      expect(folders[1]!.endsWith('_add_tag')).toBe(true);
      expect(readMigration(project, folders[1]!)).toContain('CREATE TABLE "Tag"');
      expect(await tableNames(project.db)).toContain('Tag');
      expect((await migrationRows(project.db)).map((r) => r.migration_name)).toEqual(folders);

      const status = await project.cli(['migrate', 'status']);
      expect(status.code, describeRun(status)).toBe(0);
      const diff = await project.cli(['migrate', 'diff', '--from-migrations', 'db/migrations', '--to-schema', 'prisma/schema', '--exit-code']);
      expect(diff.code, describeRun(diff)).toBe(0);
    });
  });

  it('without migrations.path, the migrations go inside the schema folder, as Prisma 7 puts them (--schema given as a folder)', async () => {
    const project = await newProject({ provider, style: 'config', schema: 'prisma/schema', migrationsPath: null });
    writeSchemaFolder(project);
    const run = await project.cli(['migrate', 'dev', '--name', 'init', '--schema', 'prisma/schema']);
    expect(run.code, describeRun(run)).toBe(0);
    const [init] = migrationFolders(join(project.dir, 'prisma/schema/migrations'));
    expect(init).toMatch(MIGRATION_FOLDER_NAME);
    expect(existsSync(project.path('prisma/migrations'))).toBe(false);
    expect(await tableNames(project.db)).toEqual(['Post', 'User', '_prisma_migrations']);
  });
});
