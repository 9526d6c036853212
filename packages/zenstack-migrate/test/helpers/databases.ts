import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The PostgreSQL server the tests use (the machine's, trust auth). */
export const POSTGRES_SERVER_URL = process.env.MIGRATE_KIT_TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

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
  query(sql: string): Promise<Record<string, unknown>[]>;
  drop(): Promise<void>;
}

/** A fresh, uniquely named database on the test server; `drop()` removes it. */
export async function createPostgresDatabase(prefix: string): Promise<TestPostgresDatabase> {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  await withPostgresClient(POSTGRES_SERVER_URL, (c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(POSTGRES_SERVER_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    query: (sql) => withPostgresClient(url.toString(), async (c) => (await c.query(sql)).rows as Record<string, unknown>[]),
    drop: () => withPostgresClient(POSTGRES_SERVER_URL, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}
