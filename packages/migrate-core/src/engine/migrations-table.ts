import { existsSync } from 'node:fs';
import { isMigrateError } from '../errors.js';
import type { Connection } from './connection.js';

/** One row of `_prisma_migrations`, as far as deciding "nothing to do" needs it. */
export interface MigrationsTableRow {
  name: string;
  checksum: string;
  finished: boolean;
  rolledBack: boolean;
}

const SELECT_ROWS =
  'SELECT migration_name AS name, checksum, finished_at IS NOT NULL AS finished, rolled_back_at IS NOT NULL AS rolled_back FROM "_prisma_migrations" ORDER BY started_at ASC';

/**
 * Reads `_prisma_migrations` with the plain driver, without starting the engine, in the engine's
 * order (`started_at`). Undefined when it cannot be read, for whatever reason (no table, no
 * database, a server that is down, a locked file): the caller then goes the engine's way, which
 * says what is wrong. Writes nothing and creates nothing (a missing SQLite file stays missing).
 * Except a PostgreSQL server that did not answer within `connect_timeout`: that P1001 is thrown.
 */
export async function readMigrationsTable(connection: Connection): Promise<MigrationsTableRow[] | undefined> {
  try {
    return connection.provider === 'sqlite' ? await readSqlite(connection.file) : await readPostgres(connection.url);
  } catch (error) {
    // A server that never answered: the engine would wait as long again before saying the same.
    if (isMigrateError(error) && error.code === 'P1001') throw error;
    return undefined;
  }
}

type RawRow = { name: string; checksum: string; finished: unknown; rolled_back: unknown };

function toRow(r: RawRow): MigrationsTableRow {
  return { name: r.name, checksum: r.checksum, finished: Boolean(r.finished), rolledBack: Boolean(r.rolled_back) };
}

async function readSqlite(file: string): Promise<MigrationsTableRow[] | undefined> {
  if (!existsSync(file)) return undefined;
  const { default: Database } = await import('better-sqlite3');
  // No busy wait: a file another process is writing is the engine path's business.
  const db = new Database(file, { readonly: true, fileMustExist: true, timeout: 0 });
  try {
    return (db.prepare(SELECT_ROWS).all() as RawRow[]).map(toRow);
  } finally {
    db.close();
  }
}

async function readPostgres(url: string): Promise<MigrationsTableRow[]> {
  const [{ PostgresClient }, { searchPathOption }] = await Promise.all([import('./postgres-client.js'), import('./adapters/postgres-types.js')]);
  const client = new PostgresClient({ connectionString: url, options: searchPathOption(url) });
  await client.connect();
  try {
    return (await client.query<RawRow>(SELECT_ROWS)).rows.map(toRow);
  } finally {
    await client.end().catch(() => undefined);
  }
}

const SQLITE_TABLES = `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name`;
const POSTGRES_TABLES = 'SELECT tablename AS name FROM pg_catalog.pg_tables WHERE schemaname = current_schema() ORDER BY tablename';

/**
 * The tables of the database (PostgreSQL: of the URL's schema) besides `_prisma_migrations` and the
 * ones another tool manages (`externalTables`, bare or schema-qualified): what makes the engine refuse
 * to start a migration history there (P3005, "the database schema is not empty"), so that a
 * database with any of them needs a baseline and one without can simply be migrated. Read with the
 * plain driver, outside the engine (which holds SQLite's file exclusively while it is open); creates
 * nothing. Undefined when the database cannot be read.
 */
export async function readUserTableNames(connection: Connection, externalTables: readonly string[] = []): Promise<string[] | undefined> {
  try {
    const names = connection.provider === 'sqlite' ? await sqliteTableNames(connection.file) : await postgresTableNames(connection.url);
    const external = new Set(externalTables.map((t) => t.split('.').pop()));
    return names?.filter((name) => name !== '_prisma_migrations' && !external.has(name));
  } catch {
    return undefined;
  }
}

async function sqliteTableNames(file: string): Promise<string[] | undefined> {
  if (!existsSync(file)) return undefined;
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(file, { readonly: true, fileMustExist: true, timeout: 0 });
  try {
    return (db.prepare(SQLITE_TABLES).all() as { name: string }[]).map((r) => r.name);
  } finally {
    db.close();
  }
}

async function postgresTableNames(url: string): Promise<string[]> {
  const [{ pg }, { searchPathOption }] = await Promise.all([import('./pg.js'), import('./adapters/postgres-types.js')]);
  const client = new pg.Client({ connectionString: url, options: searchPathOption(url) });
  await client.connect();
  try {
    return (await client.query<{ name: string }>(POSTGRES_TABLES)).rows.map((r) => r.name);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * The `_prisma_migrations` table exactly as the schema engine creates it on SQLite (its SQLite
 * connector's `create_migrations_table`), so that stock Prisma reads the rows written in it.
 */
export const SQLITE_MIGRATIONS_TABLE = `CREATE TABLE "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
);
`;

/**
 * Creates `_prisma_migrations` in an existing SQLite database that has none, without the engine.
 *
 * Why: `markMigrationApplied` creates the table when it is missing (the native engine's
 * `baseline_initialize`, what makes `resolve --applied` the baselining step), but the Wasm engine's
 * SQLite connector (8.1) gets the driver adapter's "no such table" back as P1014 ("The underlying table
 * for model _prisma_migrations does not exist") instead of "not initialized", so baselining a SQLite
 * database failed; on PostgreSQL the engine creates the table itself. The statement is the engine's
 * own (SQLite keeps its text in `sqlite_master.sql`, so no `IF NOT EXISTS`: the check and the
 * creation share one write transaction instead, against a concurrent run).
 * Test: test/baseline.test.ts ("resolve --applied baselines a SQLite database ...").
 */
export async function createSqliteMigrationsTable(file: string, busyTimeoutMs: number | undefined): Promise<void> {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(file, { fileMustExist: true, timeout: busyTimeoutMs ?? 30_000 });
  try {
    db.transaction(() => {
      if (!db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'`).get()) db.exec(SQLITE_MIGRATIONS_TABLE);
    }).immediate();
  } finally {
    db.close();
  }
}
