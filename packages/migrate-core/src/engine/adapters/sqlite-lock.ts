import type { SqlDriverAdapter, SqlQuery } from '@prisma/driver-adapter-utils';
import { ErrorCodes, MigrateError } from '../../errors.js';
import { overrideMethods } from './override.js';

const EXCLUSIVE_LOCKING_MODE = /^\s*PRAGMA\s+(main\.)?locking_mode\s*=\s*EXCLUSIVE\s*;?\s*$/i;

function isBusy(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const codes = [(e as { code?: unknown }).code, (e as { originalCode?: unknown }).originalCode];
    if (codes.some((c) => typeof c === 'string' && c.startsWith('SQLITE_BUSY'))) return true;
  }
  return false;
}

/**
 * Takes SQLite's write lock as soon as the engine puts a connection in exclusive locking mode.
 *
 * Why: the engine starts every session with `PRAGMA main.locking_mode=EXCLUSIVE`: the connection
 * then keeps a shared lock from its first read and an exclusive one from its first write, until it
 * closes. Two processes that both read first (every deploy does) and then both write deadlock, and
 * SQLite answers one of them SQLITE_BUSY at once instead of waiting out the busy timeout: of six
 * concurrent deploys, all but one failed with "database is locked" (which the engine, given the
 * adapter's `SocketTimeout` error kind, cannot even name). Taking the exclusive lock before the
 * first read (BEGIN EXCLUSIVE waits out the busy timeout; in exclusive mode the lock outlives the
 * COMMIT) makes the others wait their turn, as PostgreSQL's advisory lock does.
 * Test: test/engine-concurrency.test.ts ("two deploys that have both read under exclusive locking
 * mode before either writes ...", and the six concurrent deploys).
 */
export function lockWhenExclusive(adapter: SqlDriverAdapter, database: { file: string; timeoutMs: number }): SqlDriverAdapter {
  return overrideMethods(adapter, {
    async executeRaw(query: SqlQuery) {
      const result = await adapter.executeRaw(query);
      if (!EXCLUSIVE_LOCKING_MODE.test(query.sql)) return result;
      try {
        await adapter.executeScript('BEGIN EXCLUSIVE; COMMIT;');
      } catch (error) {
        if (!isBusy(error)) throw error;
        throw new MigrateError(
          ErrorCodes.lockTimeout,
          `Timed out after ${database.timeoutMs / 1000} s waiting for another process to release the SQLite database "${database.file}".`,
          { hint: 'Another migrate command, or an application in a long write transaction, is using the database: let it finish and run the command again.', cause: error },
        );
      }
      return result;
    },
  });
}
