import type { DiagnoseMigrationHistoryOutput } from '../engine/engine.js';
import { isMigrateError } from '../errors.js';
import type { MigrationsFolder } from '../history/migrations-folder.js';
import type { SchemaSource } from '../source.js';
import { type LifecycleOptions, type Session, withSession } from './session.js';
import { upToDateWithoutEngine } from './up-to-date.js';

export type MigrationState = 'applied' | 'pending' | 'failed' | 'edited';

export interface StatusReport {
  /** Local migrations, in order, with their state in the database. */
  migrations: { name: string; state: MigrationState }[];
  /** Recorded in `_prisma_migrations` but absent from the folder. */
  missing: string[];
  /** Set when the database and the folder took different paths after a common migration. */
  diverged: { lastCommonMigration: string | null } | undefined;
  hasMigrationsTable: boolean;
  /** Prisma's `migrate status` exit code: 1 when anything needs doing, 0 in sync. */
  exitCode: 0 | 1;
}

/** Everything applied, nothing failed, edited or missing: what an up-to-date database diagnoses as. */
const UP_TO_DATE: DiagnoseMigrationHistoryOutput = { history: null, failedMigrationNames: [], editedMigrationNames: [], hasMigrationsTable: true };

/** `migrate status`: compares the folder with `_prisma_migrations`. Reads only. */
export async function status(source: SchemaSource, options: LifecycleOptions = {}): Promise<StatusReport> {
  const { upToDate, folder } = await upToDateWithoutEngine(source);
  if (upToDate) return summarizeStatus(folder, UP_TO_DATE);
  return withSession(source, { ...options, folder }, async (session) => summarizeStatus(session.folder, await diagnoseHistory(session)));
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

/** The status report, as a pure function of the folder and the engine's diagnostic. */
export function summarizeStatus(folder: MigrationsFolder, diagnostic: DiagnoseMigrationHistoryOutput): StatusReport {
  const history = diagnostic.history;
  const unapplied = new Set(history && history.diagnostic !== 'migrationsDirectoryIsBehind' ? history.unappliedMigrationNames : []);
  const missing = history && history.diagnostic !== 'databaseIsBehind' ? history.unpersistedMigrationNames : [];
  const failed = new Set(diagnostic.failedMigrationNames);
  const edited = new Set(diagnostic.editedMigrationNames);
  const migrations = folder.migrations.map(({ name }) => ({
    name,
    state: (failed.has(name) ? 'failed' : unapplied.has(name) ? 'pending' : edited.has(name) ? 'edited' : 'applied') as MigrationState,
  }));
  const diverged = history?.diagnostic === 'historiesDiverge' ? { lastCommonMigration: history.lastCommonMigrationName } : undefined;
  const needsWork = !diagnostic.hasMigrationsTable || unapplied.size > 0 || failed.size > 0 || diverged !== undefined;
  return { migrations, missing, diverged, hasMigrationsTable: diagnostic.hasMigrationsTable, exitCode: needsWork ? 1 : 0 };
}
