import pg from 'pg';
import { redactSecrets } from '../redact.js';
import type { Connection } from './connection.js';

/**
 * Creates the PostgreSQL database named in the URL when it does not exist, as Prisma's
 * `migrate dev`, `migrate deploy`, `migrate reset` and `db push` do (SQLite files are created on
 * open anyway). Returns the name of the database it created, or undefined. Connects through the
 * server's `postgres` database (then `template1`) only when the target is missing (3D000).
 */
export async function ensureDatabaseExists(connection: Connection): Promise<string | undefined> {
  if (connection.provider !== 'postgresql') return undefined;
  const target = new URL(connection.url);
  const database = decodeURIComponent(target.pathname.slice(1));
  if (!database) return undefined;
  const probe = new pg.Client({ connectionString: connection.url });
  try {
    await probe.connect();
    return undefined;
  } catch (error) {
    if ((error as { code?: string }).code !== '3D000') return undefined; // the engine reports every other failure with its P-code
  } finally {
    await probe.end().catch(() => undefined);
  }
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
      return database;
    } catch (error) {
      if ((error as { code?: string }).code === '42P04') return undefined; // created meanwhile by a concurrent run
      throw new Error(redactSecrets(`Could not create the database "${database}": ${(error as Error).message}`));
    } finally {
      await admin.end().catch(() => undefined);
    }
  }
  return undefined;
}
