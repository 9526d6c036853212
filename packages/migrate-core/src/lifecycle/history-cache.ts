import { resolveConnection } from '../engine/connection.js';
import { ErrorCodes, MigrateError } from '../errors.js';
import { redactSecrets } from '../redact.js';
import type { SchemaSource } from '../source.js';

/** A history cache on the server, as listed. */
export type { HistoryCacheInfo } from '../engine/shadow/history-cache.js';
import type { HistoryCacheInfo } from '../engine/shadow/history-cache.js';

export interface HistoryCacheResult {
  /** The server's caches (after `clear`: those left, e.g. one another role owns). */
  caches: HistoryCacheInfo[];
  /** What `clear` dropped. */
  cleared: string[];
  /** False on SQLite: its shadow database lives in memory, nothing is kept. */
  applies: boolean;
}

/**
 * `cache list|clear`: the history caches (`migrate_kit_history_*`, replayed shadow databases kept to
 * make the next dev/check/diff fast) on the server of the source's database. `clear` drops the
 * caches of the source's database and those whose database is gone; with `all`, every cache of the
 * server (other projects' too). A cache is only ever an optimisation: nothing is lost.
 */
export async function historyCache(source: SchemaSource, action: 'list' | 'clear', options: { all?: boolean } = {}): Promise<HistoryCacheResult> {
  const connection = resolveConnection(source);
  if (connection.provider !== 'postgresql') return { caches: [], cleared: [], applies: false };
  // Loaded here: it needs the pg driver.
  const { withClient } = await import('../engine/shadow/postgres-shadow-database.js');
  const { dropAllHistoryCaches, dropCachesOfDroppedDatabases, dropHistoryCachesOf, listHistoryCachesOn } = await import('../engine/shadow/history-cache.js');
  const database = decodeURIComponent(new URL(connection.url).pathname.slice(1));
  const clear = async (client: Parameters<typeof listHistoryCachesOn>[0]) =>
    options.all ? dropAllHistoryCaches(client) : [...(await dropHistoryCachesOf(client, database)), ...(await dropCachesOfDroppedDatabases(client))];
  const run = (url: string) =>
    withClient(url, async (client) => {
      const cleared = action === 'clear' ? await clear(client) : [];
      return { caches: await listHistoryCachesOn(client, { sizes: true }), cleared, applies: true };
    });
  try {
    return await run(connection.url);
  } catch (error) {
    // The project's database may be gone (its cache with it, at the next run): ask the server's maintenance database.
    if ((error as { code?: string }).code !== '3D000') throw cacheReadError(error);
    return run(withDatabase(connection.url, 'postgres')).catch((retried: unknown) => {
      throw cacheReadError(retried);
    });
  }
}

function cacheReadError(error: unknown): MigrateError {
  return new MigrateError(ErrorCodes.engine, `Could not read the history caches on the server: ${redactSecrets((error as Error).message)}`, {
    hint: 'Check that the database server in the URL is running and that the user may connect.',
    cause: error,
  });
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
