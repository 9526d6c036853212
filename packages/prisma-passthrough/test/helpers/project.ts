import { readFileSync, rmdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createProjectDir, folderSnapshot as snapshotOf, writeFile } from '@migrate-kit/test-support';
import { afterAll } from 'vitest';
import { type CliOptions, type CliRun, PACKAGE_DIR, prismaMigrate } from './cli.js';
import { type Provider, postgresDatabase, sqliteDatabase, type TestDatabase } from './database.js';

export { migrationFolders, prismaLockFile, sha256, writeFile } from '@migrate-kit/test-support';

/**
 * Where projects live: inside the repository, so that a project's prisma.config.ts resolves
 * `prisma/config` (and the passthrough resolves `prisma`) from this package's node_modules, as a
 * real project resolves its own. Git-ignored (`.tmp/`).
 */
export const TMP_ROOT = join(PACKAGE_DIR, 'test', '.tmp');

/**
 * - `config`: a Prisma 7 project: `prisma.config.ts` with `defineConfig` from `prisma/config` (what
 *   `prisma init` writes; it re-exports `@prisma/config`) setting schema, migrations.path and
 *   datasource.url; a datasource block without a url.
 * - `env`: a Prisma 6-style project: no config file, `url = env("DATABASE_URL")` in the schema and
 *   the value in `.env` at the project root.
 */
export type ProjectStyle = 'config' | 'env';
export const STYLES: ProjectStyle[] = ['config', 'env'];
export const STYLE_NAMES: Record<ProjectStyle, string> = { config: 'a Prisma 7 project (prisma.config.ts)', env: 'a Prisma 6-style project (url = env() and .env)' };

export interface ProjectOptions {
  provider: Provider;
  style: ProjectStyle;
  /** Config style: the `schema` key, a file or a folder of .prisma files. Default `prisma/schema.prisma`. */
  schema?: string;
  /** Config style: `migrations.path`; Prisma's default (`migrations` beside the schema) when null. Default `prisma/migrations`. */
  migrationsPath?: string | null;
  /** Create the project outside the repository (where no `prisma` package can be resolved). */
  outsideRepo?: boolean;
}

export interface TestProject {
  provider: Provider;
  style: ProjectStyle;
  dir: string;
  db: TestDatabase;
  /** The schema file, or the schema folder. */
  schemaPath: string;
  migrationsDir: string;
  /** The datasource block this project's style writes (with `url = env(...)` for the env style). */
  datasource: string;
  /** Replaces the models of a single-file schema (the datasource block is written first). */
  setModels(models: string): void;
  path(relativePath: string): string;
  write(relativePath: string, content: string): string;
  read(relativePath: string): string;
  remove(relativePath: string): void;
  cli(args: string[], options?: Omit<CliOptions, 'cwd'>): Promise<CliRun>;
  cleanup(): Promise<void>;
}

export const USER_MODEL = 'model User {\n  id    Int    @id @default(autoincrement())\n  email String @unique\n}';
export const POST_MODEL = 'model Post {\n  id    Int    @id @default(autoincrement())\n  title String\n}';
export const TAG_MODEL = 'model Tag {\n  id    Int    @id @default(autoincrement())\n  label String\n}';

export function datasourceBlock(provider: Provider, style: ProjectStyle): string {
  return style === 'env'
    ? `datasource db {\n  provider = "${provider}"\n  url      = env("DATABASE_URL")\n}\n`
    : `datasource db {\n  provider = "${provider}"\n}\n`;
}

/** A prisma.config.ts; a null setting is left out (Prisma's default applies). */
export function configFile(settings: { schema: string | null; migrationsPath: string | null; url: string }): string {
  const schema = settings.schema === null ? '' : `  schema: ${JSON.stringify(settings.schema)},\n`;
  const migrations = settings.migrationsPath === null ? '' : `  migrations: { path: ${JSON.stringify(settings.migrationsPath)} },\n`;
  return `import { defineConfig } from 'prisma/config';\n\nexport default defineConfig({\n${schema}${migrations}  datasource: { url: ${JSON.stringify(settings.url)} },\n});\n`;
}

