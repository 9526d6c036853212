import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** The PostgreSQL server the tests use (the machine's, trust auth). */
export const POSTGRES_SERVER_URL = process.env.MIGRATE_KIT_TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export function postgresUrl(database: string, server = POSTGRES_SERVER_URL): string {
  const url = new URL(server);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function withPostgresClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export interface TestPostgresDatabase {
  name: string;
  url: string;
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<R[]>;
  drop(): Promise<void>;
}

/** A fresh, uniquely named database on the test server; `drop()` removes it. */
export async function createPostgresDatabase(prefix = 'mk_test'): Promise<TestPostgresDatabase> {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  await withPostgresClient(POSTGRES_SERVER_URL, (c) => c.query(`CREATE DATABASE "${name}"`));
  const url = postgresUrl(name);
  return {
    name,
    url,
    query: (sql, params) => withPostgresClient(url, async (c) => (await c.query(sql, params as unknown[])).rows),
    drop: () => withPostgresClient(POSTGRES_SERVER_URL, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

/** Names of the temporary shadow databases currently on the server. */
export async function listShadowDatabases(): Promise<string[]> {
  return withPostgresClient(POSTGRES_SERVER_URL, async (c) => (await c.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'migrate_kit_shadow_%'`)).rows.map((r) => r.datname));
}

/** A temporary project folder. */
export function createProjectDir(prefix = 'mk-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function writeFile(path: string, content: string): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, content);
  return path;
}
