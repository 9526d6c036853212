import { type Catalog, type CatalogTable, readCatalog } from '../engine/catalog.js';
import { resolveConnection } from '../engine/connection.js';
import { readMigrationsTable } from '../engine/migrations-table.js';
import { type MigrationsFolder, readMigrationsFolder } from '../history/migrations-folder.js';
import { readSchemaSnapshot, SNAPSHOT_FILE_NAME, writeSchemaSnapshot } from '../history/schema-snapshot.js';
import type { SchemaSource } from '../source.js';

export type DriftObject = 'table' | 'column' | 'index' | 'constraint' | 'enum';

/** One object that differs: `added` is in the database and not in the snapshot, `removed` the other way round. */
export interface DriftDifference {
  object: DriftObject;
  /** `Table`, `Table.column`, `Table.index_name`, `Table.constraint_name`, `EnumName`. */
  name: string;
  change: 'added' | 'removed' | 'changed';
  /** What the migrations produce (for `removed` and `changed`). */
  expected?: string;
  /** What the database has (for `added` and `changed`). */
  actual?: string;
}

export interface DriftReport {
  /**
   * `clean`: the database is what its applied migrations produce; `drifted`: see differences;
   * `noSnapshot`: the last applied migration has no snapshot to compare with (written by stock
   * Prisma, or before snapshots existed); `noMigrationApplied`: nothing to compare yet.
   */
  state: 'clean' | 'drifted' | 'noSnapshot' | 'noMigrationApplied';
  /** The last applied migration of the folder, whose snapshot was compared. */
  migration: string | undefined;
  /** Where that snapshot is (or would be), relative to the migrations folder. */
  snapshot: string | undefined;
  differences: DriftDifference[];
}

/**
 * `deploy --check-drift`, `status --drift`: compares the database with the snapshot kept beside
 * the last migration it records as applied (history/schema-snapshot.ts), object by object. Uses no
 * shadow database and no engine: the snapshot was read from a database the same migrations
 * produced (`recordSchemaSnapshot`), so hand edits of a migration are part of it. Reads only.
 */
export async function checkDrift(source: SchemaSource, folder: MigrationsFolder = readMigrationsFolder(source.migrationsDir)): Promise<DriftReport> {
  const connection = resolveConnection(source);
  const migration = lastAppliedMigration(folder, await readMigrationsTable(connection));
  if (!migration) return { state: 'noMigrationApplied', migration: undefined, snapshot: undefined, differences: [] };
  const snapshotFile = `${migration}/${SNAPSHOT_FILE_NAME}`;
  const snapshot = readSchemaSnapshot(source.migrationsDir, migration);
  if (!snapshot) return { state: 'noSnapshot', migration, snapshot: snapshotFile, differences: [] };
  const live = await readCatalog(connection, source.filter?.externalTables);
  const differences = diffCatalogs(snapshot, live);
  return { state: differences.length ? 'drifted' : 'clean', migration, snapshot: snapshotFile, differences };
}

/**
 * Writes the snapshot of the last migration the database records as applied, read from that
 * database: called by `dev` (and Keystone's `apply`) once the development database holds the
 * whole history, which they have just checked for drift against a shadow database (so the
 * database is exactly what the migrations, as written and edited, produce). Returns the migration
 * whose snapshot was written, undefined when nothing changed or nothing is applied.
 * `applied`: the migrations the command applied. None, and the last applied migration already has
 * a snapshot: it is kept as it is, without reading the catalog (the database was diagnosed free of
 * drift, so it is still that migration's state; ~40 ms of every `dev` that creates a migration
 * without applying it, or has nothing to do).
 */
export async function recordSchemaSnapshot(source: SchemaSource, applied?: readonly string[]): Promise<string | undefined> {
  try {
    const connection = resolveConnection(source);
    const folder = readMigrationsFolder(source.migrationsDir);
    const migration = lastAppliedMigration(folder, await readMigrationsTable(connection));
    if (!migration) return undefined;
    if (applied?.length === 0 && readSchemaSnapshot(source.migrationsDir, migration)?.migration === migration) return undefined;
    const catalog = await readCatalog(connection, source.filter?.externalTables);
    // This runs after the session let go of the migration lock: when another command applied a
    // migration meanwhile, the catalog may hold its tables, so it is no snapshot of `migration`.
    if (lastAppliedMigration(folder, await readMigrationsTable(connection)) !== migration) return undefined;
    return writeSchemaSnapshot(source.migrationsDir, migration, catalog) ? migration : undefined;
  } catch {
    // The migration is written and applied: a snapshot that could not be read or written must not
    // fail that. Deploy then says the migration has no snapshot, and the next dev writes it.
    return undefined;
  }
}

/** The last migration of the folder (in apply order) that `_prisma_migrations` records as finished and not rolled back. */
export function lastAppliedMigration(folder: MigrationsFolder, rows: { name: string; finished: boolean; rolledBack: boolean }[] | undefined): string | undefined {
  const applied = new Set((rows ?? []).filter((r) => r.finished && !r.rolledBack).map((r) => r.name));
  return folder.migrations.filter((m) => applied.has(m.name)).at(-1)?.name;
}

/** Every table, column, index and constraint that differs between what the migrations produce and the database. Pure. */
export function diffCatalogs(expected: Pick<Catalog, 'tables' | 'enums'>, actual: Pick<Catalog, 'tables' | 'enums'>): DriftDifference[] {
  const differences: DriftDifference[] = [];
  // PostgreSQL's enums, by name (values listed in order); a catalog without (SQLite) has none.
  differences.push(...compareDefinitions('enum', (key) => key, expected.enums ?? {}, actual.enums ?? {}));
  for (const name of unionOfKeys(expected.tables, actual.tables)) {
    const want = expected.tables[name];
    const have = actual.tables[name];
    if (!want) differences.push({ object: 'table', name, change: 'added', actual: describeTable(have!) });
    else if (!have) differences.push({ object: 'table', name, change: 'removed', expected: describeTable(want) });
    else differences.push(...diffTable(name, want, have));
  }
  return differences;
}

function diffTable(table: string, want: CatalogTable, have: CatalogTable): DriftDifference[] {
  const named = (key: string) => `${table}.${key}`;
  const columns = (t: CatalogTable) => Object.fromEntries(Object.entries(t.columns).map(([name, c]) => [name, describeColumn(c)]));
  return [
    ...compareDefinitions('column', named, columns(want), columns(have)),
    ...compareDefinitions('index', named, want.indexes, have.indexes),
    ...compareDefinitions('constraint', named, want.constraints, have.constraints),
  ];
}

function compareDefinitions(object: DriftObject, named: (key: string) => string, wanted: Record<string, string>, had: Record<string, string>): DriftDifference[] {
  const differences: DriftDifference[] = [];
  for (const key of unionOfKeys(wanted, had)) {
    const expected = wanted[key];
    const actual = had[key];
    if (expected === actual) continue;
    const name = named(key);
    if (expected === undefined) differences.push({ object, name, change: 'added', actual });
    else if (actual === undefined) differences.push({ object, name, change: 'removed', expected });
    else differences.push({ object, name, change: 'changed', expected, actual });
  }
  return differences;
}

function describeColumn(column: Catalog['tables'][string]['columns'][string]): string {
  return `${column.type}${column.nullable ? '' : ' NOT NULL'}${column.default === null ? '' : ` DEFAULT ${column.default}`}`;
}

function describeTable(table: CatalogTable): string {
  return `(${Object.keys(table.columns).join(', ')})`;
}

function unionOfKeys(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
}
