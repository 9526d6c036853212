import type { Connection } from '../engine/connection.js';

/** What the live database says about a table a finding is about. */
export interface TableSize {
  exists: boolean;
  rows: number | null;
  /** Table, indexes and TOAST (PostgreSQL); null on SQLite. */
  bytes: number | null;
  /** The row count is the planner's estimate (pg_class.reltuples), not a count. */
  estimated: boolean;
}

/** Tables up to this size are counted exactly (count(*)); bigger ones are estimated from pg_class. */
const COUNT_EXACTLY_BELOW_BYTES = 16 * 1024 * 1024;

/** Looks up the live size of each table, once per name; `tables` are `schema.name` or bare names. */
export type TableSizer = (table: { schema?: string; name: string }) => Promise<TableSize>;

/**
 * Opens the database read-only for table sizes; `close` must be called. PostgreSQL: pg_class
 * (reltuples, pg_total_relation_size), with an exact count(*) for small tables or never-analyzed
 * ones (under a 2 s statement_timeout). SQLite: count(*).
 */
export async function openTableSizer(connection: Connection): Promise<{ sizeOf: TableSizer; close(): Promise<void> }> {
  const cache = new Map<string, Promise<TableSize>>();
  const cached = (key: string, load: () => Promise<TableSize>) => {
    if (!cache.has(key)) cache.set(key, load());
    return cache.get(key)!;
  };
  if (connection.provider === 'sqlite') {
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(connection.file, { readonly: true, fileMustExist: true, timeout: 1000 });
    return {
      sizeOf: (table) =>
        cached(table.name, async () => {
          const exists = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ? COLLATE NOCASE`).get(table.name) !== undefined;
          if (!exists) return { exists, rows: null, bytes: null, estimated: false };
          const rows = (db.prepare(`SELECT count(*) AS n FROM "${table.name.replaceAll('"', '""')}"`).get() as { n: number }).n;
          return { exists, rows, bytes: null, estimated: false };
        }),
      async close() {
        db.close();
      },
    };
  }
  // migrate-kit's client: the URL's connect_timeout (P1001 naming host and port), application_name.
  const [{ PostgresClient }, { searchPathOption }] = await Promise.all([import('../engine/postgres-client.js'), import('../engine/adapters/postgres-types.js')]);
  const client = new PostgresClient({ connectionString: connection.url, options: searchPathOption(connection.url) });
  await client.connect();
  await client.query(`SET default_transaction_read_only = on; SET statement_timeout = '2s'`);
  const defaultSchema = connection.schema ?? 'public';
  return {
    sizeOf: (table) => {
      const schema = table.schema ?? defaultSchema;
      return cached(`${schema}.${table.name}`, async () => {
        const found = await client.query<{ estimate: string; bytes: string; qualified: string }>(
          `SELECT c.reltuples::bigint AS estimate, pg_total_relation_size(c.oid) AS bytes, format('%I.%I', n.nspname, c.relname) AS qualified
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')`,
          [schema, table.name],
        );
        const row = found.rows[0];
        if (!row) return { exists: false, rows: null, bytes: null, estimated: false };
        const bytes = Number(row.bytes);
        const estimate = Number(row.estimate);
        if (bytes < COUNT_EXACTLY_BELOW_BYTES || estimate < 0) {
          try {
            const counted = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${row.qualified}`);
            return { exists: true, rows: Number(counted.rows[0]!.n), bytes, estimated: false };
          } catch {
            // Too slow to count (statement_timeout): the estimate, or none when the table was never analyzed.
          }
        }
        return { exists: true, rows: estimate < 0 ? null : estimate, bytes, estimated: true };
      });
    },
    async close() {
      await client.end().catch(() => undefined);
    },
  };
}
