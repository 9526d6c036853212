import { ErrorCodes, MigrateError } from '../errors.js';
import { type RecordedByDevelopment, recordNewlyApplied } from '../history/integrity-file.js';
import type { SchemaSource } from '../source.js';
import { recordSchemaSnapshot } from './drift.js';
import { baselineNeededError, describeTarget, diagnoseDevelopmentDatabase } from './dev-diagnostic.js';
import { type AppliedMigration, type LifecycleOptions, withSession } from './session.js';

export interface ApplyDevelopmentOptions {
  /** Reset without asking when the database has drifted (answers the question). */
  force?: boolean | undefined;
}

export interface ApplyDevelopmentResult {
  /** Why the database was reset first, when it was. */
  resetReason: string | undefined;
  applied: AppliedMigration[];
  /** What the integrity file now records of this run's own doing (integrity-file.ts recordNewlyApplied). */
  integrityRecorded: RecordedByDevelopment;
  /** Migrations a stopped process had left interrupted with nothing applied (PostgreSQL): marked rolled back, applied again. */
  interruptedRolledBack: string[];
  /** The migration whose schema snapshot (for `deploy --check-drift`) this run wrote or refreshed; undefined when unchanged. */
  schemaSnapshot: string | undefined;
}

/**
 * Keystone's `migrate apply`: applies pending migrations to the development database. When the
 * database drifted from the history (or a migration was edited, removed or failed) it explains,
 * and asks before resetting; it never resets unasked.
 */
export async function applyDevelopment(source: SchemaSource, options: ApplyDevelopmentOptions & LifecycleOptions = {}): Promise<ApplyDevelopmentResult> {
  const result = await withSession(source, { ...options, createDatabase: true, recoverInterrupted: true }, async (session) => {
    // Held from the diagnosis to the end of the apply, as `migrate dev` does (create-migration.ts).
    await session.holdMigrationLock();
    const { resetReason, needsBaseline } = await diagnoseDevelopmentDatabase(session);
    // A database made by `db push` (`keystone dev`) is baselined to keep its data; --force resets it as asked.
    if (needsBaseline && !options.force) throw baselineNeededError(session);
    if (resetReason !== undefined) {
      if (!options.force) {
        const ok = await session.prompter.confirm({
          message: `${resetReason}\n\nWe need to reset the ${describeTarget(session)}. Do you want to continue? All data will be lost.`,
          flag: '--force',
        });
        if (!ok) throw new MigrateError(ErrorCodes.cancelled, 'Reset cancelled: nothing was changed.', { exitCode: 130 });
      }
      await session.engine.reset({ filter: session.filters });
    }
    const applied = await session.applyPending();
    return { resetReason, applied, interruptedRolledBack: session.interruptedRolledBack };
  });
  // After a reset every migration is applied anew: that accepts no edit.
  const integrityRecorded = result.resetReason === undefined ? recordNewlyApplied(source.migrationsDir, result.applied.map((m) => m.name)) : { edits: [], additions: [] };
  // The database was diagnosed (and reset when it had drifted) and holds every applied migration (lifecycle/drift.ts).
  const schemaSnapshot = await recordSchemaSnapshot(source, result.applied.map((m) => m.name));
  return { ...result, integrityRecorded, schemaSnapshot };
}
