import { ErrorCodes, MigrateError } from '../errors.js';
import { type IntegrityResult, type RecordedByDevelopment, recordNewlyApplied, verifyIntegrity } from '../history/integrity-file.js';
import { sanitizeMigrationName } from '../history/migration-name.js';
import { nameAfterHistory, readMigrationsFolder, withMigration, writeMigration } from '../history/migrations-folder.js';
import type { SchemaSource } from '../source.js';
import { confirmDataLoss, evaluateDataLoss, schemaAgainstHistory } from './data-loss.js';
import { timed } from '../timing.js';
import { downScriptInSession, downScriptOrReason } from './down-script.js';
import { recordSchemaSnapshot } from './drift.js';
import { baselineNeededError, diagnoseDevelopmentDatabase, resetRequiredError } from './dev-diagnostic.js';
import { type AppliedMigration, type LifecycleOptions, type Session, withSession } from './session.js';
import { hasDeclaredType, type UnsupportedColumn, unsupportedColumnsOnlyRecreated } from './unsupported-columns.js';

export interface CreateMigrationOptions {
  /** The migration's name (sanitised as Prisma does); asked for when missing. */
  name?: string | undefined;
  /** Write the migration without applying it. */
  createOnly?: boolean | undefined;
  /** Answer the data-loss question with yes. */
  acceptDataLoss?: boolean | undefined;
}

export interface CreateMigrationResult {
  /** Pending migrations applied before anything was generated. */
  appliedPending: AppliedMigration[];
  /** The migration written, if the schema had changes (or `createOnly`). */
  created: { name: string; path: string; applied: AppliedMigration | undefined } | undefined;
  /** Data-loss warnings the new migration carries. */
  warnings: string[];
  /**
   * When the new migration does nothing but re-create or alter `Unsupported(...)` columns that were
   * already there (the engine cannot diff them exactly, so every `dev` writes one): those columns.
   */
  unsupportedColumnsRecreated: UnsupportedColumn[];
  /** Migrations a stopped process had left interrupted with nothing applied (PostgreSQL): marked rolled back, applied again. */
  interruptedRolledBack: string[];
  /** Why the new migration got no down.sql, when the engine could not compute one (down-script.ts downScriptOrReason). */
  downScriptSkipped?: string | undefined;
  /**
   * The integrity file's verdict once done. `dev` records the migration it writes but never accepts
   * other changes to the folder (an edit after `--create-only` is accepted by `hash`): it warns.
   */
  integrity: IntegrityResult;
  /** What the integrity file now records of this run's own doing: edits (e.g. after `--create-only`) and additions of migrations it applied first (integrity-file.ts recordNewlyApplied). */
  integrityRecorded: RecordedByDevelopment;
  /** The migration whose schema snapshot (for `deploy --check-drift`) this run wrote or refreshed; undefined when unchanged. */
  schemaSnapshot: string | undefined;
}

/**
 * `migrate dev`: brings the development database up to date with the schema through a new
 * migration. In order: diagnose (drift, edited/missing/failed migrations: explain and stop,
 * never reset on its own), apply pending migrations, evaluate data loss (ask, or take
 * `acceptDataLoss`), write `migrations/<timestamp>_<name>/migration.sql`, apply it.
 */
export async function createMigration(source: SchemaSource, options: CreateMigrationOptions & LifecycleOptions = {}): Promise<CreateMigrationResult> {
  const result = await createMigrationInSession(source, options);
  const applied = [...result.appliedPending, ...(result.created?.applied ? [result.created.applied] : [])].map((m) => m.name);
  const integrityRecorded = recordNewlyApplied(source.migrationsDir, applied, result.created?.name);
  // After the session: the database was diagnosed free of drift and holds every applied migration (lifecycle/drift.ts).
  const schemaSnapshot = await timed('recordSchemaSnapshot', () => recordSchemaSnapshot(source, applied));
  return { ...result, integrity: verifyIntegrity(readMigrationsFolder(source.migrationsDir)), integrityRecorded, schemaSnapshot };
}

