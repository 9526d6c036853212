import { join, relative } from 'node:path';
import { readUnfinishedMigrations } from '../engine/interrupted-migrations.js';
import { ErrorCodes, isMigrateError, MigrateError } from '../errors.js';
import { BASELINE_MIGRATION_NAME, baselineSteps } from './baseline-advice.js';
import type { Session } from './session.js';
import { diagnoseHistory } from './status.js';

/**
 * devDiagnostic decides whether the development database can take the migrations as they are:
 * it replays the history on a shadow database and compares. `resetReason` is set on drift or an
 * edited, missing or failed migration. A database the engine never touched has no
 * `_prisma_migrations` yet (P1014): an empty applyMigrations creates it, and we diagnose again.
 * A migration a stopped process left interrupted (nothing of it committed) is not failed: it is
 * recovered as `deploy` recovers it, and applied again by the caller (recoverInterruptedMigrations).
 */
export async function diagnoseDevelopmentDatabase(session: Session): Promise<{ resetReason: string | undefined; needsBaseline: boolean }> {
  const input = { migrationsList: session.migrationList(), filters: session.filters };
  let diagnostic: Awaited<ReturnType<Session['engine']['devDiagnostic']>>;
  try {
    diagnostic = await session.engine.devDiagnostic(input);
  } catch (error) {
    if (!isMigrateError(error) || error.code !== 'P1014') throw error;
    await applyNothing(session).catch((e: unknown) => {
      throw isMigrateError(e) && e.code === 'P3005' ? baselineNeededError(session, e) : e;
    });
    diagnostic = await session.engine.devDiagnostic(input);
  }
  if (diagnostic.action.tag === 'reset' && (await recoverInterruptedMigrations(session))) diagnostic = await session.engine.devDiagnostic(input);
  const resetReason = diagnostic.action.tag === 'reset' ? diagnostic.action.reason : undefined;
  // On PostgreSQL the engine diagnoses a database with tables and no `_prisma_migrations` (one made
  // by `db push`) as drift, where SQLite refuses with P3005: either way it needs a baseline, which
  // keeps the data, before a reset, which does not. Asked only on the reset path, which is rare.
  const needsBaseline = resetReason !== undefined && !(await diagnoseHistory(session)).hasMigrationsTable;
  return { resetReason, needsBaseline };
}

/**
 * P3005 (tables, and no `_prisma_migrations`) with the way out: baseline the database, or reset it.
 * Test: test/baseline.test.ts ("dev on a database made by push names the baseline ...").
 */
export function baselineNeededError(session: Session, cause?: MigrateError, options: { offerReset?: boolean } = {}): MigrateError {
  const offerReset = options.offerReset ?? true;
  const first = session.folder.migrations[0]?.name;
  return new MigrateError(
    'P3005',
    `The database schema is not empty: the ${describeTarget(session)} has tables but no migration history (no \`_prisma_migrations\` table), as a database made by \`db push\` has. Read more about how to baseline an existing production database: https://pris.ly/d/migrate-baseline`,
    {
      hint: (command) =>
        `Nothing was changed. ${baselineSteps(command, session.source.migrationsDir, first)}${offerReset ? `\nOr, if its data may be lost, run \`${command('reset')}\` to drop it and apply the migrations.` : ''}`,
      details: { baselineMigration: first ?? BASELINE_MIGRATION_NAME },
      cause,
    },
  );
}

/**
 * Why: the engine diagnoses a row with neither `finished_at` nor `rolled_back_at` as a failed
 * migration and asks for a reset, and stock `status` offers `resolve --applied` for it. A row that
 * still carries the interrupted marker (PostgreSQL, engine/adapters/postgres-migration-transaction.ts)
 * was left by a process that stopped before the script committed: nothing of it was applied. An
 * applyMigrations of no migration takes the migration lock, under which the session marks such
 * rows rolled back (recoverInterrupted, as `deploy` does), so the migration is pending again; a
 * row whose process is still applying it (it holds the lock) is waited for, and is then finished or
 * failed. True when there was such a row: the database must be diagnosed again.
 * Test: test/interrupted-dev.test.ts.
 */
async function recoverInterruptedMigrations(session: Session): Promise<boolean> {
  const unfinished = await readUnfinishedMigrations(session.connection);
  if (unfinished.interrupted.length === 0 && unfinished.inProgress.length === 0) return false;
  try {
    await applyNothing(session);
  } catch (error) {
    // A failed migration besides: the diagnosis says so.
    if (!isMigrateError(error) || error.code !== 'P3009') throw error;
  }
  return true;
}

/** applyMigrations with an empty list: creates `_prisma_migrations` when missing, under the migration lock, and applies nothing. */
async function applyNothing(session: Session): Promise<void> {
  await session.engine.applyMigrations({ migrationsList: session.migrationList({ ...session.folder, migrations: [] }), filters: session.filters });
}

/**
 * Prisma 6.5+ never resets on its own: it explains and stops with exit 130, pointing at reset.
 * Decision: 130 with or without a TTY, as Prisma 7's `migrate dev` exits 130 after explaining
 * drift in both cases (it asks nothing, so no terminal is missing: this is not a non-interactive refusal).
 */
export function resetRequiredError(session: Session, reason: string): MigrateError {
  return new MigrateError(ErrorCodes.resetRequired, `${reason}\n\nWe need to reset the ${describeTarget(session)}.`, {
    hint: (command) =>
      `Nothing was changed. Run \`${command('reset')}\` to drop the development database and re-apply all migrations (all data will be lost), or restore the migrations that changed.`,
    exitCode: 130,
    details: { reason },
  });
}

export function describeTarget(session: Session): string {
  if (session.connection.provider === 'sqlite') return `SQLite database "${relative(process.cwd(), session.connection.file) || join('.', session.connection.file)}"`;
  return `"${session.connection.schema ?? 'public'}" schema of the PostgreSQL database`;
}
