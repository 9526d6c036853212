import { join, relative } from 'node:path';
import { ErrorCodes, isMigrateError, MigrateError } from '../errors.js';
import type { Session } from './session.js';

/**
 * devDiagnostic decides whether the development database can take the migrations as they are:
 * it replays the history on a shadow database and compares. `resetReason` is set on drift or an
 * edited, missing or failed migration. A database the engine never touched has no
 * `_prisma_migrations` yet (P1014): an empty applyMigrations creates it, and we diagnose again.
 */
export async function diagnoseDevelopmentDatabase(session: Session): Promise<{ resetReason: string | undefined }> {
  const input = { migrationsList: session.migrationList(), filters: session.filters };
  let diagnostic: Awaited<ReturnType<Session['engine']['devDiagnostic']>>;
  try {
    diagnostic = await session.engine.devDiagnostic(input);
  } catch (error) {
    if (!isMigrateError(error) || error.code !== 'P1014') throw error;
    await session.engine.applyMigrations({ migrationsList: session.migrationList({ ...session.folder, migrations: [] }), filters: session.filters });
    diagnostic = await session.engine.devDiagnostic(input);
  }
  return { resetReason: diagnostic.action.tag === 'reset' ? diagnostic.action.reason : undefined };
}

/** Prisma 6.5+ never resets on its own: it explains and stops with exit 130, pointing at reset. */
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
