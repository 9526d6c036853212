import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { columnNames, createPostgresDatabase, createProjectDir, folderSnapshot, migrationFolders, type Provider, type SqliteConnection, tableNames, withSqliteFile } from '@migrate-kit/test-support';
import { keystoneMigrate, type ProcessRun } from './cli.js';

export { columnNames, type Provider, tableNames } from '@migrate-kit/test-support';

/** The package folder: temp projects live in its git-ignored .tmp/ so that @keystone-6/core and prisma resolve. */
export const PACKAGE_DIR = fileURLToPath(new URL('../..', import.meta.url));

/** A PostgreSQL URL nothing listens on. */
export const UNREACHABLE_POSTGRES_URL = 'postgresql://postgres@127.0.0.1:1/x';

/** The project's database, read and written behind the CLI's back. */
export interface TestDatabase {
  provider: Provider;
  /** What DATABASE_URL is set to (SQLite: relative to the project folder, as users write it). */
  url: string;
  query(sql: string): Promise<Record<string, unknown>[]>;
  execute(sql: string): Promise<void>;
  drop(): Promise<void>;
}

async function createDatabase(provider: Provider, dir: string): Promise<TestDatabase> {
  if (provider === 'sqlite') {
    const file = join(dir, 'app.db');
    const open = <T>(fn: (db: SqliteConnection) => T): T => withSqliteFile(file, fn);
    return {
      provider,
      url: 'file:./app.db',
      query: async (sql) => (existsSync(file) ? open((db) => db.prepare(sql).all() as Record<string, unknown>[]) : []),
      execute: async (sql) => open((db) => void db.exec(sql)),
      drop: async () => rmSync(file, { force: true }),
    };
  }
  const db = await createPostgresDatabase('mk_keystone');
  return { provider, url: db.url, query: db.query, execute: db.execute, drop: db.drop };
}

export interface MigrationRow {
  name: string;
  finished: boolean;
  rolledBack: boolean;
}

/** `_prisma_migrations`, oldest first; empty when the table does not exist. */
export async function migrationRows(db: TestDatabase): Promise<MigrationRow[]> {
  if (!(await tableNames(db)).includes('_prisma_migrations')) return [];
  const rows = await db.query('SELECT migration_name, finished_at, rolled_back_at FROM _prisma_migrations ORDER BY started_at, migration_name');
  return rows.map((r) => ({ name: String(r.migration_name), finished: r.finished_at !== null, rolledBack: r.rolled_back_at !== null }));
}

/** Tables with their columns and row counts, and the migrations table: what "the database is unchanged" compares. */
export async function databaseSnapshot(db: TestDatabase): Promise<Record<string, unknown>> {
  const snapshot: Record<string, unknown> = {};
  for (const table of await tableNames(db)) {
    const [count] = await db.query(`SELECT COUNT(*) AS n FROM "${table}"`);
    snapshot[table] = { columns: await columnNames(db, table), rows: Number(count?.n) };
  }
  snapshot._prisma_migrations_rows = await migrationRows(db);
  return snapshot;
}

export interface KeystoneConfigOptions {
  /** Extra field lines for the Author list (`bio: text(),`). */
  authorFields?: string;
  /** Wrap the config with withMigrations, its mode read from MIGRATE_MODE at start. */
  plugin?: boolean;
}

/**
 * A real Keystone config covering what shapes the Prisma schema: one-to-many (Author.posts /
 * Post.author) and many-to-many (Post.tags / Tag.posts) relationships, `isIndexed: 'unique'` and
 * `true`, `db.map` on a list and on a field, the config's `db.extendPrismaSchema`, and the three
 * id kinds (autoincrement on Author, uuid on Tag, Keystone's default cuid on Post).
 */
