import { POSTGRES_SERVER_URL, withPostgresClient } from '@migrate-kit/test-support';

export {
  createPostgresDatabase,
  createProjectDir,
  POSTGRES_SERVER_URL,
  postgresUrl,
  type TestPostgresDatabase,
  withPostgresClient,
  writeFile,
} from '@migrate-kit/test-support';

/** Names of the temporary shadow databases currently on the server. */
export async function listShadowDatabases(): Promise<string[]> {
  return withPostgresClient(POSTGRES_SERVER_URL, async (c) => (await c.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'migrate_kit_shadow_%'`)).rows.map((r) => r.datname));
}
