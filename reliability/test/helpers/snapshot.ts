import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { columnNames } from '@migrate-kit/test-support';
import { indexNames, type MigrationRow, migrationRows, type TestDatabase, tableNames } from './databases.js';

export interface DatabaseSnapshot {
  /** Every user table with its columns and row count (`_prisma_migrations` included). */
  tables: Record<string, { columns: string[]; rows: number }>;
  indexes: string[];
  /** `_prisma_migrations`, oldest first. */
  migrations: MigrationRow[];
}

/** What tells whether a command changed the database. A database that does not exist yet is empty. */
export async function databaseSnapshot(db: TestDatabase): Promise<DatabaseSnapshot> {
  const tables: DatabaseSnapshot['tables'] = {};
  for (const table of await tableNames(db)) {
    const [count] = await db.query<{ n: unknown }>(`SELECT COUNT(*) AS n FROM "${table.replace(/"/g, '""')}"`);
    tables[table] = { columns: await columnNames(db, table), rows: Number(count?.n) };
  }
  return { tables, indexes: await indexNames(db), migrations: await migrationRows(db) };
}

/** SQLite's own files are the database (snapshotted above), not part of the folder. */
const DATABASE_FILE = /\.db(-journal|-wal|-shm)?$/;

/** Every file below `dir` (relative path -> SHA-256 of its bytes), and every empty folder (-> `<dir>`). */
export function folderSnapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(dir)) return out;
  const walk = (at: string) => {
    const entries = readdirSync(at).sort();
    if (entries.length === 0 && at !== dir) out[`${relative(dir, at)}/`] = '<dir>';
    for (const name of entries) {
      const full = join(at, name);
      const stat = lstatSync(full);
      if (stat.isDirectory()) walk(full);
      else if (!DATABASE_FILE.test(name)) out[relative(dir, full)] = createHash('sha256').update(readFileSync(full)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

/** The files that appeared, disappeared or changed between two folder snapshots. */
export function folderChanges(before: Record<string, string>, after: Record<string, string>): { added: string[]; removed: string[]; changed: string[] } {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  const added: string[] = [];
  const removed: string[] = [];
  const changed: string[] = [];
  for (const key of [...keys].sort()) {
    if (!(key in before)) added.push(key);
    else if (!(key in after)) removed.push(key);
    else if (before[key] !== after[key]) changed.push(key);
  }
  return { added, removed, changed };
}
