import { ErrorCodes, MigrateError } from '../errors.js';
import type { SchemaSource } from '../source.js';
import { describeTarget, diagnoseDevelopmentDatabase } from './dev-diagnostic.js';
import { type AppliedMigration, type LifecycleOptions, withSession } from './session.js';

export interface ApplyDevelopmentOptions {
  /** Reset without asking when the database has drifted (answers the question). */
  force?: boolean | undefined;
}

export interface ApplyDevelopmentResult {
  /** Why the database was reset first, when it was. */
  resetReason: string | undefined;
  applied: AppliedMigration[];
}

/**
 * Keystone's `migrate apply`: applies pending migrations to the development database. When the
 * database drifted from the history (or a migration was edited, removed or failed) it explains,
 * and asks before resetting; it never resets unasked.
 */
export async function applyDevelopment(source: SchemaSource, options: ApplyDevelopmentOptions & LifecycleOptions = {}): Promise<ApplyDevelopmentResult> {
  return withSession(source, { ...options, createDatabase: true }, async (session) => {
    const { resetReason } = await diagnoseDevelopmentDatabase(session);
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
    return { resetReason, applied: await session.applyPending() };
  });
}
