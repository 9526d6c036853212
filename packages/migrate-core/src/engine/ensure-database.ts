import type pg from 'pg';
import { redactSecrets } from '../redact.js';
import type { Connection } from './connection.js';
import { databaseCreationDenied, INSUFFICIENT_PRIVILEGE } from './database-creation-denied.js';
import { PostgresClient } from './postgres-client.js';

/**
 * Creates the PostgreSQL database named in the URL, as Prisma's `migrate dev`, `migrate deploy`,
 * `migrate reset` and `db push` do when it is missing (SQLite files are created on open anyway).
 * Called only after the engine reported P1003. Connects through the server's `postgres` database
 * (then `template1`). Says whether the database exists now and whether this call created it
 * (a concurrent run may have been first); undefined when no maintenance database was reachable.
 */
export async function createMissingDatabase(connection: Connection): Promise<{ name: string; created: boolean } | undefined> {
  if (connection.provider !== 'postgresql') return undefined;
  const database = decodeURIComponent(new URL(connection.url).pathname.slice(1));
  if (!database) return undefined;
  for (const maintenance of ['postgres', 'template1']) {
    const url = new URL(connection.url);
    url.pathname = `/${maintenance}`;
    const admin = new PostgresClient({ connectionString: url.toString() });
    try {
      await admin.connect();
    } catch {
      await admin.end().catch(() => undefined);
      continue;
    }
    try {
      await admin.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
      return { name: database, created: true };
    } catch (error) {
      if (createdConcurrently(error)) return { name: database, created: false };
      if ((error as { code?: string }).code === INSUFFICIENT_PRIVILEGE) throw await creationDenied(admin, database, url, error);
      throw new Error(redactSecrets(`Could not create the database "${database}": ${(error as Error).message}`));
    } finally {
      await admin.end().catch(() => undefined);
    }
  }
  return undefined;
}

/** P1003 naming the role that may not create the database (asked of the server: the URL may name no user). */
async function creationDenied(admin: pg.Client, database: string, url: URL, cause: unknown) {
  const role = await admin.query<{ role: string }>('SELECT current_user AS role').then(
    (result) => result.rows[0]?.role ?? decodeURIComponent(url.username),
    () => decodeURIComponent(url.username),
  );
  return databaseCreationDenied({ name: database, server: `${url.hostname}:${url.port || '5432'}`, role }, cause);
}

/**
 * Whether CREATE DATABASE failed because another session created the same database meanwhile:
 * 42P04 (duplicate_database) when it had committed before, 23505 on `pg_database_datname_index`
 * when both ran at the same moment (the loser waits for the winner's commit, then finds its row).
 * Either way the database now exists, which is what the caller wanted.
 * Test: test/concurrent-dev.test.ts ("two migrate dev at once on a database that does not exist ...").
 */
function createdConcurrently(error: unknown): boolean {
  const { code, constraint } = error as { code?: string; constraint?: string };
  return code === '42P04' || (code === '23505' && (constraint === undefined || constraint === 'pg_database_datname_index'));
}
