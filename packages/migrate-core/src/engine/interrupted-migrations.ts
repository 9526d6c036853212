import { INTERRUPTED_MIGRATION_LOGS, MIGRATION_LOCK_KEY } from './adapters/postgres-migration-transaction.js';
import type PgTypes from 'pg';
import type { Connection } from './connection.js';

/** Unfinished rows of `_prisma_migrations` that still carry the interrupted marker. */
export interface UnfinishedMigrations {
  /** Their process stopped before the script committed: nothing of them was applied; deploy and dev apply them again. */
  interrupted: string[];
  /** A live process holds the migration lock: it is applying them right now. */
  inProgress: string[];
}

export const NO_UNFINISHED_MIGRATIONS: UnfinishedMigrations = { interrupted: [], inProgress: [] };

/**
 * Reads which unfinished migrations carry INTERRUPTED_MIGRATION_LOGS (PostgreSQL; SQLite writes no
 * marker), and whether another session holds the migration lock (`pg_advisory_lock(72707369)`),
 * which makes them in progress rather than interrupted: the process that wrote the marker holds the
 * lock until its script has committed or rolled back. The lock is looked at before and after the
 * rows, so a deploy that finishes or starts between the two reads still counts as in progress.
 * Reads only; its own session never holds the lock.
 */
export async function readUnfinishedMigrations(connection: Connection): Promise<UnfinishedMigrations> {
  if (connection.provider !== 'postgresql') return NO_UNFINISHED_MIGRATIONS;
  return withReadingClient(connection.url, async (client) => {
    const heldBefore = await lockHeldElsewhere(client);
    const exists = await client.query<{ table: string | null }>(`SELECT pg_catalog.to_regclass('"_prisma_migrations"')::text AS "table"`);
    if (exists.rows[0]?.table == null) return NO_UNFINISHED_MIGRATIONS;
    const { rows } = await client.query<{ name: string }>(
      `SELECT "migration_name" AS "name" FROM "_prisma_migrations" WHERE "finished_at" IS NULL AND "rolled_back_at" IS NULL AND "logs" OPERATOR(pg_catalog.=) $1 ORDER BY "started_at"`,
      [INTERRUPTED_MIGRATION_LOGS],
    );
    const names = rows.map((r) => r.name);
    if (names.length === 0) return NO_UNFINISHED_MIGRATIONS;
    return heldBefore || (await lockHeldElsewhere(client)) ? { interrupted: [], inProgress: names } : { interrupted: names, inProgress: [] };
  });
}

/**
 * Whether another session holds the migration lock (PostgreSQL; false on SQLite, and when it
 * cannot be read). Why: a migration is written with its `_prisma_migrations` row in one transaction
 * (adapters/postgres-migration-transaction.ts), so while a deploy applies it, it looks pending;
 * `status` says that a migration command is running.
 * Test: test/interrupted-dev.test.ts ("while a deploy applies a slow migration ...").
 */
export async function migrationLockHeldElsewhere(connection: Connection): Promise<boolean> {
  if (connection.provider !== 'postgresql') return false;
  return withReadingClient(connection.url, lockHeldElsewhere).catch(() => false);
}

/** A plain session on the database of `url` (its `?schema=` as search_path), ended after `fn`. */
async function withReadingClient<T>(url: string, fn: (client: PgTypes.Client) => Promise<T>): Promise<T> {
  const [{ pg }, { searchPathOption }] = await Promise.all([import('./pg.js'), import('./adapters/postgres-types.js')]);
  const client = new pg.Client({ connectionString: url, options: searchPathOption(url) });
  try {
    await client.connect();
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

const lockHeldElsewhere = async (client: PgTypes.Client): Promise<boolean> =>
  (await client.query<{ held: boolean }>(LOCK_HELD_ELSEWHERE, [MIGRATION_LOCK_KEY])).rows[0]?.held === true;

/** A session other than this one holds the advisory lock (a bigint key shows as classid = high half, objid = low half, objsubid = 1). */
const LOCK_HELD_ELSEWHERE = `SELECT EXISTS (
  SELECT 1 FROM pg_catalog.pg_locks
  WHERE locktype OPERATOR(pg_catalog.=) 'advisory' AND granted AND objsubid OPERATOR(pg_catalog.=) 1
    AND ((classid::pg_catalog.int8 OPERATOR(pg_catalog.<<) 32) OPERATOR(pg_catalog.|) objid::pg_catalog.int8) OPERATOR(pg_catalog.=) $1::pg_catalog.int8
    AND database OPERATOR(pg_catalog.=) (SELECT oid FROM pg_catalog.pg_database WHERE datname OPERATOR(pg_catalog.=) pg_catalog.current_database())
    AND pid OPERATOR(pg_catalog.<>) pg_catalog.pg_backend_pid()
) AS "held"`;
