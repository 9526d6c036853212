import { ErrorCodes, MigrateError } from '../errors.js';
import type { SchemaSource } from '../source.js';
import { type AppliedMigration, type LifecycleOptions, withSession } from './session.js';

export interface ResetOptions {
  /** Skip the confirmation. */
  force?: boolean | undefined;
}

export interface ResetResult {
  applied: AppliedMigration[];
}

/** `migrate reset`: drops everything in the database, then applies every migration. Asks first unless forced. */
export async function reset(source: SchemaSource, options: ResetOptions & LifecycleOptions = {}): Promise<ResetResult> {
  return withSession(source, { ...options, createDatabase: true }, async (session) => {
    if (!options.force) {
      const ok = await session.prompter.confirm({ message: 'Are you sure you want to reset your database? All data will be lost.', flag: '--force' });
      if (!ok) throw new MigrateError(ErrorCodes.cancelled, 'Reset cancelled.', { exitCode: 130 });
    }
    // Why: the Wasm engine (8.1) drops the schema before it takes the migration lock (only its
    // apply takes it), so a reset wiped the database under a deploy holding the lock.
    // Test: test/migration-lock.test.ts ("... reset ... change nothing").
    await session.holdMigrationLock();
    await session.engine.reset({ filter: session.filters });
    return { applied: await session.applyPending() };
  });
}
