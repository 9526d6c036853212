import type { Connection } from './connection.js';

/** A column as the database describes it. */
export interface CatalogColumn {
  type: string;
  nullable: boolean;
  default: string | null;
}

/** A table: its columns, its indexes (name → definition) and its constraints (name → definition). */
export interface CatalogTable {
  columns: Record<string, CatalogColumn>;
  /** Indexes that back no constraint (a primary key's or a unique constraint's index is its constraint). */
  indexes: Record<string, string>;
  constraints: Record<string, string>;
}

/**
 * The tables of a database, normalized so that two databases the same migrations produced read the
 * same (no OIDs, no schema names, keys sorted): what a drift check compares. `_prisma_migrations`
 * and the tables another tool manages (`externalTables`) are left out.
 */
export interface Catalog {
  provider: 'postgresql' | 'sqlite';
  tables: Record<string, CatalogTable>;
  /** PostgreSQL's enum types of the schema: name → values in order (`'A', 'B'`). */
  enums?: Record<string, string>;
}

/**
 * Reads the catalog of the connection's database (PostgreSQL: the URL's schema) with the plain
 * driver, without the engine. Reads only; creates nothing (a missing SQLite file is P1003 from the caller).
 */
export async function readCatalog(connection: Connection, externalTables: readonly string[] = []): Promise<Catalog> {
  const { tables, enums } = connection.provider === 'sqlite' ? { tables: await readSqliteCatalog(connection.file, connection.busyTimeoutMs), enums: undefined } : await readPostgresCatalog(connection.url);
  const external = new Set(externalTables.map((t) => t.split('.').pop()));
  const kept = Object.keys(tables)
    .filter((name) => name !== '_prisma_migrations' && !external.has(name))
    .sort();
  return {
    provider: connection.provider,
    tables: Object.fromEntries(kept.map((name) => [name, sortTable(tables[name]!)])),
    ...(enums ? { enums: Object.fromEntries(Object.entries(enums).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) } : {}),
  };
}

function sortTable(table: CatalogTable): CatalogTable {
  const sorted = <T>(record: Record<string, T>) => Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { columns: sorted(table.columns), indexes: sorted(table.indexes), constraints: sorted(table.constraints) };
}

const newTable = (): CatalogTable => ({ columns: {}, indexes: {}, constraints: {} });

// Every query is limited to the session's schema (`?schema=` sets the search_path, postgres-types.ts).
const PG_TABLES = `SELECT c.relname AS name FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition`;
const PG_COLUMNS = `SELECT c.relname AS table, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, NOT a.attnotnull AS nullable, pg_get_expr(d.adbin, d.adrelid) AS default
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
  WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped`;
// The definition after the table name (`USING btree (email) WHERE ...`): pg_get_indexdef qualifies the table with its schema.
const PG_INDEXES = `SELECT t.relname AS table, i.relname AS name, CASE WHEN x.indisunique THEN 'UNIQUE ' ELSE '' END || regexp_replace(pg_get_indexdef(x.indexrelid), '^.*? USING ', 'USING ') AS definition
  FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
  WHERE t.relnamespace = current_schema()::regnamespace AND t.relkind IN ('r', 'p')
    AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid AND k.conrelid = x.indrelid AND k.contype IN ('p', 'u', 'x'))`;
const PG_ENUMS = `SELECT t.typname AS name, string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder) AS definition
  FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid WHERE t.typnamespace = current_schema()::regnamespace GROUP BY t.typname`;
const PG_CONSTRAINTS = `SELECT t.relname AS table, k.conname AS name, pg_get_constraintdef(k.oid) AS definition
  FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid
  WHERE t.relnamespace = current_schema()::regnamespace AND t.relkind IN ('r', 'p') AND k.contype IN ('p', 'u', 'f', 'c', 'x')`;

