import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

export type Provider = 'sqlite' | 'postgresql';
export const PROVIDERS: Provider[] = ['sqlite', 'postgresql'];

/** The PostgreSQL server the tests use (the machine's, trust auth), as in migrate-core's tests. */
export const POSTGRES_SERVER_URL = process.env.MIGRATE_KIT_TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export type Row = Record<string, unknown>;

interface PgClient {
  connect(): Promise<void>;
  query(sql: string, params?: unknown[]): Promise<{ rows: Row[] }>;
  end(): Promise<void>;
}
interface SqliteDatabase {
  prepare(sql: string): { reader: boolean; all(...params: unknown[]): Row[]; run(...params: unknown[]): unknown };
  exec(sql: string): void;
  close(): void;
}

// The drivers migrate-core itself runs on (this package does not depend on them): the tests read
// and write the databases with them directly, never through the CLI under test.
const requireFromCore = createRequire(createRequire(import.meta.url).resolve('@migrate-kit/migrate-core/package.json'));
const pg = requireFromCore('pg') as { Client: new (config: { connectionString: string }) => PgClient };
const BetterSqlite3 = requireFromCore('better-sqlite3') as new (file: string, options?: { fileMustExist?: boolean }) => SqliteDatabase;

/** A real database for one test project: an SQLite file, or a fresh database on the PostgreSQL server. */
export interface TestDatabase {
  provider: Provider;
  /** PostgreSQL: the database's URL. SQLite: the absolute path of the file. */
  location: string;
  /** Rows of a query (none for a statement that returns none), with parameters ($1 on PostgreSQL, ? on SQLite). On SQLite, a file that does not exist is an error, not an empty database. */
  query(sql: string, params?: unknown[]): Promise<Row[]>;
  /** Runs statements that return nothing (several at once are fine). */
  exec(sql: string): Promise<void>;
  /** Whether the database exists at all (an SQLite file is created by the first command that connects). */
  exists(): Promise<boolean>;
  drop(): Promise<void>;
}

async function withPostgres<T>(url: string, fn: (client: PgClient) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export function postgresUrl(database: string): string {
  const url = new URL(POSTGRES_SERVER_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function createPostgresDatabase(): Promise<TestDatabase> {
  const name = `mk_passthrough_${randomBytes(5).toString('hex')}`;
  await withPostgres(POSTGRES_SERVER_URL, (c) => c.query(`CREATE DATABASE "${name}"`));
  const url = postgresUrl(name);
  return {
    provider: 'postgresql',
    location: url,
    query: (sql, params) => withPostgres(url, async (c) => (await c.query(sql, params)).rows),
    exec: (sql) => withPostgres(url, async (c) => void (await c.query(sql))),
    exists: async () => true,
    drop: () => withPostgres(POSTGRES_SERVER_URL, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

/** An SQLite database at `file` (not created here: the CLI creates it, and the tests see where). */
export function sqliteDatabase(file: string): TestDatabase {
  const open = <T>(fn: (db: SqliteDatabase) => T, create = false): T => {
    const db = new BetterSqlite3(file, { fileMustExist: !create });
    try {
      return fn(db);
    } finally {
      db.close();
    }
  };
  return {
    provider: 'sqlite',
    location: file,
    query: async (sql, params = []) =>
      open((db) => {
        const statement = db.prepare(sql);
        if (statement.reader) return statement.all(...params);
        statement.run(...params);
        return [];
      }),
    exec: async (sql) => open((db) => db.exec(sql), true),
    exists: async () => existsSync(file),
    drop: async () => undefined,
  };
}

/** User tables, sorted (`_prisma_migrations` included when present); none when the database does not exist yet. */
export async function tableNames(db: TestDatabase): Promise<string[]> {
  if (!(await db.exists())) return [];
  const sql =
    db.provider === 'sqlite'
      ? `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`
      : `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`;
  return (await db.query(sql)).map((r) => String(r.name)).sort();
}

export async function columnNames(db: TestDatabase, table: string): Promise<string[]> {
  const rows =
    db.provider === 'sqlite'
      ? await db.query(`SELECT name FROM pragma_table_info(?)`, [table])
      : await db.query(`SELECT column_name AS name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1`, [table]);
  return rows.map((r) => String(r.name)).sort();
}

/** A `_prisma_migrations` row as stored; timestamps as they are in the database (SQLite: what was written, PostgreSQL: Date). */
export interface MigrationRow {
  id: string;
  checksum: string;
  finished_at: unknown;
  migration_name: string;
  logs: string | null;
  rolled_back_at: unknown;
  started_at: unknown;
  applied_steps_count: number;
}

/** A `_prisma_migrations` timestamp as milliseconds since the epoch, however it is stored (Date, ISO text, integer milliseconds). */
export function instant(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'number' || typeof value === 'bigint') return Number(value);
  return new Date(String(value)).getTime();
}

/** `_prisma_migrations`, oldest first; none when the table does not exist. */
export async function migrationRows(db: TestDatabase): Promise<MigrationRow[]> {
  if (!(await tableNames(db)).includes('_prisma_migrations')) return [];
  // SQLite: insertion order (stock Prisma stores integer milliseconds, the Wasm engine ISO text, so the columns do not sort together).
  const order = db.provider === 'sqlite' ? 'rowid' : 'started_at, migration_name';
  const rows = await db.query(`SELECT * FROM _prisma_migrations ORDER BY ${order}`);
  return rows.map((r) => ({ ...r, applied_steps_count: Number(r.applied_steps_count) }) as MigrationRow);
}

/** Everything that tells whether a command changed the database: tables, their columns and row counts, and `_prisma_migrations` as stored. */
export async function databaseSnapshot(db: TestDatabase): Promise<unknown> {
  const tables = await tableNames(db);
  const described = [];
  for (const table of tables) {
    const [count] = await db.query(`SELECT COUNT(*) AS n FROM "${table}"`);
    described.push({ table, columns: await columnNames(db, table), rows: Number(count?.n) });
  }
  return { exists: await db.exists(), tables: described, migrations: await migrationRows(db) };
}
