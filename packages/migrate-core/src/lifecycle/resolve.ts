import { resolveConnection } from '../engine/connection.js';
import { createSqliteMigrationsTable } from '../engine/migrations-table.js';
import { assertSqliteFileExists } from '../engine/sqlite-file.js';
import { ErrorCodes, isMigrateError, MigrateError } from '../errors.js';
import { assertLockFileProvider } from '../history/lock-file.js';
import { type MigrationsFolder, readMigrationsFolder } from '../history/migrations-folder.js';
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
  const folder = readMigrationsFolder(source.migrationsDir);
  if (applied !== undefined) await createMigrationsTableToBaseline(source, folder, applied);
  return withSession(source, { ...options, folder }, async (session) => {
    if (applied !== undefined) {
      await session.engine.markMigrationApplied({ migrationName: migration, migrationsList: session.migrationList() });
      return { migration, markedAs: 'applied' };
    }
    await session.engine.markMigrationRolledBack({ migrationName: migration }).catch((error: unknown) => {
      throw isMissingMigrationsTable(error) ? neverAppliedError(migration, error) : error;
    });
    return { migration, markedAs: 'rolled-back' };
  });
}

/**
 * The engine's answer to `--rolled-back` on a database without `_prisma_migrations`: an
 * "Invariant violation" on PostgreSQL and MySQL, P1014 (the table is missing) on SQLite.
 */
function isMissingMigrationsTable(error: unknown): boolean {
  if (!isMigrateError(error)) return false;
  return error.code === 'P1014' || (error.code === ErrorCodes.engine && error.message.includes('markMigrationRolledBack on a database without migrations table'));
}

/**
 * What that means, said as Prisma says it for a migration missing from the table (P3011): no
 * migration was ever applied, so none can be rolled back. A reset running at the same moment
 * leaves a resolve in exactly this state (reliability/test/interleavings.test.ts).
 * Test: test/lifecycle-resolve-reset.test.ts ("resolve --rolled-back on a database with no migration history").
 */
function neverAppliedError(migration: string, cause: unknown): MigrateError {
  return new MigrateError(
    'P3011',
    `Migration \`${migration}\` cannot be rolled back because it was never applied to the database: the database has no migration history yet (no \`_prisma_migrations\` table).`,
    { hint: (command) => `Nothing needs resolving; \`${command('status')}\` shows what is applied, \`${command('deploy')}\` applies the migrations.`, cause },
  );
}

/**
 * SQLite: `--applied` on a database without `_prisma_migrations` (the baselining step) creates the
 * table first, as the native engine does (engine/migrations-table.ts, createSqliteMigrationsTable).
 * Only for a migration that is in the folder, under the right provider: any other mistake is
 * reported by the engine with nothing created.
 */
async function createMigrationsTableToBaseline(source: SchemaSource, folder: MigrationsFolder, migration: string): Promise<void> {
  const connection = resolveConnection(source);
  if (connection.provider !== 'sqlite') return;
  assertLockFileProvider(folder.lockFile, source.provider);
  if (!folder.migrations.some((m) => m.name === migration && m.script.ok)) return;
  assertSqliteFileExists(connection);
  await createSqliteMigrationsTable(connection.file, connection.busyTimeoutMs);
}
