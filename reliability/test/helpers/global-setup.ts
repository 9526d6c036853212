import { existsSync } from 'node:fs';
import pg from 'pg';
import { BINS } from './cli.js';
import { POSTGRES_SERVER_URL } from './databases.js';

/**
 * The suite drives the built CLIs against the machine's PostgreSQL and never skips: a missing
 * build or an unreachable server fails the run here, loudly.
 */
export default async function setup(): Promise<void> {
  for (const [name, bin] of Object.entries(BINS)) {
    const dist = new URL('../dist/', `file://${bin}`);
    if (!existsSync(dist)) throw new Error(`${name}: ${dist.pathname} is missing. Build first: turbo run build (from the repository root).`);
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
