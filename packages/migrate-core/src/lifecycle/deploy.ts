import type { MigrationsFolder } from '../history/migrations-folder.js';
import type { SchemaSource } from '../source.js';
import { diagnoseHistory } from './status.js';
import { upToDateWithoutEngine } from './up-to-date.js';
import { type AppliedMigration, type LifecycleOptions, withSession } from './session.js';

export interface DeployResult {
  /** Migrations in the folder. */
  found: number;
  applied: AppliedMigration[];
  /** Applied migrations whose migration.sql changed since (deploy warns, it does not stop). */
  edited: string[];
  /**
   * Migrations a stopped deploy had left interrupted with nothing of them applied (PostgreSQL):
   * marked rolled back, then applied again with the others.
   */
  interruptedRolledBack: string[];
}

/**
 * `migrate deploy`: applies pending migrations, non-interactively, never resets, uses no shadow
 * database. Stops at a failed migration (P3009) and when a script fails (P3018). On PostgreSQL a
 * migration a killed deploy left with nothing applied is not a failure: it is applied again.
 */
export async function deploy(source: SchemaSource, options: LifecycleOptions & { folder?: MigrationsFolder } = {}): Promise<DeployResult> {
  const { upToDate, folder } = await upToDateWithoutEngine(source, options.folder);
  if (upToDate) return { found: folder.migrations.length, applied: [], edited: [], interruptedRolledBack: [] };
  return withSession(source, { ...options, folder, createDatabase: true, recoverInterrupted: true }, async (session) => {
    const before = await diagnoseHistory(session);
    const applied = await session.applyPending();
    return { found: session.folder.migrations.length, applied, edited: before.editedMigrationNames, interruptedRolledBack: session.interruptedRolledBack };
  });
}
