import { resolveConnection } from '../engine/connection.js';
import type { DiagnoseMigrationHistoryOutput } from '../engine/engine.js';
import { migrationLockHeldElsewhere, NO_UNFINISHED_MIGRATIONS, readUnfinishedMigrations, type UnfinishedMigrations } from '../engine/interrupted-migrations.js';
import { readUserTableNames } from '../engine/migrations-table.js';
import { isMigrateError } from '../errors.js';
import { type IntegrityResult, verifyIntegrity } from '../history/integrity-file.js';
import type { MigrationsFolder } from '../history/migrations-folder.js';
import type { SchemaSource } from '../source.js';
import { type LifecycleOptions, type Session, withSession } from './session.js';
import { upToDateWithoutEngine } from './up-to-date.js';

/**
 * `interrupted`: its process stopped before the script committed, nothing of it was applied, and
 * `deploy` or `dev` applies it again (PostgreSQL). `inProgress`: another process is applying it
 * right now (it holds the migration lock). Stock Prisma shows both as failed.
 */
export type MigrationState = 'applied' | 'pending' | 'failed' | 'edited' | 'interrupted' | 'inProgress';

export interface StatusReport {
  /** Local migrations, in order, with their state in the database. */
  migrations: { name: string; state: MigrationState }[];
  /** Recorded in `_prisma_migrations` but absent from the folder. */
  missing: string[];
  /** Set when the database and the folder took different paths after a common migration. */
  diverged: { lastCommonMigration: string | null } | undefined;
  hasMigrationsTable: boolean;
  /**
   * No `_prisma_migrations`, and tables in the database (made by `db push`, another tool, or by
   * hand): a baseline is needed before migrations can be applied (deploy and dev refuse with P3005).
   * False for an empty database, where the migrations are simply pending.
   */
  needsBaseline: boolean;
  /** The integrity file's verdict (`absent` when the project has none). */
  integrity: IntegrityResult;
  /** Prisma's `migrate status` exit code: 1 when anything needs doing (or the folder does not match migrate-kit.sum), 0 in sync. */
  exitCode: 0 | 1;
  /**
   * PostgreSQL, with pending migrations: another process holds the migration lock (a deploy or dev
   * is running), so the first of them may be being applied right now. Absent otherwise.
   */
  migrationLockHeld?: true;
}

/** Everything applied, nothing failed, edited or missing: what an up-to-date database diagnoses as. */
const UP_TO_DATE: DiagnoseMigrationHistoryOutput = { history: null, failedMigrationNames: [], editedMigrationNames: [], hasMigrationsTable: true };

/** `migrate status`: compares the folder with `_prisma_migrations`. Reads only. */
export async function status(source: SchemaSource, options: LifecycleOptions = {}): Promise<StatusReport> {
  const { upToDate, folder } = await upToDateWithoutEngine(source);
  if (upToDate) return withIntegrity(summarizeStatus(folder, UP_TO_DATE), folder);
  const report = await withSession(source, { ...options, folder }, async (session) => {
    const diagnostic = await diagnoseHistory(session);
    // Only a failed row can carry the interrupted marker; the usual run pays nothing for it.
    const unfinished = diagnostic.failedMigrationNames.length > 0 ? await readUnfinishedMigrations(session.connection) : NO_UNFINISHED_MIGRATIONS;
    const summary = summarizeStatus(session.folder, diagnostic, unfinished);
    return summary.migrations.some((m) => m.state === 'pending') && (await migrationLockHeldElsewhere(session.connection)) ? { ...summary, migrationLockHeld: true as const } : summary;
  });
  if (report.hasMigrationsTable) return withIntegrity(report, folder);
  // Read after the engine is closed: on SQLite it holds the file exclusively.
  const tables = await readUserTableNames(resolveConnection(source), source.filter?.externalTables);
  return withIntegrity({ ...report, needsBaseline: tables === undefined || tables.length > 0 }, folder);
}

/** The report with the integrity file's verdict; a mismatch makes status exit 1. */
function withIntegrity(report: StatusReport, folder: MigrationsFolder): StatusReport {
  const integrity = verifyIntegrity(folder);
  return { ...report, integrity, exitCode: integrity.state === 'mismatch' ? 1 : report.exitCode };
}

/**
 * diagnoseMigrationHistory without a shadow database. A database the engine never touched has no
 * `_prisma_migrations` table, which the engine reports as P1014; that is a state, not an error.
 */
export async function diagnoseHistory(session: Session): Promise<DiagnoseMigrationHistoryOutput> {
  try {
    return await session.engine.diagnoseMigrationHistory({
      migrationsList: session.migrationList(),
      optInToShadowDatabase: false,
      filters: session.filters,
    });
  } catch (error) {
    if (!isMigrateError(error) || error.code !== 'P1014') throw error;
    const names = session.folder.migrations.map((m) => m.name);
    return {
      editedMigrationNames: [],
      failedMigrationNames: [],
      hasMigrationsTable: false,
      history: names.length ? { diagnostic: 'databaseIsBehind', unappliedMigrationNames: names } : null,
    };
  }
}

/**
 * The status report, as a pure function of the folder, the engine's diagnostic and which of the
 * failed rows carry the interrupted marker (those are not failed: see MigrationState).
 */
export function summarizeStatus(
  folder: MigrationsFolder,
  diagnostic: DiagnoseMigrationHistoryOutput,
  unfinished: UnfinishedMigrations = NO_UNFINISHED_MIGRATIONS,
): StatusReport {
  const history = diagnostic.history;
  const unapplied = new Set(history && history.diagnostic !== 'migrationsDirectoryIsBehind' ? history.unappliedMigrationNames : []);
  const missing = history && history.diagnostic !== 'databaseIsBehind' ? history.unpersistedMigrationNames : [];
  const failed = new Set(diagnostic.failedMigrationNames);
  const edited = new Set(diagnostic.editedMigrationNames);
  const unfinishedState = new Map<string, MigrationState>([
    ...unfinished.interrupted.map((n): [string, MigrationState] => [n, 'interrupted']),
    ...unfinished.inProgress.map((n): [string, MigrationState] => [n, 'inProgress']),
  ]);
  const stateOf = (name: string): MigrationState => {
    if (failed.has(name)) return unfinishedState.get(name) ?? 'failed';
    return unapplied.has(name) ? 'pending' : edited.has(name) ? 'edited' : 'applied';
  };
  const migrations = folder.migrations.map(({ name }) => ({ name, state: stateOf(name) }));
  const diverged = history?.diagnostic === 'historiesDiverge' ? { lastCommonMigration: history.lastCommonMigrationName } : undefined;
  const needsWork = !diagnostic.hasMigrationsTable || unapplied.size > 0 || failed.size > 0 || diverged !== undefined;
  return { migrations, missing, diverged, hasMigrationsTable: diagnostic.hasMigrationsTable, needsBaseline: false, integrity: { state: 'absent' }, exitCode: needsWork ? 1 : 0 };
}
