import { resolveConnection } from '../engine/connection.js';
import { readUnfinishedMigrations } from '../engine/interrupted-migrations.js';
import { readMigrationsTable, readUserTableNames } from '../engine/migrations-table.js';
import { isMigrateError } from '../errors.js';
import { checksumMatches } from '../history/checksum.js';
import { assertIntegrity, type IntegrityResult } from '../history/integrity-file.js';
import { assertLockFileProvider } from '../history/lock-file.js';
import { type MigrationsFolder, readMigrationsFolder } from '../history/migrations-folder.js';
import type { SchemaSource } from '../source.js';
import { timed } from '../timing.js';
import { baselineNeededError } from './dev-diagnostic.js';
import { type AppliedMigration, type LifecycleOptions, withSession } from './session.js';
import { diagnoseHistory } from './status.js';
import { isBehindOnly, upToDateWithoutEngine } from './up-to-date.js';

export interface DeployResult {
  /** Migrations in the folder. */
  found: number;
  applied: AppliedMigration[];
  /** Applied migrations whose migration.sql changed since (deploy warns, it does not stop). */
  edited: string[];
  /**
   * Migrations a deploy of an earlier migrate-kit, stopped, had left interrupted with nothing of
   * them applied (PostgreSQL, rows with the interrupted marker): marked rolled back, then applied
   * again with the others. A stopped deploy of this version leaves no such row.
   */
  interruptedRolledBack: string[];
  /** The integrity file's verdict (`absent` when the project has none); a mismatch stops deploy before anything is applied. */
  integrity: IntegrityResult;
}

/**
 * `migrate deploy`: applies pending migrations, non-interactively, never resets, uses no shadow
 * database. Stops at a failed migration (P3009) and when a script fails (P3018). On PostgreSQL a
 * migration a killed deploy left with nothing applied is not a failure: it is applied again.
 */
export async function deploy(source: SchemaSource, options: LifecycleOptions & { folder?: MigrationsFolder } = {}): Promise<DeployResult> {
  const given = options.folder ?? readMigrationsFolder(source.migrationsDir);
  // Before the database is touched: a folder that does not match migrate-kit.sum is not applied at all (as Atlas refuses).
  const integrity = assertIntegrity(given);
  const { upToDate, folder, rows } = await upToDateWithoutEngine(source, given);
  if (upToDate) return { found: folder.migrations.length, applied: [], edited: [], interruptedRolledBack: [], integrity };
  // Only pending migrations on top of a clean history (the usual deploy): the engine's diagnosis
  // would report nothing edited or failed, so it is not asked (it reads and checksums the whole
  // history, a third of such a deploy). applyMigrations checks the history again under the lock.
  const behindOnly = rows !== undefined && isBehindOnly(folder, rows);
  return withSession(source, { ...options, folder, createDatabase: true, recoverInterrupted: true }, async (session) => {
    const before = behindOnly ? { editedMigrationNames: [] } : await timed('diagnoseMigrationHistory', () => diagnoseHistory(session));
    // A database with tables and no history (made by `db push`): the baseline steps, never a reset (this is production).
    const applied = await session.applyPending().catch((error: unknown) => {
      throw isMigrateError(error) && error.code === 'P3005' ? baselineNeededError(session, error, { offerReset: false }) : error;
    });
    return { found: session.folder.migrations.length, applied, edited: before.editedMigrationNames, interruptedRolledBack: session.interruptedRolledBack, integrity };
  });
}

export interface DeployPlan {
  /** Migrations in the folder. */
  found: number;
  /** What `deploy` would apply now, in order. */
  pending: string[];
  /** Applied migrations whose migration.sql changed since (deploy would warn). */
  edited: string[];
  /** Failed migrations deploy would stop at (P3009) instead of applying anything. */
  failed: string[];
  /** Tables and no `_prisma_migrations`: deploy would stop with P3005 (a baseline is needed). */
  needsBaseline: boolean;
  integrity: IntegrityResult;
}

/**
 * `deploy --dry-run`: what deploy would apply, in order, read with the plain driver. Changes
 * nothing: no database or SQLite file is created, no `_prisma_migrations`, no lock taken, no engine
 * started. Refuses as deploy does when the folder does not match migrate-kit.sum or its lock file.
 * Pending is what the engine's applyMigrations takes: every migration of the folder without a
 * finished, not rolled back row; a row the interrupted marker says never committed counts as
 * pending (deploy applies it again), any other unfinished row is a failure deploy stops at.
 * Test: test/deploy-dry-run.test.ts (catalog unchanged; the plan is what deploy then applies).
 */
export async function planDeploy(source: SchemaSource, folder: MigrationsFolder = readMigrationsFolder(source.migrationsDir)): Promise<DeployPlan> {
  assertLockFileProvider(folder.lockFile, source.provider);
  const integrity = assertIntegrity(folder);
  const connection = resolveConnection(source);
  const table = await readMigrationsTable(connection);
  const rows = table ?? [];
  const byName = new Map(folder.migrations.map((m) => [m.name, m]));
  const done = rows.filter((r) => r.finished && !r.rolledBack);
  const applied = new Set(done.map((r) => r.name));
  const unfinished = rows.filter((r) => !r.finished && !r.rolledBack).map((r) => r.name);
  const { interrupted } = unfinished.length ? await readUnfinishedMigrations(connection) : { interrupted: [] as string[] };
  const failed = unfinished.filter((name) => !interrupted.includes(name));
  const edited = done.filter((r) => {
    const local = byName.get(r.name);
    return local?.script.ok === true && !checksumMatches(r.checksum, local.script.text);
  });
  const needsBaseline = table === undefined && ((await readUserTableNames(connection, source.filter?.externalTables))?.length ?? 0) > 0;
  return {
    found: folder.migrations.length,
    pending: needsBaseline ? [] : folder.migrations.filter((m) => !applied.has(m.name)).map((m) => m.name),
    edited: edited.map((r) => r.name),
    failed,
    needsBaseline,
    integrity,
  };
}