/**
 * A project folder on a real database. SQLite URLs are relative, so where the file lands checks
 * Prisma's rule: Prisma 7 resolves them against the config file, Prisma 6 against the schema.
 */
export async function createProject(options: ProjectOptions): Promise<TestProject> {
  const { provider, style } = options;
  const dir = options.outsideRepo ? createProjectDir('mk-passthrough-') : createProjectDir('mk-passthrough-', TMP_ROOT);
  const schemaSetting = options.schema ?? 'prisma/schema.prisma';
  const migrationsSetting = options.migrationsPath === undefined ? 'prisma/migrations' : options.migrationsPath;
  const schemaPath = join(dir, style === 'config' ? schemaSetting : 'prisma/schema.prisma');
  const schemaIsFolder = schemaSetting.endsWith('.prisma') === false;
  const schemaRoot = schemaIsFolder ? schemaPath : dirname(schemaPath);
  const migrationsDir = style === 'config' && migrationsSetting !== null ? join(dir, migrationsSetting) : join(schemaRoot, 'migrations');

  const db = provider === 'postgresql' ? await postgresDatabase() : sqliteDatabase(style === 'config' ? join(dir, 'dev.db') : join(dir, 'prisma', 'dev.db'));
  const url = provider === 'postgresql' ? db.location : 'file:./dev.db';
  if (style === 'config') writeFile(join(dir, 'prisma.config.ts'), configFile({ schema: schemaSetting, migrationsPath: migrationsSetting, url }));
  else writeFile(join(dir, '.env'), `DATABASE_URL="${url}"\n`);

  const project: TestProject = {
    provider,
    style,
    dir,
    db,
    schemaPath,
    migrationsDir,
    datasource: datasourceBlock(provider, style),
    setModels(models) {
      writeFile(schemaPath, `${project.datasource}\n${models.trim()}\n`);
    },
    path: (relativePath) => join(dir, relativePath),
    write: (relativePath, content) => writeFile(join(dir, relativePath), content),
    read: (relativePath) => readFileSync(join(dir, relativePath), 'utf8'),
    remove: (relativePath) => rmSync(join(dir, relativePath), { recursive: true, force: true }),
    cli: (args, cliOptions = {}) => prismaMigrate(args, { cwd: dir, ...cliOptions }),
    async cleanup() {
      await db.drop();
      rmSync(dir, { recursive: true, force: true });
      try {
        rmdirSync(TMP_ROOT);
      } catch {
        // Other test files still have projects there.
      }
    },
  };
  if (!schemaIsFolder) project.setModels(USER_MODEL);
  return project;
}

/** Projects for one describe block, removed (folder and database) after it. */
export function projectsFor(): (options: ProjectOptions) => Promise<TestProject> {
  const created: TestProject[] = [];
  afterAll(async () => {
    await Promise.all(created.map((p) => p.cleanup()));
  });
  return async (options) => {
    const project = await createProject(options);
    created.push(project);
    return project;
  };
}

/** Every file below a folder with its content, SQLite files by their size (an absent folder is `{}`). */
export function folderSnapshot(dir: string): Record<string, string> {
  return snapshotOf(dir, { databasesBySize: true });
}

export function readMigration(project: TestProject, name: string): string {
  return readFileSync(join(project.migrationsDir, name, 'migration.sql'), 'utf8');
}

/** A folder name as `prisma migrate dev` writes it: `<UTC YYYYMMDDHHMMSS>_<name>`. */
export const MIGRATION_FOLDER_NAME = /^(\d{14})_([a-z0-9_]*)$/;

/** The UTC `YYYYMMDDHHMMSS` of a moment, as the engine stamps a migration folder. */
export function utcTimestamp(date: Date): string {
  return date.toISOString().replace(/\D/g, '').slice(0, 14);
}

export const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
