import { pg } from '../pg.js';
import type PgTypes from 'pg';
import { WholePostgresError } from './postgres-errors.js';

/**
 * A pg Pool whose connection outlives the errors PostgreSQL reports: a query the server refuses
 * (a missing table, a failing migration script) leaves the connection in the pool, rolled back to
 * idle, instead of closing it. Only a broken connection is dropped.
 *
 * Why: pg-pool's `query()` releases its client with the query's error, and a client released
 * with an error is closed. The engine's pool has one connection, on which it takes PostgreSQL's
 * session-level migration lock: the first refused query (devDiagnostic's read of a
 * `_prisma_migrations` that does not exist yet, on every new database) silently released the lock,
 * and two `migrate dev` at once both went on to write an `_init` migration. The native engine keeps
 * one connection for the whole command.
 * It also kept a failed migration's failure from being recorded under the lock, and after a script
 * that exhausted the lock table the new connection was refused (`FATAL: out of shared memory`): the
 * row kept its interrupted marker and the next deploy retried it.
 * Test: test/concurrent-dev.test.ts; test/migration-lock.test.ts ("the lock is kept after a refused query");
 * test/migration-bookkeeping.test.ts ("a failing migration keeps the session that holds the migration lock ...").
 */
export class SessionPool extends pg.Pool {
  // biome-ignore lint/suspicious/noExplicitAny: pg.Pool's constructor options, passed on unchanged.
  constructor(...args: any[]) {
    super(...args);
    // A session the server ends (a shadow database dropped WITH (FORCE) on Ctrl-C) reports it to
    // the query that is running, if any; the error event it also emits must not end the process.
    this.on('connect', (client) => client.on('error', () => undefined));
  }

  // biome-ignore lint/suspicious/noExplicitAny: pg's query() has a dozen overloads; the promise forms are served here, the callback forms by pg-pool.
  override query(...args: any[]): any {
    if (args.some((a) => typeof a === 'function')) return (super.query as (...a: unknown[]) => unknown)(...args);
    return this.connect().then(async (client) => {
      // An error event while the query runs (the socket died) rejects the query too: nothing to add.
      const ignore = () => undefined;
      client.on('error', ignore);
      try {
        // biome-ignore lint/suspicious/noExplicitAny: see above
        const result = await (client.query as (...a: any[]) => Promise<unknown>)(...args);
        client.release();
        return result;
      } catch (error) {
        client.release((await recoveredFrom(client, error)) ? undefined : (error as Error));
        throw error;
      } finally {
        client.removeListener('error', ignore);
      }
    });
  }
}

/**
 * Whether the connection is usable after the error: the server reported an ERROR (the session
 * itself is fine) and a ROLLBACK ends whatever transaction the failed query left open (a script's own
 * BEGIN); outside one, ROLLBACK only warns. Session settings and session-level locks stay.
 */
async function recoveredFrom(client: PgTypes.PoolClient, error: unknown): Promise<boolean> {
  // CharAsTextClient hands a database error on as a WholePostgresError (postgres-errors.ts), its fields kept apart.
  const { severity, code } = (error instanceof WholePostgresError ? error.fields : (error ?? {})) as { severity?: unknown; code?: unknown };
  // FATAL and PANIC end the session (a terminated backend, a server shutting down): nothing to keep.
  if (severity !== 'ERROR' || typeof code !== 'string') return false;
  try {
    await client.query('ROLLBACK');
    return true;
  } catch {
    return false;
  }
}
