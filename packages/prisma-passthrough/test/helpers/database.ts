import { existsSync } from 'node:fs';
import { columnNames, createPostgresDatabase, type Provider, type SqliteConnection, tableNames, withSqliteFile } from '@migrate-kit/test-support';

// tableNames: none when the database does not exist yet (see TestDatabase.exists).
export { columnNames, POSTGRES_SERVER_URL, type Provider, tableNames } from '@migrate-kit/test-support';
export const PROVIDERS: Provider[] = ['sqlite', 'postgresql'];

export type Row = Record<string, unknown>;

/** A real database for one test project: an SQLite file, or a fresh database on the PostgreSQL server. */
export interface TestDatabase {
  provider: Provider;
  /** PostgreSQL: the database's URL. SQLite: the absolute path of the file. */
  location: string;
  /** Rows of a query (none for a statement that returns none), with parameters ($1 on PostgreSQL, ? on SQLite). On SQLite, a file that does not exist is an error, not an empty database. */
  query(sql: string, params?: unknown[]): Promise<Row[]>;
  /** Runs statements that return nothing (several at once are fine). */
  exec(sql: string): Promise<void>;
  /** Whether the database exists at all (an SQLite file is created by the first command that connects). */
  exists(): Promise<boolean>;
  drop(): Promise<void>;
}

/** A fresh database on the PostgreSQL test server. */
export async function postgresDatabase(): Promise<TestDatabase> {
  const db = await createPostgresDatabase('mk_passthrough');
  return { provider: 'postgresql', location: db.url, query: db.query, exec: db.execute, exists: async () => true, drop: db.drop };
}

/** An SQLite database at `file` (not created here: the CLI creates it, and the tests see where). */
export function sqliteDatabase(file: string): TestDatabase {
  const open = <T>(fn: (db: SqliteConnection) => T, create = false): T => withSqliteFile(file, fn, { fileMustExist: !create });
  return {
    provider: 'sqlite',
    location: file,
    query: async (sql, params = []) =>
      open((db) => {
        const statement = db.prepare(sql);
        if (statement.reader) return statement.all(...params) as Row[];
        statement.run(...params);
        return [];
      }),
    exec: async (sql) => open((db) => void db.exec(sql), true),
    exists: async () => existsSync(file),
    drop: async () => undefined,
  };
}

/** A `_prisma_migrations` row as stored; timestamps as they are in the database (SQLite: what was written, PostgreSQL: Date). */
export interface MigrationRow {
  id: string;
  checksum: string;
  finished_at: unknown;
  migration_name: string;
  logs: string | null;
  rolled_back_at: unknown;
  started_at: unknown;
  applied_steps_count: number;
}

/** A `_prisma_migrations` timestamp as milliseconds since the epoch, however it is stored (Date, ISO text, integer milliseconds). */
export function instant(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'number' || typeof value === 'bigint') return Number(value);
  return new Date(String(value)).getTime();
}

/** `_prisma_migrations`, oldest first; none when the table does not exist. */
export async function migrationRows(db: TestDatabase): Promise<MigrationRow[]> {
  if (!(await tableNames(db)).includes('_prisma_migrations')) return [];
  // SQLite: insertion order (stock Prisma stores integer milliseconds, the Wasm engine ISO text, so the columns do not sort together).
  const order = db.provider === 'sqlite' ? 'rowid' : 'started_at, migration_name';
  const rows = await db.query(`SELECT * FROM _prisma_migrations ORDER BY ${order}`);
  return rows.map((r) => ({ ...r, applied_steps_count: Number(r.applied_steps_count) }) as MigrationRow);
}

/** Everything that tells whether a command changed the database: tables, their columns and row counts, and `_prisma_migrations` as stored. */
export async function databaseSnapshot(db: TestDatabase): Promise<unknown> {
  const tables = await tableNames(db);
  const described = [];
  for (const table of tables) {
    const [count] = await db.query(`SELECT COUNT(*) AS n FROM "${table}"`);
    described.push({ table, columns: await columnNames(db, table), rows: Number(count?.n) });
  }
  return { exists: await db.exists(), tables: described, migrations: await migrationRows(db) };
}
