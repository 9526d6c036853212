import { existsSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeRun, jsonOf } from './helpers/cli.js';
import { PROVIDERS } from './helpers/database.js';
import { datasourceBlock, projectsFor, type TestProject } from './helpers/project.js';

// `prisma-migrate db pull` on the in-process engine: a database made by SQL, pulled into the
// schema as `prisma db pull` writes it, then pulled again after the user renamed things.
const GENERATOR = 'generator client {\n  provider = "prisma-client-js"\n}\n';

const TABLES_SQL = {
  sqlite:
    'CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, email TEXT NOT NULL, full_name TEXT);\n' +
    'CREATE UNIQUE INDEX users_email_key ON users(email);\n' +
    'CREATE TABLE posts (id INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT NOT NULL, author_id INTEGER NOT NULL REFERENCES users(id));',
  postgresql:
    'CREATE TABLE users (id SERIAL PRIMARY KEY, email TEXT NOT NULL, full_name TEXT);\n' +
    'CREATE UNIQUE INDEX users_email_key ON users(email);\n' +
    'CREATE TABLE posts (id SERIAL PRIMARY KEY, title TEXT NOT NULL, author_id INTEGER NOT NULL REFERENCES users(id));',
};

/** What `prisma db pull` writes for TABLES_SQL below the generator and datasource blocks. */
const PULLED_MODELS =
  'model posts {\n' +
  '  id        Int    @id @default(autoincrement())\n' +
  '  title     String\n' +
  '  author_id Int\n' +
  '  users     users  @relation(fields: [author_id], references: [id], onDelete: NoAction, onUpdate: NoAction)\n' +
  '}\n\n' +
  'model users {\n' +
  '  id        Int     @id @default(autoincrement())\n' +
  '  email     String  @unique\n' +
  '  full_name String?\n' +
  '  posts     posts[]\n' +
  '}\n';

/** The user's edits after the first pull: models and fields renamed with @@map/@map, a relation field renamed, doc comments. */
const RENAMED_MODELS =
  '/// People who write\n' +
  'model User {\n' +
  '  id       Int     @id @default(autoincrement())\n' +
  '  email    String  @unique\n' +
  '  /// As they sign\n' +
  '  fullName String? @map("full_name")\n' +
  '  writings Post[]\n\n' +
  '  @@map("users")\n' +
  '}\n\n' +
  'model Post {\n' +
  '  id       Int    @id @default(autoincrement())\n' +
  '  title    String\n' +
  '  authorId Int    @map("author_id")\n' +
  '  author   User   @relation(fields: [authorId], references: [id], onDelete: NoAction, onUpdate: NoAction)\n\n' +
  '  @@map("posts")\n' +
  '}\n';

