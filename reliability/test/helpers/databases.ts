import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import pg from 'pg';

export type Provider = 'sqlite' | 'postgresql';
export const PROVIDERS: Provider[] = ['postgresql', 'sqlite'];

/** The machine's PostgreSQL server (trust auth for 127.0.0.1), as in the packages' own tests. */
export const POSTGRES_SERVER_URL = process.env.MIGRATE_KIT_TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

/** A PostgreSQL URL nothing listens on (port 1). */
export const UNREACHABLE_POSTGRES_URL = 'postgresql://postgres:unreachable-secret@127.0.0.1:1/nowhere';

export function postgresUrl(database: string, options: { user?: string; password?: string } = {}): string {
  const url = new URL(POSTGRES_SERVER_URL);
  url.pathname = `/${database}`;
  if (options.user !== undefined) url.username = options.user;
  if (options.password !== undefined) url.password = options.password;
  return url.toString();
}

export async function withPostgres<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A database a test owns: a fresh PostgreSQL database or a SQLite file, read behind the CLI's back. */
export interface TestDatabase {
  provider: Provider;
  /** The URL the CLIs get (SQLite: `file:` and an absolute path). */
  url: string;
  /** PostgreSQL: the database name. SQLite: the file path. */
  name: string;
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  /** Statements that return no rows; many at once. */
  execute(sql: string): Promise<void>;
  drop(): Promise<void>;
}

/** A fresh, uniquely named PostgreSQL database. */
export async function createPostgresDatabase(prefix = 'mk_rel'): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  await withPostgres(POSTGRES_SERVER_URL, (c) => c.query(`CREATE DATABASE "${name}"`));
  const url = postgresUrl(name);
  return {
    provider: 'postgresql',
    url,
    name,
    query: (sql, params) => withPostgres(url, async (c) => (await c.query(sql, params)).rows),
    execute: (sql) => withPostgres(url, async (c) => void (await c.query(sql))),
    drop: () => dropPostgresDatabase(name),
  };
}

export async function dropPostgresDatabase(name: string): Promise<void> {
  await withPostgres(POSTGRES_SERVER_URL, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

/**
 * A SQLite database at `file` (created by whoever writes to it first). Reads go through a
 * short-lived better-sqlite3 connection; a missing file reads as an empty database and is not created.
 */
export function sqliteDatabase(file: string): TestDatabase {
  const open = <T>(fn: (db: Database.Database) => T): T => {
    const db = new Database(file, { timeout: 30_000 });
    try {
      return fn(db);
    } finally {
      db.close();
    }
  };
  return {
    provider: 'sqlite',
    url: `file:${file}`,
    name: file,
    query: async (sql, params = []) => (existsSync(file) ? open((db) => db.prepare(sql).all(...params) as never[]) : []),
    execute: async (sql) => open((db) => void db.exec(sql)),
    drop: async () => {
      for (const suffix of ['', '-journal', '-wal', '-shm']) rmSync(file + suffix, { force: true });
    },
  };
}

/** The user tables, sorted (`_prisma_migrations` included when present). */
export async function tableNames(db: TestDatabase): Promise<string[]> {
  const sql =
    db.provider === 'sqlite'
      ? `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`
      : `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`;
  return (await db.query<{ name: string }>(sql)).map((r) => String(r.name)).sort();
}

/** The user indexes, sorted (SQLite: not the automatic ones). */
export async function indexNames(db: TestDatabase): Promise<string[]> {
  const sql =
    db.provider === 'sqlite'
      ? `SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%'`
      : `SELECT indexname AS name FROM pg_indexes WHERE schemaname = 'public'`;
  return (await db.query<{ name: string }>(sql)).map((r) => String(r.name)).sort();
}

export interface MigrationRow {
  name: string;
  checksum: string;
  finished: boolean;
  rolledBack: boolean;
  steps: number;
  logs: string | null;
}

/** `_prisma_migrations`, oldest first; empty when the table does not exist. */
export async function migrationRows(db: TestDatabase): Promise<MigrationRow[]> {
  if (!(await tableNames(db)).includes('_prisma_migrations')) return [];
  const rows = await db.query<Record<string, unknown>>(
    'SELECT migration_name, checksum, finished_at, rolled_back_at, applied_steps_count, logs FROM _prisma_migrations ORDER BY started_at, migration_name',
  );
  return rows.map((r) => ({
    name: String(r.migration_name),
    checksum: String(r.checksum),
    finished: r.finished_at !== null,
    rolledBack: r.rolled_back_at !== null,
    steps: Number(r.applied_steps_count),
    logs: r.logs === null ? null : String(r.logs),
  }));
}

/** Migrations Prisma counts as failed: neither finished nor rolled back. */
export function failedRows(rows: MigrationRow[]): MigrationRow[] {
  return rows.filter((r) => !r.finished && !r.rolledBack);
}
