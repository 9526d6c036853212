import { ErrorCodes, isMigrateError, MigrateError } from '../errors.js';
import { type IntegrityResult, verifyIntegrity } from '../history/integrity-file.js';
import { migrationTimestamp } from '../history/migration-name.js';
import { nameAfterHistory, readMigrationsFolder, writeMigration } from '../history/migrations-folder.js';
import type { SchemaSource } from '../source.js';
import { confirmDataLoss, evaluateDataLoss, schemaAgainstHistory } from './data-loss.js';
import { diffRendered, historyToSchema } from './diff.js';
import { downScriptInSession, downScriptOf, downScriptOrReason } from './down-script.js';
import { type LifecycleOptions, withSession } from './session.js';
import { upToDateWithoutEngine } from './up-to-date.js';

export interface DraftMigrationOptions {
  name?: string | undefined;
  /** How the name becomes part of the folder name (Prisma slugifies; Keystone kept `[A-Za-z0-9_]`). */
  sanitizeName: (name: string) => string;
  /** Answer the data-loss question with yes. */
  acceptDataLoss?: boolean | undefined;
}

export interface DraftMigrationResult {
  /** The engine's summary of what the schema adds to the history (`[+] Added tables ...`); empty when unchanged. */
  summary: string;
  created: { name: string; path: string } | undefined;
  /** What the migration would drop from, or could not do on, the rows of the development database (asked about first). */
  warnings: string[];
  /** Whether the development database was evaluated (it exists, and every migration of the folder is applied to it). */
  evaluatedOnDatabase: boolean;
  /** The integrity file's verdict once done (the new migration is recorded in it; other changes are not accepted). */
  integrity: IntegrityResult;
  /** Why the migration got no down.sql, when the engine could not compute one (down-script.ts downScriptOrReason). */
  downScriptSkipped?: string | undefined;
}

/**
 * Keystone's `migrate create`: writes the migration that takes the database the history
 * produces to the schema, without applying it and without changing the development database
 * (the history is replayed on a shadow database).
 *
 * Where the development database holds the whole history, it is read as `migrate dev
 * --create-only` reads it: the rows the migration would drop, or could not migrate (a required
 * column without a default on a table with rows), are listed and asked about before anything is
 * written (`acceptDataLoss` answers), and the file starts with Prisma's warnings header. A
 * database that does not exist or lacks migrations of the folder has no rows at stake that the
 * engine could count: the migration is written as the diff renders it.
 */
export async function draftMigration(source: SchemaSource, options: DraftMigrationOptions & LifecycleOptions): Promise<DraftMigrationResult> {
  const history = historyToSchema(source);
  const [summary, script] = await diffRendered(history, [false, true]);
  if (summary!.empty) return { summary: '', created: undefined, warnings: [], evaluatedOnDatabase: false, integrity: verifyIntegrity(readMigrationsFolder(source.migrationsDir)) };
  const given = options.name ?? (await options.prompter?.text({ message: 'Name of migration', flag: '--name' }));
  const name = options.sanitizeName(given ?? '');
  if (!name) {
    throw new MigrateError(ErrorCodes.usage, 'The migration needs a name made of letters, digits or underscores.', { hint: 'Pass --name <name>.' });
  }
  const evaluated = (await developmentDatabaseHoldsHistory(source)) ? await draftOnDevelopmentDatabase(source, name, options) : undefined;
  const folderName = nameAfterHistory(readMigrationsFolder(source.migrationsDir), evaluated?.folderName ?? `${migrationTimestamp()}_${name}`);
  const down = evaluated ? evaluated.down : await downScriptOrReason(() => downScriptOf(history));
  const path = writeMigration(source.migrationsDir, folderName, evaluated?.script ?? script!.text, source.provider, down.text);
  return {
    summary: summary!.text.trim(),
    created: { name: folderName, path },
    warnings: evaluated?.warnings ?? [],
    evaluatedOnDatabase: Boolean(evaluated),
    integrity: verifyIntegrity(readMigrationsFolder(source.migrationsDir)),
    downScriptSkipped: down.skipped,
  };
}

/** Whether the development database exists and records every migration of the folder as applied (read without the engine). */
async function developmentDatabaseHoldsHistory(source: SchemaSource): Promise<boolean> {
  try {
    return (await upToDateWithoutEngine(source)).upToDate;
  } catch (error) {
    // No database configured (SQLite needs none to draft) or none there yet: nothing to evaluate.
    if (isMigrateError(error) && (error.code === ErrorCodes.missingUrl || error.code === 'P1003')) return false;
    throw error;
  }
}

/** evaluateDataLoss and the engine's draft (with its warnings header) on the development database; asks before returning the script. */
async function draftOnDevelopmentDatabase(
  source: SchemaSource,
  name: string,
  options: DraftMigrationOptions & LifecycleOptions,
): Promise<{ folderName: string; script: string; down: { text: string | undefined; skipped: string | undefined }; warnings: string[] }> {
  return withSession(source, options, async (session) => {
    const list = { migrationsList: session.migrationList(), filters: session.filters };
    // Caches the history's replay for the two calls below (the Wasm engine has no shadow of its own for them).
    await session.engine.devDiagnostic(list);
    const schema = schemaAgainstHistory(session);
    const evaluation = await evaluateDataLoss(session, schema);
    const unexecutable = evaluation.unexecutable.map((s) => s.message);
    await confirmDataLoss(session.prompter, { warnings: evaluation.warnings, unexecutable }, { action: 'create this migration', acceptDataLoss: options.acceptDataLoss });
    const generated = await session.engine.createMigration({ draft: true, migrationName: name, ...list, schema });
    const down = await downScriptOrReason(() => downScriptInSession(session, schema, list.migrationsList));
    return { folderName: generated.generatedMigrationName, script: generated.migrationScript ?? '', down, warnings: [...evaluation.warnings, ...unexecutable] };
  });
}
