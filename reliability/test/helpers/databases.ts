import { existsSync, rmSync } from 'node:fs';
import { createPostgresDatabase as createServerDatabase, type Provider, type SqliteConnection, tableNames, withSqliteFile } from '@migrate-kit/test-support';

export { POSTGRES_SERVER_URL, type Provider, postgresUrl, tableNames, withPostgresClient as withPostgres } from '@migrate-kit/test-support';
export const PROVIDERS: Provider[] = ['postgresql', 'sqlite'];

/** A PostgreSQL URL nothing listens on (port 1). */
export const UNREACHABLE_POSTGRES_URL = 'postgresql://postgres:unreachable-secret@127.0.0.1:1/nowhere';

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
  return { provider: 'postgresql', ...(await createServerDatabase(prefix)) };
}

/**
 * A SQLite database at `file` (created by whoever writes to it first). Reads go through a
 * short-lived better-sqlite3 connection; a missing file reads as an empty database and is not created.
 */
export function sqliteDatabase(file: string): TestDatabase {
  const open = <T>(fn: (db: SqliteConnection) => T): T => withSqliteFile(file, fn, { timeout: 30_000 });
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
