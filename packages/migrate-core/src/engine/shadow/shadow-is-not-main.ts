import { existsSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ErrorCodes, MigrateError } from '../../errors.js';
import { redactUrl } from '../../redact.js';

/**
 * A configured shadow database is emptied before every replay. Before that happens, prove it is
 * not the main database by what the server (or the file system) says, not by how the URLs are
 * spelled.
 *
 * Why: Prisma compares the two URLs as strings. `localhost` and `127.0.0.1`, a percent-encoded
 * database name, `postgres://` and `postgresql://`, an explicit default port, a `host=` socket
 * parameter, `./dev.db` and an absolute path, a symlink or a hard link all name the same database
 * under another spelling, and resetting that "shadow" wiped the main database, migrations table
 * included. Test: test/shadow-is-not-main.test.ts.
 */

/** What a PostgreSQL session says about where it is: enough to tell two databases apart. */
export interface PostgresDatabaseIdentity {
  database: string;
  port: string;
  /** pg_control_system().system_identifier: the cluster's identity (null when the role may not read it). */
  system: string | null;
  /** When the server started: tells two servers apart when the system identifier is not readable. */
  started: string;
}

const IDENTITY_SQL = `SELECT current_database() AS database, current_setting('port') AS port, pg_postmaster_start_time()::text AS started`;
const SYSTEM_SQL = `SELECT system_identifier::text AS system FROM pg_control_system()`;

/** The one query that identifies a database (two when the role may not read pg_control_system). */
export async function postgresDatabaseIdentity(query: (sql: string) => Promise<Record<string, unknown>[]>): Promise<PostgresDatabaseIdentity> {
  let system: string | null = null;
  let row: Record<string, unknown> | undefined;
  try {
    row = (await query(`${IDENTITY_SQL}, (${SYSTEM_SQL}) AS system`))[0];
    system = row?.system === null || row?.system === undefined ? null : String(row.system);
  } catch {
    row = (await query(IDENTITY_SQL))[0];
  }
  return { database: String(row?.database), port: String(row?.port), system, started: String(row?.started) };
}

/** Same cluster (by its system identifier, or by port and start time), same database. */
export function samePostgresDatabase(a: PostgresDatabaseIdentity, b: PostgresDatabaseIdentity): boolean {
  if (a.database !== b.database || a.port !== b.port) return false;
  return a.system !== null && b.system !== null ? a.system === b.system : a.started === b.started;
}

/** Whether two SQLite paths are one file: the same path once symlinks are followed, or the same inode (a hard link). */
export function sameSqliteFile(a: string, b: string): boolean {
  if (resolve(a) === resolve(b)) return true;
  if (realPathOf(a) === realPathOf(b)) return true;
  if (!existsSync(a) || !existsSync(b)) return false;
  const x = statSync(a);
  const y = statSync(b);
  return x.dev === y.dev && x.ino === y.ino;
}

/** The real path of a file, or of its nearest existing folder joined with the rest (the file may not exist yet). */
function realPathOf(path: string): string {
  const absolute = resolve(path);
  if (existsSync(absolute)) return realpathSync(absolute);
  const parent = dirname(absolute);
  return parent === absolute ? absolute : join(realPathOf(parent), basename(absolute));
}

/** The refusal: both URLs named (passwords redacted), and the fix. */
export function shadowIsMainDatabaseError(mainUrl: string, shadowUrl: string, what: string): MigrateError {
  return new MigrateError(
    ErrorCodes.invalidUrl,
    `The shadow database URL "${redactUrl(shadowUrl)}" names the main database "${redactUrl(mainUrl)}" (${what}). It was not reset: a shadow database is emptied on every use.`,
    {
      hint: 'Give the shadow database a database of its own (e.g. CREATE DATABASE app_shadow) and point the shadow database URL at it where this project sets it (`shadowDatabaseUrl` in prisma.config.ts, the schema or ZModel datasource, or keystone.ts `db`; SHADOW_DATABASE_URL; --shadow-database-url where the CLI has it), or remove that URL to let migrate-kit use a temporary shadow database.',
      details: { mainUrl: redactUrl(mainUrl), shadowDatabaseUrl: redactUrl(shadowUrl) },
    },
  );
}
