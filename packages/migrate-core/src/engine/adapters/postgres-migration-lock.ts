import type { SqlDriverAdapter, SqlQuery } from '@prisma/driver-adapter-utils';
import { MigrateError } from '../../errors.js';
import { overrideMethods } from './override.js';

/** The key Prisma's engine locks to serialise migration commands on one database (session-level). */
const MIGRATION_LOCK_KEY = 72707369;
/** How the engine asks for it (schema engine 8.1, through executeRaw), matched exactly. */
const MIGRATION_LOCK_SQL = `SELECT pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
/** Prisma's advisory lock timeout (sql-schema-connector, postgres flavour). */
export const MIGRATION_LOCK_TIMEOUT_MS = 10_000;
/**
 * For the engine's own request, a little less: the Wasm engine (8.1) arms its own 10 s timer on the
 * request, and when that fires first the user reads a P1002 naming neither the server nor the
 * holder, while our wait goes on unobserved. Ours must end first.
 */
const ENGINE_REQUEST_TIMEOUT_MS = MIGRATION_LOCK_TIMEOUT_MS - 500;
/** After this long waiting, the session holding the lock is named on stderr. */
const REPORT_HOLDER_AFTER_MS = 1_000;
const POLL_EVERY_MS = 100;

/** The PostgreSQL session holding the migration lock, as far as pg_stat_activity shows it to us. */
export interface MigrationLockHolder {
  pid: number;
  applicationName: string | null;
  clientAddress: string | null;
  user: string | null;
  state: string | null;
  /** When its session connected (the lock itself carries no time). */
  connectedSince: string | null;
  /** When it entered its current state (idle since ...). */
  stateSince: string | null;
}

export interface MigrationLockOptions {
  /** The server, for Prisma's P1002 text. */
  host: string;
  port: string;
  /** Told once the wait has lasted a second, with the session that holds the lock (and again if another takes it). */
  onWaiting?: ((holder: MigrationLockHolder) => void) | undefined;
  /** Prisma's 10 s unless a test says otherwise. */
  timeoutMs?: number;
}

/**
 * PRISMA_SCHEMA_DISABLE_ADVISORY_LOCK, read as Prisma's engine reads it: set to anything but `""`
 * or `"0"`, the migration lock is not taken (for transaction poolers, where a session-level lock
 * cannot work).
 */
export function migrationLockDisabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env.PRISMA_SCHEMA_DISABLE_ADVISORY_LOCK;
  return value !== undefined && value !== '' && value !== '0';
}

/**
 * Answers the engine's `SELECT pg_advisory_lock(72707369)` by polling pg_try_advisory_lock on the
 * same session: it gives up after 10 s with Prisma's P1002, names the session holding the lock
 * (after one second on stderr through `onWaiting`, and in the error with the SQL that ends it), and
 * takes no lock at all under PRISMA_SCHEMA_DISABLE_ADVISORY_LOCK.
 *
 * Why: the native engine wraps the lock in a 10 s timeout (P1002) and skips it when the variable is
 * set; the Wasm engine (8.1) does neither: with the lock held by another session (an idle pooled
 * connection a crashed deploy left behind, say) `deploy`, `dev`, `reset` and `resolve` waited
 * silently forever. Polling keeps the session free to ask who holds the lock.
 * Test: test/migration-lock.test.ts.
 */
export function waitForMigrationLock(adapter: SqlDriverAdapter, lockOptions: MigrationLockOptions): SqlDriverAdapter {
  const options = { ...lockOptions, timeoutMs: Math.min(lockOptions.timeoutMs ?? MIGRATION_LOCK_TIMEOUT_MS, ENGINE_REQUEST_TIMEOUT_MS) };
  return overrideMethods(adapter, {
    async executeRaw(query: SqlQuery) {
      if (query.sql !== MIGRATION_LOCK_SQL) return adapter.executeRaw(query);
      await acquireMigrationLock(adapter, options);
      return 0;
    },
    async queryRaw(query: SqlQuery) {
      if (query.sql !== MIGRATION_LOCK_SQL) return adapter.queryRaw(query);
      await acquireMigrationLock(adapter, options);
      return { columnNames: ['pg_advisory_lock'], columnTypes: [], rows: [[null]] };
    },
  });
}

/**
 * Takes the migration lock on the adapter's session (re-entrant: a session that holds it gets it
 * again at once), or fails with P1002 after the timeout. Held until the session ends.
 */
export async function acquireMigrationLock(adapter: SqlDriverAdapter, options: MigrationLockOptions): Promise<void> {
  if (migrationLockDisabled()) return;
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? MIGRATION_LOCK_TIMEOUT_MS;
  let reported: number | undefined;
  for (;;) {
    if (await tryLock(adapter)) return;
    const waited = Date.now() - started;
    if (waited >= timeoutMs) throw lockTimeoutError(await findHolder(adapter), waited, options);
    if (waited >= REPORT_HOLDER_AFTER_MS) {
      // pg_locks shows every session's locks to every user: no holder means it was just released.
      const holder = await findHolder(adapter);
      // Once, and again only when another session has taken the lock meanwhile.
      if (holder && holder.pid !== reported) {
        reported = holder.pid;
        options.onWaiting?.(holder);
      }
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_EVERY_MS, Math.max(1, timeoutMs - waited))));
  }
}

async function tryLock(adapter: SqlDriverAdapter): Promise<boolean> {
  const result = await adapter.queryRaw({ sql: `SELECT pg_try_advisory_lock(${MIGRATION_LOCK_KEY}) AS locked`, args: [], argTypes: [] });
  return result.rows[0]?.[0] === true;
}

/**
 * A bigint advisory key shows in pg_locks as classid (high 32 bits), objid (low 32 bits) and
 * objsubid 1; advisory locks belong to one database.
 */
const HOLDER_SQL = `SELECT l.pid, a.application_name, host(a.client_addr) AS client_address, a.usename::text AS "user", a.state,
       a.backend_start::text AS connected_since, a.state_change::text AS state_since
  FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
 WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0 AND l.objid = ${MIGRATION_LOCK_KEY} AND l.objsubid = 1
   AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
   AND l.pid IS DISTINCT FROM pg_backend_pid()
 LIMIT 1`;

async function findHolder(adapter: SqlDriverAdapter): Promise<MigrationLockHolder | undefined> {
  try {
    const { columnNames, rows } = await adapter.queryRaw({ sql: HOLDER_SQL, args: [], argTypes: [] });
    const row = rows[0];
    if (!row) return undefined;
    const get = (name: string) => {
      const value = row[columnNames.indexOf(name)];
      return value === null || value === undefined ? null : String(value);
    };
    const pid = Number(get('pid'));
    if (!Number.isInteger(pid)) return undefined;
    return {
      pid,
      applicationName: get('application_name'),
      clientAddress: get('client_address'),
      user: get('user'),
      state: get('state'),
      connectedSince: get('connected_since'),
      stateSince: get('state_since'),
    };
  } catch {
    return undefined; // naming the holder is a courtesy: the wait and its timeout go on without it
  }
}

/** `PostgreSQL session 4242 (application "psql", client 10.0.0.7, user postgres, connected since ..., idle since ...)`. */
export function describeLockHolder(holder: MigrationLockHolder): string {
  const facts = [
    holder.applicationName ? `application "${holder.applicationName}"` : undefined,
    holder.clientAddress ? `client ${holder.clientAddress}` : holder.state !== null ? 'local socket' : undefined,
    holder.user ? `user ${holder.user}` : undefined,
    holder.connectedSince ? `connected since ${holder.connectedSince}` : undefined,
    holder.state && holder.stateSince ? `${holder.state} since ${holder.stateSince}` : undefined,
  ].filter(Boolean);
  return `PostgreSQL session ${holder.pid}${facts.length ? ` (${facts.join(', ')})` : ''}`;
}

function lockTimeoutError(holder: MigrationLockHolder | undefined, waitedMs: number, options: MigrationLockOptions): MigrateError {
  const at = `\`${options.host}\`:\`${options.port}\``;
  const heldBy = holder
    ? `The lock is held by ${describeLockHolder(holder)}.`
    : 'The session holding the lock could not be identified (it may have released the lock just now).';
  return new MigrateError(
    'P1002',
    `The database server at ${at} was reached but timed out.\n\nPlease try again.\n\nPlease make sure your database server is running at ${at}.\n\nContext: Timed out trying to acquire a postgres advisory lock (SELECT pg_advisory_lock(${MIGRATION_LOCK_KEY})). Elapsed: ${waitedMs}ms. See https://pris.ly/d/migrate-advisory-locking for details.\n\n${heldBy}`,
    {
      hint: holder
        ? `If another migrate command is running, let it finish and run this one again. If that session is left over (an idle connection of a stopped deploy, a forgotten console), end it with \`SELECT pg_terminate_backend(${holder.pid});\` and run the command again.`
        : `If another migrate command is running, let it finish. Otherwise find the session with \`SELECT pid, application_name, client_addr FROM pg_locks JOIN pg_stat_activity USING (pid) WHERE locktype = 'advisory' AND objid = ${MIGRATION_LOCK_KEY};\` and end it with \`SELECT pg_terminate_backend(<pid>);\`.`,
      details: { lockHolder: holder ?? null, waitedMs },
    },
  );
}
