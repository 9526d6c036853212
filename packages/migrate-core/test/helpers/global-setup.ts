import pg from 'pg';
import { POSTGRES_SERVER_URL } from './databases.js';

/**
 * The database tests never skip: if PostgreSQL cannot be reached, the run fails here, loudly.
 * (.ci/run starts the server first; see scripts/services.mjs.)
 */
export default async function setup(): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_SERVER_URL, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    throw new Error(`PostgreSQL is not reachable at ${POSTGRES_SERVER_URL}: ${(error as Error).message}. Start it (node scripts/services.mjs) or set MIGRATE_KIT_TEST_POSTGRES_URL.`);
  } finally {
    await client.end().catch(() => undefined);
  }
}