async function createMigrationInSession(
  source: SchemaSource,
  options: CreateMigrationOptions & LifecycleOptions,
): Promise<Omit<CreateMigrationResult, 'integrity' | 'integrityRecorded' | 'schemaSnapshot'>> {
  return withSession(source, { ...options, createDatabase: true, recoverInterrupted: true }, async (session) => {
    await timed('assertSchemaIsValid', () => assertSchemaIsValid(session));
    // From the diagnosis to the end of the apply, so that a concurrent `migrate dev` waits, then
    // sees this one's migration (on disk and applied) instead of drift or a second migration.
    // Test: test/concurrent-dev.test.ts.
    await session.holdMigrationLock();
    await timed('devDiagnostic', () => explainResetIfNeeded(session));
    const appliedPending = await session.applyPending();
    // Why: the Wasm engine gives evaluateDataLoss and createMigration no shadow database of their
    // own; they reuse the replay devDiagnostic cached, keyed by the exact migration list. That
    // replay covered only the applied migrations, so after applying pending ones we diagnose again
    // (otherwise: "<provider> shadow DB must be provided through an external factory").
    // Test: test/lifecycle-dev.test.ts ("... --create-only, and the next dev applies it").
    if (appliedPending.length > 0) await explainResetIfNeeded(session);

    const schema = schemaAgainstHistory(session);
    const evaluation = await timed('evaluateDataLoss', () => evaluateDataLoss(session, schema));
    if (evaluation.unexecutable.length > 0 && !options.createOnly) {
      throw new MigrateError(
        ErrorCodes.unexecutable,
        `We found changes that cannot be executed:\n\n${evaluation.unexecutable.map((s) => `  • Step ${s.stepIndex} ${s.message}`).join('\n')}`,
        { hint: 'Use --create-only to create the migration file, edit it to address the issue(s), then run the command again to apply it.' },
      );
    }
    const warnings = evaluation.warnings;
    await confirmDataLoss(session.prompter, { warnings }, { action: options.createOnly ? 'create this migration' : 'create and apply this migration', acceptDataLoss: options.acceptDataLoss });

    if (evaluation.migrationSteps === 0 && !options.createOnly) return { appliedPending, created: undefined, warnings, unsupportedColumnsRecreated: [], interruptedRolledBack: session.interruptedRolledBack };

    const name =
      options.name !== undefined
        ? options.name
        : await session.prompter.text({ message: 'Enter a name for the new migration:', flag: '--name', fallback: '' });
    const generated = await timed('createMigration', () =>
      session.engine.createMigration({
        draft: Boolean(options.createOnly),
        migrationName: sanitizeMigrationName(name),
        migrationsList: session.migrationList(),
        schema,
        filters: session.filters,
      }),
    );
    if (generated.migrationScript === null) return { appliedPending, created: undefined, warnings, unsupportedColumnsRecreated: [], interruptedRolledBack: session.interruptedRolledBack };

    // Before the migration is applied: a column that has its declared type already is one the migration only repeats.
    const unsupportedColumnsRecreated = await repeatedUnsupportedColumns(session, generated.migrationScript);
    // From the schema back to the history before it, on the replay the engine has cached for that list.
    const down = await timed('downScript', () => downScriptOrReason(() => downScriptInSession(session, schema)));
    const folderName = nameAfterHistory(session.folder, generated.generatedMigrationName);
    const path = writeMigration(source.migrationsDir, folderName, generated.migrationScript, source.provider, down.text);
    const created = { name: folderName, path, applied: undefined as AppliedMigration | undefined };
    if (!options.createOnly) {
      const applied = await session.applyPending(withMigration(session.folder, folderName, generated.migrationScript));
      created.applied = applied.find((m) => m.name === folderName);
    }
    return { appliedPending, created, warnings, unsupportedColumnsRecreated, interruptedRolledBack: session.interruptedRolledBack, downScriptSkipped: down.skipped };
  });
}

/**
 * Fails with the engine's P1012 when the schema has errors, before anything touches the database.
 *
 * Why: the engine validates the schema only in evaluateDataLoss, after applyMigrations has run
 * (for pending migrations, or empty to bootstrap a new database), which creates
 * `_prisma_migrations`: a schema with a typo left that table behind in a database it never
 * migrated. Prisma's CLI validates the schema before it connects; a diff from nothing to the
 * schema is the engine's validation without a database write.
 * Test: reliability/test/bad-input.cases.ts ("mk-schema-unclosed-block" and the other schema cases).
 */
async function assertSchemaIsValid(session: Session): Promise<void> {
  await session.engine.diff({ from: { tag: 'empty' }, to: { tag: 'schemaDatamodel', files: session.schema().files }, script: false, exitCode: false, filters: session.filters });
}

/** The Unsupported columns a migration only re-creates or alters while the database already has their declared type. */
async function repeatedUnsupportedColumns(session: Session, script: string): Promise<UnsupportedColumn[]> {
  const columns = unsupportedColumnsOnlyRecreated(script, session.source.files);
  if (columns.length === 0) return [];
  const { columnTypes } = await import('../engine/postgres-column-types.js');
  const types = await columnTypes(session.connection, columns);
  return columns.every((c) => hasDeclaredType(c, types.get(`${c.table}.${c.column}`))) ? columns : [];
}

/** Stops with Prisma's explanation when the development database would need a reset. */
async function explainResetIfNeeded(session: Session): Promise<void> {
  const { resetReason, needsBaseline } = await diagnoseDevelopmentDatabase(session);
  if (needsBaseline) throw baselineNeededError(session);
  if (resetReason !== undefined) throw resetRequiredError(session, resetReason);
}