export function keystoneConfig(provider: Provider, options: KeystoneConfigOptions = {}): string {
  const adapter =
    provider === 'sqlite'
      ? { import: "import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';", create: 'new PrismaBetterSqlite3({ url: process.env.DATABASE_URL! })' }
      : { import: "import { PrismaPg } from '@prisma/adapter-pg';", create: 'new PrismaPg({ connectionString: process.env.DATABASE_URL! })' };
  const body = `config({
  db: {
    provider: '${provider}',
    prismaClientOptions: () => ({ adapter: ${adapter.create} }),
    extendPrismaSchema: (schema: string) => schema + '\\nmodel AuditLog {\\n  id Int @id @default(autoincrement())\\n  message String\\n}\\n',
  },
  ui: { isDisabled: true },
  lists: {
    Author: list({
      access: allowAll,
      db: { idField: { kind: 'autoincrement' }, map: 'authors' },
      fields: {
        name: text({ db: { map: 'full_name' } }),
        email: text({ isIndexed: 'unique' }),
        posts: relationship({ ref: 'Post.author', many: true }),
        ${options.authorFields ?? ''}
      },
    }),
    Post: list({
      access: allowAll,
      db: { map: 'blog_posts' },
      fields: {
        title: text({ isIndexed: true }),
        status: select({ options: [{ label: 'Draft', value: 'draft' }, { label: 'Published', value: 'published' }], defaultValue: 'draft' }),
        publishedAt: timestamp(),
        author: relationship({ ref: 'Author.posts' }),
        tags: relationship({ ref: 'Tag.posts', many: true }),
      },
    }),
    Tag: list({
      access: allowAll,
      db: { idField: { kind: 'uuid' } },
      fields: {
        name: text({ isIndexed: 'unique' }),
        posts: relationship({ ref: 'Post.tags', many: true }),
      },
    }),
  },
})`;
  return `import { config, list } from '@keystone-6/core';
import { allowAll } from '@keystone-6/core/access';
import { relationship, select, text, timestamp } from '@keystone-6/core/fields';
${adapter.import}
${options.plugin ? "import { withMigrations } from '@migrate-kit/keystone-migrate';\n" : ''}
export default ${options.plugin ? `withMigrations(${body}, { mode: (process.env.MIGRATE_MODE as 'apply' | 'verify' | undefined) ?? 'apply' })` : body};
`;
}

export interface KeystoneTestProject {
  dir: string;
  provider: Provider;
  db: TestDatabase;
  /** DATABASE_URL, and PRISMA_SCHEMA_ENGINE_BINARY pointing at a stand-in so that prisma never downloads an engine. */
  env: Record<string, string>;
  writeKeystone(source: string): void;
  /** Runs keystone-migrate in the project folder. */
  cli(args: string[], env?: Record<string, string | undefined>): Promise<ProcessRun>;
  /** Migration folder names, sorted. */
  migrationNames(): string[];
  /** Every file under migrations/ with its content. */
  migrationsSnapshot(): Record<string, string>;
  remove(): Promise<void>;
}

/**
 * A Keystone project in the package's .tmp/ (so that @keystone-6/core, prisma and the adapters
 * resolve from it), with its own database. `linkPackage` links @migrate-kit/keystone-migrate into
 * the project's node_modules the way a workspace does, for configs that import withMigrations.
 */
export async function createKeystoneProject(provider: Provider, keystoneTs: string, options: { linkPackage?: boolean } = {}): Promise<KeystoneTestProject> {
  const dir = createProjectDir(`${provider}-`, join(PACKAGE_DIR, '.tmp'));
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'keystone-test-project', private: true }, null, 2)}\n`);
  writeFileSync(join(dir, 'keystone.ts'), keystoneTs);
  writeFileSync(join(dir, 'schema-engine-stand-in'), '');
  if (options.linkPackage) {
    mkdirSync(join(dir, 'node_modules', '@migrate-kit'), { recursive: true });
    symlinkSync(PACKAGE_DIR, join(dir, 'node_modules', '@migrate-kit', 'keystone-migrate'), 'dir');
  }
  const db = await createDatabase(provider, dir);
  const env = { DATABASE_URL: db.url, PRISMA_SCHEMA_ENGINE_BINARY: join(dir, 'schema-engine-stand-in') };
  const migrationsDir = join(dir, 'migrations');
  return {
    dir,
    provider,
    db,
    env,
    writeKeystone: (source) => writeFileSync(join(dir, 'keystone.ts'), source),
    cli: (args, extra = {}) => keystoneMigrate(args, { cwd: dir, env: { ...env, ...extra } }),
    migrationNames: () => migrationFolders(migrationsDir),
    migrationsSnapshot: () => folderSnapshot(migrationsDir),
    async remove() {
      await db.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
