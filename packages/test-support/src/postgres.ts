import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The PostgreSQL server the tests use (the machine's, trust auth); MIGRATE_KIT_TEST_POSTGRES_URL overrides it. */
export const POSTGRES_SERVER_URL = process.env.MIGRATE_KIT_TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export interface PostgresUrlOptions {
  /** The server's URL to start from (default POSTGRES_SERVER_URL). */
  server?: string;
  user?: string;
  password?: string;
}

/** The URL of `database` on the test server, optionally with another user or a password. */
export function postgresUrl(database: string, options: PostgresUrlOptions = {}): string {
  const url = new URL(options.server ?? POSTGRES_SERVER_URL);
  url.pathname = `/${database}`;
  if (options.user !== undefined) url.username = options.user;
  if (options.password !== undefined) url.password = options.password;
  return url.toString();
}

/** Runs `fn` on a client connected to `url`, and closes the client whatever happens. */
export async function withPostgresClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A database of the test server that one test (or file) owns. */
export interface TestPostgresDatabase {
  name: string;
  url: string;
  /** Rows of a query, with `$1` parameters. */
  query<R = pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<R[]>;
  /** Statements that return no rows; several at once are fine. */
  execute(sql: string): Promise<void>;
  drop(): Promise<void>;
}

/** A fresh database named `<prefix>_<10 hex digits>` on the test server; `drop()` removes it. */
export async function createPostgresDatabase(prefix = 'mk_test'): Promise<TestPostgresDatabase> {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  await withPostgresClient(POSTGRES_SERVER_URL, (c) => c.query(`CREATE DATABASE "${name}"`));
  const url = postgresUrl(name);
  return {
    name,
    url,
    query: <R>(sql: string, params?: unknown[]) => withPostgresClient(url, async (c) => (await c.query(sql, params)).rows as R[]),
    execute: (sql) => withPostgresClient(url, async (c) => void (await c.query(sql))),
    drop: () => dropPostgresDatabase(name),
  };
}

/** Drops a database of the test server, sessions still connected to it or not. */
async function dropPostgresDatabase(name: string): Promise<void> {
  await withPostgresClient(POSTGRES_SERVER_URL, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

/** Throws, naming the fix, unless the PostgreSQL server at `url` answers a query within 5 seconds. */
export async function assertPostgresReachable(url = POSTGRES_SERVER_URL): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    throw new Error(`PostgreSQL is not reachable at ${url}: ${(error as Error).message}. Start it (node scripts/services.mjs) or set MIGRATE_KIT_TEST_POSTGRES_URL.`);
  } finally {
    await client.end().catch(() => undefined);
  }
}
