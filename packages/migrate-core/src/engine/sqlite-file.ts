import { existsSync, mkdirSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { MigrateError } from '../errors.js';
import type { Connection } from './connection.js';

type SqliteConnection = Extract<Connection, { provider: 'sqlite' }>;

/**
 * Prisma's P1003 for a SQLite file that does not exist, naming the path.
 *
 * Why: better-sqlite3 creates the file it is asked to open, so `status`, `check`, `diff` and
 * `resolve` left an empty database behind where PostgreSQL says P1003 (and where the native engine's
 * connection check says "Database `dev.db` does not exist"). Verbs that only read refuse instead.
 * Test: test/sqlite-database-file.test.ts.
 */
export function sqliteDatabaseMissing(file: string): MigrateError {
  return new MigrateError('P1003', `Database \`${basename(file)}\` does not exist at \`${file}\`.`, {
    hint: (command) =>
      `Check the path in the database URL (a relative \`file:\` path is resolved against the schema's folder), or create the database by applying the migrations: \`${command('deploy')}\`.`,
    details: { file },
  });
}

/** Fails with P1003 unless the SQLite database file exists. */
export function assertSqliteFileExists(connection: SqliteConnection): void {
  if (!existsSync(connection.file)) throw sqliteDatabaseMissing(connection.file);
}

/**
 * Creates the folder of a SQLite database file that is about to be created (the file itself is
 * created when the driver opens it).
 *
 * Why: better-sqlite3 fails with "Cannot open database because the directory does not exist";
 * Prisma's SQLite connector creates the missing parent folders (`create_database`: `create_dir_all`).
 * Test: test/sqlite-database-file.test.ts ("... in a folder that does not exist").
 */
export function createSqliteFileFolder(connection: SqliteConnection): void {
  if (existsSync(connection.file)) return;
  const folder = dirname(connection.file);
  try {
    mkdirSync(folder, { recursive: true });
  } catch (error) {
    throw new MigrateError('P1003', `Database \`${basename(connection.file)}\` does not exist at \`${connection.file}\`, and its folder \`${folder}\` could not be created: ${(error as Error).message}`, {
      hint: 'Check the path in the database URL, and that this user may write there.',
      details: { file: connection.file },
      cause: error,
    });
  }
}