async function readPostgresCatalog(url: string): Promise<{ tables: Record<string, CatalogTable>; enums: Record<string, string> }> {
  const [{ PostgresClient }, { searchPathOption }] = await Promise.all([import('./postgres-client.js'), import('./adapters/postgres-types.js')]);
  const client = new PostgresClient({ connectionString: url, options: searchPathOption(url) });
  await client.connect();
  try {
    const tables: Record<string, CatalogTable> = {};
    for (const row of (await client.query<{ name: string }>(PG_TABLES)).rows) tables[row.name] = newTable();
    for (const row of (await client.query<{ table: string; name: string } & CatalogColumn>(PG_COLUMNS)).rows) {
      const table = tables[row.table];
      if (table) table.columns[row.name] = { type: row.type, nullable: row.nullable, default: row.default };
    }
    for (const row of (await client.query<{ table: string; name: string; definition: string }>(PG_INDEXES)).rows) {
      const table = tables[row.table];
      if (table) table.indexes[row.name] = row.definition;
    }
    for (const row of (await client.query<{ table: string; name: string; definition: string }>(PG_CONSTRAINTS)).rows) {
      const table = tables[row.table];
      if (table) table.constraints[row.name] = row.definition;
    }
    const enums: Record<string, string> = {};
    for (const row of (await client.query<{ name: string; definition: string }>(PG_ENUMS)).rows) enums[row.name] = row.definition;
    return { tables, enums };
  } finally {
    await client.end().catch(() => undefined);
  }
}

const SQLITE_TABLES = `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'`;
const quoted = (name: string) => `"${name.replace(/"/g, '""')}"`;
const normalizeSql = (sql: string) => sql.replace(/\s+/g, ' ').replace(/\( /g, '(').replace(/ \)/g, ')').trim();

/**
 * SQLite keeps no constraint names: a primary key is `<table>_pkey`, a unique constraint written in
 * the table (an autoindex) `UNIQUE (<columns>)`, a foreign key is named by its columns; an index
 * written with CREATE INDEX keeps its name and its statement.
 */
async function readSqliteCatalog(file: string, busyTimeoutMs: number | undefined): Promise<Record<string, CatalogTable>> {
  const { default: Database } = await import('better-sqlite3');
  // Waits for a writer (another run's engine holds the file while it migrates), as the engine's own connection does.
  const db = new Database(file, { readonly: true, fileMustExist: true, timeout: busyTimeoutMs ?? 30_000 });
  try {
    const tables: Record<string, CatalogTable> = {};
    for (const { name } of db.prepare(SQLITE_TABLES).all() as { name: string }[]) {
      const table = newTable();
      const columns = db.prepare(`PRAGMA table_info(${quoted(name)})`).all() as { name: string; type: string; notnull: number; dflt_value: string | null; pk: number }[];
      for (const c of columns) table.columns[c.name] = { type: c.type, nullable: c.notnull === 0 && c.pk === 0, default: c.dflt_value };
      const pk = columns.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk);
      if (pk.length) table.constraints[`${name}_pkey`] = `PRIMARY KEY (${pk.map((c) => c.name).join(', ')})`;
      for (const index of db.prepare(`PRAGMA index_list(${quoted(name)})`).all() as { name: string; unique: number; origin: string }[]) {
        if (index.origin === 'pk') continue;
        if (index.origin === 'u') {
          const cols = (db.prepare(`PRAGMA index_info(${quoted(index.name)})`).all() as { name: string }[]).map((c) => c.name);
          table.constraints[`UNIQUE (${cols.join(', ')})`] = `UNIQUE (${cols.join(', ')})`;
          continue;
        }
        const sql = (db.prepare(`SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?`).get(index.name) as { sql: string | null } | undefined)?.sql;
        table.indexes[index.name] = sql ? normalizeSql(sql) : `${index.unique ? 'UNIQUE ' : ''}INDEX`;
      }
      const keys = db.prepare(`PRAGMA foreign_key_list(${quoted(name)})`).all() as { id: number; table: string; from: string; to: string | null; on_update: string; on_delete: string }[];
      for (const id of [...new Set(keys.map((k) => k.id))]) {
        const parts = keys.filter((k) => k.id === id);
        const from = parts.map((k) => k.from).join(', ');
        const key = `FOREIGN KEY (${from})`;
        table.constraints[key] = `${key} REFERENCES ${parts[0]!.table}(${parts.map((k) => k.to ?? '').join(', ')}) ON DELETE ${parts[0]!.on_delete} ON UPDATE ${parts[0]!.on_update}`;
      }
      tables[name] = table;
    }
    return tables;
  } finally {
    db.close();
  }
}
