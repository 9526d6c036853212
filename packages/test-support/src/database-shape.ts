/** The databases the tests run on. */
export type Provider = 'sqlite' | 'postgresql';

/** A test database as the shape helpers read it: any of the packages' test databases or projects. */
export interface QueryableDatabase {
  provider: Provider;
  query(sql: string): Promise<Record<string, unknown>[]>;
  /** When present and false, the database is not there yet (an SQLite file no command has created): it has no tables. */
  exists?(): boolean | Promise<boolean>;
}

const quoted = (text: string) => `'${text.replace(/'/g, "''")}'`;

/** The user tables of the `public` schema (SQLite: of the file), sorted; `_prisma_migrations` included when present. */
export async function tableNames(db: QueryableDatabase): Promise<string[]> {
  if (db.exists && !(await db.exists())) return [];
  const sql =
    db.provider === 'sqlite'
      ? `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`
      : `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`;
  return (await db.query(sql)).map((r) => String(r.name)).sort();
}

/** The column names of a table (of the `public` schema on PostgreSQL), sorted. */
export async function columnNames(db: QueryableDatabase, table: string): Promise<string[]> {
  const sql =
    db.provider === 'sqlite'
      ? `SELECT name FROM pragma_table_info(${quoted(table)})`
      : `SELECT column_name AS name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = ${quoted(table)}`;
  return (await db.query(sql)).map((r) => String(r.name)).sort();
}