describe.each(PROVIDERS)('db pull on %s', (provider) => {
  const newProject = projectsFor();

  describe('a database made by SQL, in a Prisma 7 project', () => {
    let project: TestProject;
    let header: string;

    beforeAll(async () => {
      project = await newProject({ provider, style: 'config' });
      header = `${GENERATOR}\n${datasourceBlock(provider, 'config')}`;
      project.write('prisma/schema.prisma', header);
      await project.db.exec(TABLES_SQL[provider]);
    });

    it('writes the models the database describes below the generator and datasource blocks', async () => {
      const run = await project.cli(['db', 'pull']);
      expect(run.code, describeRun(run)).toBe(0);
      expect(project.read('prisma/schema.prisma')).toBe(`${header}\n${PULLED_MODELS}`);
      expect(run.stdout).toContain('Introspected 2 models and wrote them into prisma/schema.prisma');
    });

    it('a second pull keeps the renames (@@map, @map, relation field names) and the doc comments', async () => {
      project.write('prisma/schema.prisma', `${header}\n${RENAMED_MODELS}`);
      const run = await project.cli(['db', 'pull']);
      expect(run.code, describeRun(run)).toBe(0);
      expect(project.read('prisma/schema.prisma')).toBe(`${header}\n${RENAMED_MODELS}`);
      // The engine says what it took from the previous schema.
      expect(run.stderr).toContain('These models were enriched with `@@map` information taken from the previous Prisma schema');
    });

    it('--print writes the schema to stdout and leaves the file as it was', async () => {
      project.write('prisma/schema.prisma', header);
      const run = await project.cli(['db', 'pull', '--print']);
      expect(run.code, describeRun(run)).toBe(0);
      expect(run.stdout).toBe(`${header}\n${PULLED_MODELS}\n`);
      expect(project.read('prisma/schema.prisma')).toBe(header);
    });

    it('--force ignores the current models: the renames are gone', async () => {
      project.write('prisma/schema.prisma', `${header}\n${RENAMED_MODELS}`);
      const run = await project.cli(['db', 'pull', '--force', '--json']);
      expect(run.code, describeRun(run)).toBe(0);
      expect(project.read('prisma/schema.prisma')).toBe(`${header}\n${PULLED_MODELS}`);
      expect(jsonOf(run)).toMatchObject({ ok: true, modelsCount: 2, written: true });
    });
  });

  it('keeps a Prisma 6 datasource as written (url = env(), comments) and reads .env', async () => {
    const project = await newProject({ provider, style: 'env' });
    const datasource = `datasource db {\n  provider = "${provider}"\n  // the app's database\n  url      = env("DATABASE_URL")\n}\n`;
    project.write('prisma/schema.prisma', `${GENERATOR}\n${datasource}`);
    await project.db.exec(TABLES_SQL[provider]);
    const run = await project.cli(['db', 'pull']);
    expect(run.code, describeRun(run)).toBe(0);
    expect(project.read('prisma/schema.prisma')).toBe(`${GENERATOR}\n${datasource}\n${PULLED_MODELS}`);
  });

  it('a schema folder: models stay in their files, new tables go to introspected.prisma beside them', async () => {
    const project = await newProject({ provider, style: 'config', schema: 'prisma/schema', migrationsPath: null });
    const main = `${GENERATOR}\n${datasourceBlock(provider, 'config')}`;
    const userFile =
      'model User {\n  id       Int     @id @default(autoincrement())\n  email    String  @unique\n  fullName String? @map("full_name")\n\n  @@map("users")\n}\n';
    project.write('prisma/schema/main.prisma', main);
    project.write('prisma/schema/user.prisma', userFile);
    await project.db.exec(TABLES_SQL[provider]);
    const run = await project.cli(['db', 'pull']);
    expect(run.code, describeRun(run)).toBe(0);
    expect(project.read('prisma/schema/main.prisma')).toBe(main);
    // The back relation the new table brings is added where the model is.
    expect(project.read('prisma/schema/user.prisma')).toBe(userFile.replace('@map("full_name")\n', '@map("full_name")\n  posts    posts[]\n'));
    expect(project.read('prisma/schema/introspected.prisma')).toContain('model posts {');
  });

  it('an empty database is P4001, and the schema is left as it was', async () => {
    const project = await newProject({ provider, style: 'config' });
    const schema = `${GENERATOR}\n${datasourceBlock(provider, 'config')}`;
    project.write('prisma/schema.prisma', schema);
    if (provider === 'sqlite') await project.db.exec('PRAGMA user_version = 1;'); // the file exists, without tables
    const run = await project.cli(['db', 'pull']);
    expect(run.code, describeRun(run)).toBe(1);
    expect(run.stderr).toContain('P4001');
    expect(run.stderr).toContain('The introspected database was empty');
    expect(project.read('prisma/schema.prisma')).toBe(schema);
  });
});

describe('db pull --schemas on postgresql', () => {
  const newProject = projectsFor();

  it('introspects the named schema: `schemas` and @@schema are written, the url line kept', async () => {
    const project = await newProject({ provider: 'postgresql', style: 'env' });
    const datasource = 'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n';
    project.write('prisma/schema.prisma', `${GENERATOR}\n${datasource}`);
    await project.db.exec('CREATE SCHEMA audit; CREATE TABLE audit.events (id SERIAL PRIMARY KEY, what TEXT); CREATE TABLE public.ignored (id SERIAL PRIMARY KEY);');
    const run = await project.cli(['db', 'pull', '--schemas', 'audit']);
    expect(run.code, describeRun(run)).toBe(0);
    expect(project.read('prisma/schema.prisma')).toBe(
      `${GENERATOR}\ndatasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n  schemas  = ["audit"]\n}\n\n` +
        'model events {\n  id   Int     @id @default(autoincrement())\n  what String?\n\n  @@schema("audit")\n}\n',
    );
  });
});

describe('db pull without a database', () => {
  const newProject = projectsFor();

  it('a missing SQLite database file is P1003 and creates nothing', async () => {
  const project = await newProject({ provider: 'sqlite', style: 'config' });
  project.write('prisma/schema.prisma', `${GENERATOR}\n${datasourceBlock('sqlite', 'config')}`);
  const run = await project.cli(['db', 'pull']);
  expect(run.code, describeRun(run)).toBe(1);
  expect(run.stderr).toContain('P1003');
  expect(existsSync(project.path('dev.db'))).toBe(false);
  expect(readFileSync(project.path('prisma/schema.prisma'), 'utf8')).not.toContain('model');
});
});
