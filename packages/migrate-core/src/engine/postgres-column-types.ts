import type { Connection } from './connection.js';

/**
 * The database type of each column (`format_type`, e.g. `xml`, `geometry(Point,4326)`), keyed
 * `table.column`, read with the plain driver (PostgreSQL; an empty map elsewhere). Tables are found
 * on the session's search path (`?schema=`). Columns that do not exist are left out.
 */
export async function columnTypes(connection: Connection, columns: readonly { table: string; column: string }[]): Promise<Map<string, string>> {
  const types = new Map<string, string>();
  if (connection.provider !== 'postgresql' || columns.length === 0) return types;
  const { createPool } = await import('./adapters/postgres-types.js');
  const pool = createPool(connection.url);
  try {
    for (const { table, column } of columns) {
      const { rows } = await pool.query<{ type: string }>(
        'SELECT format_type(a.atttypid, a.atttypmod) AS type FROM pg_attribute a WHERE a.attrelid = to_regclass(quote_ident($1)) AND a.attname = $2 AND NOT a.attisdropped',
        [table, column],
      );
      if (rows[0]) types.set(`${table}.${column}`, rows[0].type);
    }
    return types;
  } finally {
    await pool.end();
  }
}
