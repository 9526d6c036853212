import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Catalog } from '../engine/catalog.js';
import { ErrorCodes, MigrateError } from '../errors.js';
import { writeFileWhole } from './write-file-whole.js';

/** Beside a migration's `migration.sql`: the tables the history produces once that migration is applied. */
export const SNAPSHOT_FILE_NAME = 'migrate-kit.snapshot.json';

export interface SchemaSnapshot extends Catalog {
  /** The migration this snapshot follows (its folder name). */
  migration: string;
}

export function snapshotPath(migrationsDir: string, migration: string): string {
  return join(migrationsDir, migration, SNAPSHOT_FILE_NAME);
}

/** The snapshot kept beside a migration; undefined when it has none (written by stock Prisma, or before snapshots). */
export function readSchemaSnapshot(migrationsDir: string, migration: string): SchemaSnapshot | undefined {
  const path = snapshotPath(migrationsDir, migration);
  if (!existsSync(path)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as SchemaSnapshot;
    if (typeof parsed.tables !== 'object' || parsed.tables === null) throw new Error('no `tables`');
    return parsed;
  } catch (error) {
    throw new MigrateError(ErrorCodes.migrationsFolder, `The schema snapshot ${path} cannot be read: ${(error as Error).message}.`, {
      hint: (command) => `Remove it and run ${command('createMigration')} on a development database to write it again.`,
      cause: error,
    });
  }
}

export function renderSchemaSnapshot(migration: string, catalog: Catalog): string {
  return `${JSON.stringify({ migration, provider: catalog.provider, tables: catalog.tables, ...(catalog.enums ? { enums: catalog.enums } : {}) }, null, 2)}\n`;
}

/** Writes the snapshot (whole: a temporary file renamed over it) unless it already says the same; whether it wrote. */
export function writeSchemaSnapshot(migrationsDir: string, migration: string, catalog: Catalog): boolean {
  return writeFileWhole(snapshotPath(migrationsDir, migration), renderSchemaSnapshot(migration, catalog));
}
