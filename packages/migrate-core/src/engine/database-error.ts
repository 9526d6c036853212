/** What a database said about a failed script: its code (PostgreSQL's SQLSTATE, SQLite's result code) and its text. */
export interface DatabaseError {
  code: string | undefined;
  text: string;
}

/** What the Wasm engine puts before an adapter's error in a failed script's message. */
const ENGINE_WRAPPING = [/^external connector error\n/, /^Error querying the database: /];
/** `ERROR: 23502: column ...`: PostgreSQL's error as the adapter hands it to the engine (adapters/postgres-errors.ts). */
const POSTGRES = /^(ERROR|FATAL|PANIC): ([0-9A-Z]{5}): /;
/** `SQLITE_CONSTRAINT_UNIQUE: UNIQUE constraint failed: ...` (adapters/sqlite-errors.ts). */
const SQLITE = /^(SQLITE_[A-Z_]+): /;

/**
 * The database's own error in the engine's message of a failed script: the engine's wrapping
 * removed, the code taken out of the text as the native engine shows them apart (P3018's
 * "Database error code: 23502" and "Database error: ERROR: column ...").
 */
export function databaseErrorOf(engineMessage: string): DatabaseError {
  let text = engineMessage;
  for (const wrapping of ENGINE_WRAPPING) text = text.replace(wrapping, '');
  const postgres = POSTGRES.exec(text);
  if (postgres) return { code: postgres[2], text: `${postgres[1]}: ${text.slice(postgres[0].length)}` };
  const sqlite = SQLITE.exec(text);
  if (sqlite) return { code: sqlite[1], text: text.slice(sqlite[0].length) };
  return { code: undefined, text };
}

/**
 * The engine's messages that quote a PostgreSQL error as the adapter handed it (P3006 for a
 * migration failing on the shadow database, P3009 quoting a failed migration's logs), with the
 * engine's wrapping replaced by the code and PostgreSQL's own text.
 */
export function withDatabaseErrorsReadable(engineMessage: string): string {
  return engineMessage.replace(/external connector error\nError querying the database: (ERROR|FATAL|PANIC): ([0-9A-Z]{5}): /g, 'Database error code: $2\n$1: ');
}
