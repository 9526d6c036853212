import { resolveConnection } from '../engine/connection.js';
import { type MigrationsTableRow, readMigrationsTable } from '../engine/migrations-table.js';
import { checksumMatches } from '../history/checksum.js';
import { assertLockFileProvider } from '../history/lock-file.js';
import { type MigrationsFolder, readMigrationsFolder } from '../history/migrations-folder.js';
import type { SchemaSource } from '../source.js';

/**
 * Whether the engine would find nothing at all to do or report: every migration of the folder
 * applied, in the folder's order, unedited, and nothing else recorded (no failed migration, none
 * missing locally). Only ever says yes when the engine's diagnoseMigrationHistory would say so
 * (no history difference, nothing failed or edited); anything else is for the engine to explain.
 */
export function isUpToDate(folder: MigrationsFolder, rows: readonly MigrationsTableRow[]): boolean {
  if (rows.some((r) => !r.finished && !r.rolledBack)) return false;
  const applied = rows.filter((r) => r.finished && !r.rolledBack);
  if (applied.length !== folder.migrations.length) return false;
  return folder.migrations.every((m, i) => m.script.ok && applied[i]!.name === m.name && checksumMatches(applied[i]!.checksum, m.script.text));
}

/**
 * `status` and `deploy` on an up-to-date database without starting the engine: whether
 * `_prisma_migrations` (read with the plain driver) records exactly the folder, and the folder as
 * read (for the engine's way, so that it is read once).
 *
 * Why: a no-op is what `deploy` does on most runs (on every start, with Keystone's plugin), and
 * instantiating the 5 MB Wasm engine is a quarter of it. Measured in bench/RESULTS.md (noop rows).
 * The lock file is checked first, as on the engine's way (P3019).
 * Test: test/up-to-date.test.ts (the answer agrees with the engine's in every state).
 */
export async function upToDateWithoutEngine(
  source: SchemaSource,
  folder: MigrationsFolder = readMigrationsFolder(source.migrationsDir),
): Promise<{ upToDate: boolean; folder: MigrationsFolder }> {
  assertLockFileProvider(folder.lockFile, source.provider);
  const rows = await readMigrationsTable(resolveConnection(source));
  return { upToDate: rows !== undefined && isUpToDate(folder, rows), folder };
}
