import { resolveConnection } from '../engine/connection.js';
import { type MigrationsTableRow, readMigrationsTable } from '../engine/migrations-table.js';
import { checksumMatches } from '../history/checksum.js';
import { assertLockFileProvider } from '../history/lock-file.js';
import { type MigrationsFolder, readMigrationsFolder } from '../history/migrations-folder.js';
import type { SchemaSource } from '../source.js';
import { timed } from '../timing.js';

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
 * Whether the engine's diagnoseMigrationHistory (without a shadow database) could only say "the
 * database is behind": every recorded row finished and not rolled back, and the rows are the
 * folder's first migrations, in its order, unedited. Then it reports no edited or failed migration,
 * which is all `deploy` asks it for, and `deploy` can go straight to applyMigrations (which still
 * checks everything itself under the migration lock: P3009, P3005, P3018).
 * Anything else (a failed, interrupted, rolled-back, edited or unknown row) is for the engine.
 */
export function isBehindOnly(folder: MigrationsFolder, rows: readonly MigrationsTableRow[]): boolean {
  if (rows.length > folder.migrations.length) return false;
  return rows.every((r, i) => {
    const m = folder.migrations[i]!;
    return r.finished && !r.rolledBack && m.script.ok && r.name === m.name && checksumMatches(r.checksum, m.script.text);
  });
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
): Promise<{ upToDate: boolean; folder: MigrationsFolder; rows: MigrationsTableRow[] | undefined }> {
  assertLockFileProvider(folder.lockFile, source.provider);
  const rows = await timed('readMigrationsTable', () => readMigrationsTable(resolveConnection(source)));
  return { upToDate: rows !== undefined && isUpToDate(folder, rows), folder, rows };
}
