import type { Connection } from './connection.js';

/**
 * The extensions installed in the connection's database (PostgreSQL; none elsewhere), read with
 * the plain driver: what `db push` compares the schema's `extensions` with (see
 * schema/extensions.ts for why the engine cannot be asked).
 */
export async function installedExtensions(connection: Connection): Promise<Set<string>> {
  if (connection.provider !== 'postgresql') return new Set();
  const { createPool } = await import('./adapters/postgres-types.js');
  const pool = createPool(connection.url);
  try {
    const { rows } = await pool.query<{ extname: string }>('SELECT extname FROM pg_extension');
    return new Set(rows.map((row) => row.extname));
  } finally {
    await pool.end();
  }
}
