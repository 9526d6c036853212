import { ErrorCodes, MigrateError } from '../errors.js';
import { sanitizeMigrationName } from '../history/migration-name.js';
import { withMigration, writeMigration } from '../history/migrations-folder.js';
import type { SchemaSource } from '../source.js';
import { diagnoseDevelopmentDatabase, resetRequiredError } from './dev-diagnostic.js';
import { type AppliedMigration, type LifecycleOptions, type Session, withSession } from './session.js';

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
}

/**
 * `migrate dev`: brings the development database up to date with the schema through a new
 * migration. In order: diagnose (drift, edited/missing/failed migrations: explain and stop,
 * never reset on its own), apply pending migrations, evaluate data loss (ask, or take
 * `acceptDataLoss`), write `migrations/<timestamp>_<name>/migration.sql`, apply it.
 */
export async function createMigration(source: SchemaSource, options: CreateMigrationOptions & LifecycleOptions = {}): Promise<CreateMigrationResult> {
  return withSession(source, { ...options, createDatabase: true }, async (session) => {
    await assertSchemaIsValid(session);
    await explainResetIfNeeded(session);
    const appliedPending = await session.applyPending();
    // Why: the Wasm engine gives evaluateDataLoss and createMigration no shadow database of their
    // own; they reuse the replay devDiagnostic cached, keyed by the exact migration list. That
    // replay covered only the applied migrations, so after applying pending ones we diagnose again
    // (otherwise: "<provider> shadow DB must be provided through an external factory").
    // Test: test/lifecycle-dev.test.ts ("... --create-only, and the next dev applies it").
    if (appliedPending.length > 0) await explainResetIfNeeded(session);

    const evaluation = await session.engine.evaluateDataLoss({ migrationsList: session.migrationList(), schema: session.schema(), filters: session.filters });
    if (evaluation.unexecutableSteps.length > 0 && !options.createOnly) {
      throw new MigrateError(
        ErrorCodes.unexecutable,
        `We found changes that cannot be executed:\n\n${evaluation.unexecutableSteps.map((s) => `  • Step ${s.stepIndex} ${s.message}`).join('\n')}`,
        { hint: 'Use --create-only to create the migration file, edit it to address the issue(s), then run the command again to apply it.' },
      );
    }
    const warnings = evaluation.warnings.map((w) => w.message);
    if (warnings.length > 0 && !options.acceptDataLoss) {
      const ok = await session.prompter.confirm({
        message: `Warnings for the current datasource:\n\n${warnings.map((w) => `  • ${w}`).join('\n')}\n\nAre you sure you want to create ${options.createOnly ? 'this migration' : 'and apply this migration'}?`,
        flag: '--accept-data-loss',
      });
      if (!ok) throw new MigrateError(ErrorCodes.cancelled, 'Migration cancelled.', { exitCode: 130 });
    }

    if (evaluation.migrationSteps === 0 && !options.createOnly) return { appliedPending, created: undefined, warnings };

    const name =
      options.name !== undefined
        ? options.name
        : await session.prompter.text({ message: 'Enter a name for the new migration:', flag: '--name', fallback: '' });
    const generated = await session.engine.createMigration({
      draft: Boolean(options.createOnly),
      migrationName: sanitizeMigrationName(name),
      migrationsList: session.migrationList(),
      schema: session.schema(),
      filters: session.filters,
    });
    if (generated.migrationScript === null) return { appliedPending, created: undefined, warnings };

    const path = writeMigration(source.migrationsDir, generated.generatedMigrationName, generated.migrationScript, source.provider);
    const created = { name: generated.generatedMigrationName, path, applied: undefined as AppliedMigration | undefined };
    if (!options.createOnly) {
      const applied = await session.applyPending(withMigration(session.folder, generated.generatedMigrationName, generated.migrationScript));
      created.applied = applied.find((m) => m.name === generated.generatedMigrationName);
    }
    return { appliedPending, created, warnings };
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

/** Stops with Prisma's explanation when the development database would need a reset. */
async function explainResetIfNeeded(session: Session): Promise<void> {
  const { resetReason } = await diagnoseDevelopmentDatabase(session);
  if (resetReason !== undefined) throw resetRequiredError(session, resetReason);
}
