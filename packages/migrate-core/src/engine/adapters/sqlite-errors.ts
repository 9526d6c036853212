import { DriverAdapterError, isDriverAdapterError, type SqlDriverAdapter } from '@prisma/driver-adapter-utils';
import { decodableByEngine } from './engine-error-kinds.js';
import { overrideMethods } from './override.js';

/**
 * SQLite's result code name (`SQLITE_CONSTRAINT_UNIQUE`) and message, for a failed script: the
 * generic `sqlite` kind, which the engine shows as its message. The message starts with the code,
 * so it is never lost, and so that the engine does not reword it (it reads "no such table ..." as
 * its P1014 "The underlying table for model ... does not exist", a unique violation as P2002).
 */
export function sqliteScriptErrorKind(code: string, message: string) {
  return { kind: 'sqlite' as const, extendedCode: 1, message: `${code}: ${message}`, originalCode: code, originalMessage: message };
}

/**
 * Hands the engine a failed script's SQLite error as SQLite said it.
 *
 * Why: @prisma/adapter-better-sqlite3 maps SQLite's errors to driver-adapter error kinds, and the
 * Wasm engine (8.1) turns several of those into query-engine errors when a migration's script fails:
 * a missing table became `P1014 The underlying table for model 'x' does not exist`, a duplicate
 * `P2002 Unique constraint failed`, with no P3018 and no migration named. The native engine reports
 * P3018 with the migration and SQLite's message. A busy database is left to sqlite-lock.ts, and a
 * kind the engine cannot decode becomes one it can.
 * Test: test/migration-errors.test.ts (SQLite failures through `deploy`).
 */
export function reportSqliteScriptErrorsWhole(adapter: SqlDriverAdapter): SqlDriverAdapter {
  const forEngine = (error: unknown): never => {
    if (!isDriverAdapterError(error)) throw error;
    const { originalCode, originalMessage } = error.cause;
    if (originalCode?.startsWith('SQLITE_BUSY')) throw error;
    if (originalCode && originalMessage !== undefined) throw new DriverAdapterError(sqliteScriptErrorKind(originalCode, originalMessage));
    throw new DriverAdapterError(decodableByEngine(error.cause, 'sqlite'));
  };
  // Only scripts: the engine's own statements keep their kinds (it reads "no such table" on
  // `_prisma_migrations` as a database without migrations).
  return overrideMethods(adapter, {
    async executeScript(script: string) {
      // better-sqlite3's executeScript throws synchronously: awaited inside try, both ways are caught.
      try {
        await adapter.executeScript(script);
      } catch (error) {
        forEngine(error);
      }
    },
  });
}
