import Database from 'better-sqlite3';

/** An open better-sqlite3 connection. */
export type SqliteConnection = Database.Database;

/**
 * Runs `fn` on a short-lived better-sqlite3 connection to `file`, closed whatever happens. The
 * tests read and write SQLite databases this way, never through the CLI under test. `options`
 * as better-sqlite3 takes them (`fileMustExist`, a busy `timeout`, ...).
 */
export function withSqliteFile<T>(file: string, fn: (db: SqliteConnection) => T, options: Database.Options = {}): T {
  const db = new Database(file, options);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}
