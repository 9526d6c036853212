import type pg from 'pg';

/**
 * The history cache is a guest on the user's server: a replayed shadow database kept for the next
 * replay (history-replay.ts), one per main database (server, database, schema), named
 * `migrate_kit_history_*`, its COMMENT saying whose it is. This file holds what keeps it a guest:
 * - any run that touches a server first drops the caches whose main database no longer exists;
 * - after a keep, only the newest cache per main database stays, and the caches of the server
 *   stay under a total size (MIGRATE_KIT_HISTORY_CACHE_MAX_MB, newest first);
 * - `reset` drops its database's cache, and the `cache list|clear` verbs show and drop them all.
 * Test: test/history-cache.test.ts ("... guest ...").
 */

export const HISTORY_CACHE_PREFIX = 'migrate_kit_history_';
const TAG = 'migrate-kit history cache';
const DEFAULT_MAX_MB = 512;

/** What a cache's COMMENT records. */
export interface HistoryCacheRecord {
  /** The main database it belongs to (on the same server). */
  database: string;
  /** The main database's `?schema=` ('' when none). */
  schema: string;
  engine: string;
  /** When it was kept (ms since the epoch); 0 when unknown (a cache kept by an older migrate-kit). */
  keptAt: number;
  /** Hashes of the scripts it ran, in order. */
  scripts: string[];
}

/** A cache on a server, as `cache list` shows it. */
export interface HistoryCacheInfo extends Omit<HistoryCacheRecord, 'scripts'> {
  name: string;
  migrations: number;
  /** pg_database_size, when the role may connect to it. */
  sizeBytes: number | null;
  /** False when its main database is gone (the next run that touches the server drops it). */
  databaseExists: boolean;
}

export function historyCacheComment(record: HistoryCacheRecord): string {
  const { database, schema, engine, keptAt, scripts } = record;
  return `${TAG} owner=${encodeURIComponent(database)} engine=${engine} schema=${encodeURIComponent(schema)} kept=${keptAt} scripts=${scripts.join(',')}`;
}

/** The record in a cache's COMMENT; undefined when it is not one (or is unreadable). */
export function parseHistoryCacheComment(comment: string | null): HistoryCacheRecord | undefined {
  const match = /^migrate-kit history cache owner=(\S*) engine=(\S+)(?: schema=(\S*))?(?: kept=(\d+))? scripts=([0-9a-f,]*)$/.exec(comment ?? '');
  if (!match) return undefined;
  try {
    return {
      database: decodeURIComponent(match[1]!),
      engine: match[2]!,
      schema: decodeURIComponent(match[3] ?? ''),
      keptAt: Number(match[4] ?? 0),
      scripts: match[5] ? match[5].split(',') : [],
    };
  } catch {
    return undefined;
  }
}

/** `MIGRATE_KIT_HISTORY_CACHE_MAX_MB`: the total size the caches of one server may take (default 512 MB). */
export function historyCacheMaxBytes(env: NodeJS.ProcessEnv = process.env): number {
  const mb = Number(env.MIGRATE_KIT_HISTORY_CACHE_MAX_MB);
  return (env.MIGRATE_KIT_HISTORY_CACHE_MAX_MB !== undefined && env.MIGRATE_KIT_HISTORY_CACHE_MAX_MB !== '' && Number.isFinite(mb) && mb >= 0 ? mb : DEFAULT_MAX_MB) * 1024 * 1024;
}

/** Every cache on the client's server, newest first; sizes only when asked (pg_database_size walks each database's files). */
export async function listHistoryCachesOn(client: pg.Client, options: { sizes?: boolean } = {}): Promise<HistoryCacheInfo[]> {
  const { rows } = await client.query<{ datname: string; comment: string | null; size: string | null }>(
    `SELECT datname,
            CASE WHEN datname LIKE 'migrate\\_kit\\_history\\_%' THEN shobj_description(oid, 'pg_database') END AS comment,
            CASE WHEN $1 AND datname LIKE 'migrate\\_kit\\_history\\_%' AND has_database_privilege(oid, 'CONNECT') THEN pg_database_size(oid)::text END AS size
       FROM pg_database`,
    [Boolean(options.sizes)],
  );
  const databases = new Set(rows.map((r) => r.datname));
  return rows
    .filter((r) => r.datname.startsWith(HISTORY_CACHE_PREFIX))
    .map((r) => {
      const record = parseHistoryCacheComment(r.comment);
      return {
        name: r.datname,
        database: record?.database ?? '',
        schema: record?.schema ?? '',
        engine: record?.engine ?? '',
        keptAt: record?.keptAt ?? 0,
        migrations: record?.scripts.length ?? 0,
        sizeBytes: r.size === null ? null : Number(r.size),
        databaseExists: record !== undefined && databases.has(record.database),
      };
    })
    .sort((a, b) => b.keptAt - a.keptAt);
}

async function dropDatabases(client: pg.Client, names: readonly string[]): Promise<string[]> {
  const dropped: string[] = [];
  for (const name of names) {
    // Another process may be dropping or claiming it at the same moment: then it is not ours to drop.
    const ok = await client.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '""')}" WITH (FORCE)`).then(
      () => true,
      () => false,
    );
    if (ok) dropped.push(name);
  }
  return dropped;
}

/** Drops the caches whose main database no longer exists (or whose COMMENT says nothing readable). */
export async function dropCachesOfDroppedDatabases(client: pg.Client): Promise<string[]> {
  const caches = await listHistoryCachesOn(client);
  return dropDatabases(
    client,
    caches.filter((c) => !c.databaseExists).map((c) => c.name),
  );
}

/** Drops the caches of one main database (all engine versions; every schema unless one is named). */
export async function dropHistoryCachesOf(client: pg.Client, database: string, schema?: string): Promise<string[]> {
  const caches = await listHistoryCachesOn(client);
  return dropDatabases(
    client,
    caches.filter((c) => c.database === database && (schema === undefined || c.schema === schema)).map((c) => c.name),
  );
}

/** Drops every cache on the server. */
export async function dropAllHistoryCaches(client: pg.Client): Promise<string[]> {
  return dropDatabases(
    client,
    (await listHistoryCachesOn(client)).map((c) => c.name),
  );
}

/**
 * After `kept` was kept: the other caches of its main database go (older engine versions), then,
 * newest first, every cache that does not fit under the size cap. Returns whether `kept` stayed.
 */
export async function boundHistoryCaches(client: pg.Client, kept: string, maxBytes = historyCacheMaxBytes()): Promise<boolean> {
  const caches = await listHistoryCachesOn(client, { sizes: true });
  const mine = caches.find((c) => c.name === kept);
  const drop = caches.filter((c) => c !== mine && mine !== undefined && c.database === mine.database && c.schema === mine.schema).map((c) => c.name);
  let total = 0;
  for (const cache of caches) {
    if (drop.includes(cache.name)) continue;
    const size = cache.sizeBytes ?? 0;
    if (total + size > maxBytes) drop.push(cache.name);
    else total += size;
  }
  await dropDatabases(client, drop);
  return mine !== undefined && !drop.includes(kept);
}

/** Told when a run kept a history cache for a main database that had none (the CLI says so, once). */
export interface KeptHistoryCache {
  name: string;
  database: string;
}

const listeners = new Set<(kept: KeptHistoryCache) => void>();

export function onHistoryCacheKept(listener: (kept: KeptHistoryCache) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function announceHistoryCacheKept(kept: KeptHistoryCache): void {
  for (const listener of listeners) listener(kept);
}
