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
 * Takes SQLite's write lock as the engine puts a connection in exclusive locking mode.
 *
 * Why: the engine starts every session with `PRAGMA main.locking_mode=EXCLUSIVE`: the connection
 * then keeps a shared lock from its first read and an exclusive one from its first write, until it
 * closes. Two processes that both read first (every deploy does) and then both write deadlock, and
 * SQLite answers one of them SQLITE_BUSY at once instead of waiting out the busy timeout: of six
 * concurrent deploys, all but one failed with "database is locked" (which the engine, given the
 * adapter's `SocketTimeout` error kind, cannot even name). So the write lock is taken before the
 * first read, with BEGIN EXCLUSIVE, which waits out the busy timeout.
 *
 * And it is taken *before* the PRAGMA, still in NORMAL locking mode, the PRAGMA running inside
 * that transaction (in exclusive mode the lock outlives the COMMIT). Taken after the PRAGMA, a
 * BEGIN EXCLUSIVE that lost the race for the reserved lock kept the shared lock it had got on the
 * way (exclusive mode releases nothing), and the winner waited for that shared lock to go while
 * the loser waited for the winner: with 16 concurrent deploys, about one round in ten stalled for
 * the whole 30 s busy timeout and most processes failed. In NORMAL mode a BEGIN EXCLUSIVE that
 * has to wait gives its shared lock back first.
 * Test: test/engine-concurrency.test.ts ("two deploys that have both read under exclusive locking
 * mode before either writes ...", and the six concurrent deploys); reliability/test/concurrency.test.ts
 * (16 concurrent deploys, 20 rounds).
 */
export function lockWhenExclusive(adapter: SqlDriverAdapter, database: { file: string; timeoutMs: number }): SqlDriverAdapter {
  return overrideMethods(adapter, {
    async executeRaw(query: SqlQuery) {
      if (!EXCLUSIVE_LOCKING_MODE.test(query.sql)) return adapter.executeRaw(query);
      try {
        await adapter.executeScript('BEGIN EXCLUSIVE;');
      } catch (error) {
        if (!isBusy(error)) throw error;
        throw new MigrateError(
          ErrorCodes.lockTimeout,
          `Timed out after ${database.timeoutMs / 1000} s waiting for another process to release the SQLite database "${database.file}".`,
          { hint: 'Another migrate command, or an application in a long write transaction, is using the database: let it finish and run the command again.', cause: error },
        );
      }
      try {
        const result = await adapter.executeRaw(query);
        await adapter.executeScript('COMMIT;');
        return result;
      } catch (error) {
        await adapter.executeScript('ROLLBACK;').catch(() => undefined);
        throw error;
      }
    },
  });
}

/**
 * Turns SQLITE_BUSY (another connection held the file past the busy timeout) into MK_LOCK_TIMEOUT.
 *
 * Why: the better-sqlite3 adapter reports it as a DriverAdapterError of kind `SocketTimeout`,
 * which the Wasm engine (8.1) cannot decode: the user read "unknown variant `SocketTimeout`,
 * expected one of ...". A plain error reaches the engine as a JS error it passes back whole.
 * Test: test/lifecycle-json-and-errors.test.ts ("a SQLite database locked by another process").
 */
export function reportBusyAsLockTimeout(adapter: SqlDriverAdapter, database: { file: string; timeoutMs: number }): SqlDriverAdapter {
  const busy = (error: unknown): unknown =>
    isBusy(error)
      ? new MigrateError(ErrorCodes.lockTimeout, `The SQLite database "${database.file}" stayed locked by another connection for ${database.timeoutMs / 1000} s (database is locked).`, {
          hint: 'Another process holds the file (a running app or dev server, a database browser, another migrate command): stop it or let it finish, then run the command again. `?socket_timeout=<seconds>` in the URL sets how long to wait.',
          cause: error,
        })
      : error;
  return overrideMethods(adapter, {
    queryRaw: (query: SqlQuery) => adapter.queryRaw(query).catch((e: unknown) => Promise.reject(busy(e))),
    executeRaw: (query: SqlQuery) => adapter.executeRaw(query).catch((e: unknown) => Promise.reject(busy(e))),
    executeScript: (script: string) => adapter.executeScript(script).catch((e: unknown) => Promise.reject(busy(e))),
  });
}
