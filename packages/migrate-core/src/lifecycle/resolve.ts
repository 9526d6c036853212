import { ErrorCodes, MigrateError } from '../errors.js';
import type { SchemaSource } from '../source.js';
import { type LifecycleOptions, withSession } from './session.js';

export interface ResolveOptions {
  applied?: string | undefined;
  rolledBack?: string | undefined;
}

export interface ResolveResult {
  migration: string;
  markedAs: 'applied' | 'rolled-back';
}

/**
 * `migrate resolve`: `--applied` records a migration as applied without running it (a failed
 * row is marked rolled back and a new finished row inserted); `--rolled-back` sets
 * `rolled_back_at` on a failed migration so that deploy can go on.
 */
export async function resolve(source: SchemaSource, options: ResolveOptions & LifecycleOptions): Promise<ResolveResult> {
  const { applied, rolledBack } = options;
  if (applied !== undefined && rolledBack !== undefined) {
    throw new MigrateError(ErrorCodes.usage, 'Pass either --applied or --rolled-back, not both.');
  }
  const migration = applied ?? rolledBack;
  if (migration === undefined || migration.trim() === '') {
    throw new MigrateError(ErrorCodes.usage, '--applied or --rolled-back must name a migration.', {
      hint: (command) => `e.g. \`${command('resolve')} --applied 20201231000000_example\` or \`${command('resolve')} --rolled-back 20201231000000_example\`.`,
    });
  }
  return withSession(source, options, async (session) => {
    if (applied !== undefined) {
      await session.engine.markMigrationApplied({ migrationName: migration, migrationsList: session.migrationList() });
      return { migration, markedAs: 'applied' };
    }
    await session.engine.markMigrationRolledBack({ migrationName: migration });
    return { migration, markedAs: 'rolled-back' };
  });
}
