import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadKeystoneSource } from '@migrate-kit/keystone-migrate';
import { createMigration, deploy, loadPrismaSchemaSource, type SchemaSource } from '@migrate-kit/migrate-core';
import { prismaLockFile, writeFile } from '@migrate-kit/test-support';
import { loadZenStackSource } from '@migrate-kit/zenstack-migrate';
import type { CliName } from './cli.js';
import { createPostgresDatabase, type Provider, postgresUrl, sqliteDatabase, type TestDatabase } from './databases.js';
import { makeTmpDir } from './project.js';
import type { DatabaseSnapshot } from './snapshot.js';

/** The framework a CLI reads its schema from. */
export function projectKind(cli: CliName): 'prisma' | 'zen' | 'keystone' {
  return cli === 'zen-migrate' ? 'zen' : cli === 'keystone-migrate' ? 'keystone' : 'prisma';
}

export const USER_MODEL = 'model User {\n  id    Int    @id @default(autoincrement())\n  email String @unique\n}';

/** One case's project: the CLI's kind of project, in .tmp/, with a database of its own. */
export interface CaseProject {
  cli: CliName;
  provider: Provider;
  /** The project folder: the CLI's working directory, and what the folder snapshot covers. */
  dir: string;
  db: TestDatabase;
  /** The URL the CLI gets. On PostgreSQL it carries a password, which no output may show. */
  url: string;
  password: string | undefined;
  /** prisma/schema.prisma, zenstack/schema.zmodel or keystone.ts. */
  schemaPath: string;
  migrationsDir: string;
  /** The variables the CLI runs with (DATABASE_URL, ...). */
  env: Record<string, string | undefined>;
  write(relativePath: string, content: string | Buffer): void;
  read(relativePath: string): string;
  remove(relativePath: string): void;
  /** Writes `<migrations>/<name>/migration.sql` and the lock file. */
  writeMigration(name: string, sql: string): void;
  /** Replaces the models (Prisma or ZModel syntax) and keeps the datasource. Not for Keystone. */
  setModels(models: string): void;
  /** Replaces keystone.ts's lists (`User: list({...})` entries). Keystone only. */
  setLists(lists: string): void;
  /** The schema source, loaded in-process the way the case's CLI loads it. */
  source(): Promise<SchemaSource>;
  /** Creates a migration from the schema and applies it, in-process (`dev --name <name>`). Returns its folder name. */
  migrate(name: string): Promise<string>;
  /** Applies pending migrations in-process. */
  deploy(): Promise<void>;
  cleanup(): Promise<void>;
}

function prismaSchema(cli: CliName, provider: Provider, models: string): string {
  // prisma-migrate projects are Prisma 6 style (url in the schema); migrate-kit gets it from DATABASE_URL.
  const url = cli === 'prisma-migrate' ? '\n  url      = env("DATABASE_URL")' : '';
  return `datasource db {\n  provider = "${provider}"${url}\n}\n\n${models.trim()}\n`;
}

function zmodel(provider: Provider, models: string): string {
  return `datasource db {\n  provider = '${provider}'\n  url      = env('DATABASE_URL')\n}\n\n${models.trim()}\n`;
}

export const KEYSTONE_USER_LIST = "User: list({ access: allowAll, fields: { email: text({ isIndexed: 'unique' }) } }),";

export function keystoneTs(provider: Provider, lists: string): string {
  return `import { config, list } from '@keystone-6/core';
import { allowAll } from '@keystone-6/core/access';
import { integer, text } from '@keystone-6/core/fields';

export default config({
  db: { provider: '${provider}', prismaClientOptions: () => ({}) },
  ui: { isDisabled: true },
  lists: {
    ${lists}
  },
});
`;
}

