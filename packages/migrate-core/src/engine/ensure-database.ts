import pg from 'pg';
import { redactSecrets } from '../redact.js';
import type { Connection } from './connection.js';

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
    const admin = new pg.Client({ connectionString: url.toString() });
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
      if ((error as { code?: string }).code === '42P04') return { name: database, created: false }; // created meanwhile by a concurrent run
      throw new Error(redactSecrets(`Could not create the database "${database}": ${(error as Error).message}`));
    } finally {
      await admin.end().catch(() => undefined);
    }
  }
  return undefined;
}
