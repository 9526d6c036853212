import { existsSync } from 'node:fs';
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
 */
export async function readMigrationsTable(connection: Connection): Promise<MigrationsTableRow[] | undefined> {
  try {
    return connection.provider === 'sqlite' ? await readSqlite(connection.file) : await readPostgres(connection.url);
  } catch {
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
  const [{ default: pg }, { searchPathOption }] = await Promise.all([import('pg'), import('./adapters/postgres-types.js')]);
  const client = new pg.Client({ connectionString: url, options: searchPathOption(url) });
  await client.connect();
  try {
    return (await client.query<RawRow>(SELECT_ROWS)).rows.map(toRow);
  } finally {
    await client.end().catch(() => undefined);
  }
}