export async function createCaseProject(cli: CliName, provider: Provider, options: { folderName?: string } = {}): Promise<CaseProject> {
  const root = makeTmpDir('case');
  const dir = options.folderName ? join(root, options.folderName) : root;
  mkdirSync(dir, { recursive: true });
  const kind = projectKind(cli);
  const password = provider === 'postgresql' ? `pw-${randomBytes(6).toString('hex')}` : undefined;
  let db: TestDatabase;
  let url: string;
  if (provider === 'postgresql') {
    db = await createPostgresDatabase('mk_corpus');
    // The server trusts 127.0.0.1, so any password is accepted: it is there to be kept secret.
    url = postgresUrl(db.name, { password });
  } else {
    db = sqliteDatabase(join(dir, kind === 'zen' ? 'zenstack' : kind === 'prisma' ? 'prisma' : '.', 'dev.db'));
    url = db.url;
  }
  const schemaPath = join(dir, kind === 'zen' ? 'zenstack/schema.zmodel' : kind === 'keystone' ? 'keystone.ts' : 'prisma/schema.prisma');
  const migrationsDir = join(dir, kind === 'zen' ? 'zenstack/migrations' : kind === 'keystone' ? 'migrations' : 'prisma/migrations');
  const env: Record<string, string | undefined> = { DATABASE_URL: url };
  if (kind === 'keystone') {
    // prisma (which Keystone depends on) must never try to download its engine.
    writeFile(join(dir, 'schema-engine-stand-in'), '');
    env.PRISMA_SCHEMA_ENGINE_BINARY = join(dir, 'schema-engine-stand-in');
  }
  if (kind !== 'prisma') writeFile(join(dir, 'package.json'), `${JSON.stringify({ name: 'corpus-project', private: true }, null, 2)}\n`);

  const project: CaseProject = {
    cli,
    provider,
    dir,
    db,
    url,
    password,
    schemaPath,
    migrationsDir,
    env,
    write: (path, content) => writeFile(join(dir, path), content),
    read: (path) => readFileSync(join(dir, path), 'utf8'),
    remove: (path) => rmSync(join(dir, path), { recursive: true, force: true }),
    writeMigration(name, sql) {
      writeFile(join(migrationsDir, 'migration_lock.toml'), prismaLockFile(provider));
      writeFile(join(migrationsDir, name, 'migration.sql'), sql);
    },
    setModels(models) {
      if (kind === 'keystone') throw new Error('setModels: use setLists for Keystone');
      writeFile(schemaPath, kind === 'zen' ? zmodel(provider, models) : prismaSchema(cli, provider, models));
    },
    setLists(lists) {
      if (kind !== 'keystone') throw new Error('setLists: Keystone only');
      writeFile(schemaPath, keystoneTs(provider, lists));
    },
    async source() {
      const processEnv = { ...process.env, ...env } as NodeJS.ProcessEnv;
      if (kind === 'zen') return loadZenStackSource({}, dir, processEnv);
      if (kind === 'keystone') return loadKeystoneSource({}, dir, processEnv);
      return loadPrismaSchemaSource({ schemaPath, url, migrationsDir });
    },
    async migrate(name) {
      const result = await createMigration(await project.source(), { name, acceptDataLoss: true });
      if (!result.created) throw new Error(`migrate(${name}): the schema had no changes`);
      return result.created.name;
    },
    async deploy() {
      await deploy(await project.source());
    },
    async cleanup() {
      await db.drop();
      rmSync(root, { recursive: true, force: true });
    },
  };
  if (kind === 'keystone') project.setLists(KEYSTONE_USER_LIST);
  else project.setModels(USER_MODEL);
  return project;
}

/** Roles and other server-wide things the corpus needs, created once per run. */
export interface CorpusContext {
  /** Can log in, owns the case's database, cannot create databases (so no shadow database). */
  roleWithoutCreateDb: string;
  /** Exists, but may not log in. */
  roleWithoutLogin: string;
  /** Can log in and connect, but may not create anything in `public`. */
  roleWithoutPrivileges: string;
  /** Whether the server asks 127.0.0.1 clients for a password at all (pg_hba.conf). */
  passwordAuthentication: boolean;
}

/** A case: one bad input, the exit code and message it must get, and what it may change. */
export interface Case {
  /** Unique, short: the test's name starts with it. */
  id: string;
  title: string;
  cli: CliName;
  provider: Provider;
  /** A project folder name below the temporary root (spaces, unicode). */
  folderName?: string;
  /** Brings the project into the state the case starts from (before the snapshot). */
  arrange?(p: CaseProject, ctx: CorpusContext): Promise<void> | void;
  args: string[] | ((p: CaseProject, ctx: CorpusContext) => string[]);
  /** Variables on top of the project's (undefined removes one). */
  env?(p: CaseProject, ctx: CorpusContext): Record<string, string | undefined>;
  input?: string;
  /** Working directory relative to the project folder (default: the project folder). */
  cwd?: string;
  exit: number;
  /** Fragments the output (stdout and stderr) must contain. */
  says: (string | RegExp | ((p: CaseProject) => string))[];
  /** Fragments it must not contain (beyond the password, which is always checked). */
  never?: (string | RegExp)[];
  /**
   * What the command may change. Without it, nothing may change: not the database (tables,
   * columns, row counts, indexes, `_prisma_migrations`), not a file of the project folder.
   */
  changes?: {
    database?(before: DatabaseSnapshot, after: DatabaseSnapshot, p: CaseProject): void;
    folder?(change: { added: string[]; removed: string[]; changed: string[] }, p: CaseProject): void;
  };
  /** Only where the server can produce the failure at all. */
  requires?: 'password-authentication';
  timeoutMs?: number;
  /** Part of the quick run (`npm test`); the full run takes every case. */
  quick?: true;
}
