import { existsSync } from 'node:fs';
import pg from 'pg';
import { POSTGRES_SERVER_URL } from './databases.js';

/**
 * The tests drive the built CLI, and never skip a database: if PostgreSQL cannot be reached or
 * the package is not built, the run fails here, loudly.
 */
export default async function setup(): Promise<void> {
  for (const built of ['../../dist/cli.js', '../../node_modules/@migrate-kit/migrate-core/dist/cli/index.js']) {
    if (!existsSync(new URL(built, import.meta.url))) throw new Error(`${built} is missing: build migrate-core and zenstack-migrate first (tsc -p tsconfig.build.json).`);
  }
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
