/**
 * The one error type of migrate-kit. Every failure a user can act on is a MigrateError:
 * a code (Prisma's P-code where the meaning is the same, `MK_*` otherwise), a message for
 * people, and a hint naming the flag to pass or the command to run. The CLI turns it into
 * an exit code in one place (cli/exit.ts); the library never calls process.exit.
 */
/** Operations a hint may tell the user to run; each CLI names them its own way (`keystone-migrate reset`). */
export type HintCommand = 'down' | 'reset' | 'resolve' | 'deploy' | 'status' | 'diff' | 'push' | 'pull' | 'baseline' | 'createMigration' | 'draftMigration' | 'hash';
/** Names the first of the operations the CLI has a verb for (keystone-migrate creates with draftMigration, Prisma with `migrate dev`). */
export type CommandNamer = (...operations: HintCommand[]) => string;

/** How hints name commands outside a CLI (the programmatic API): Prisma's words. */
const PRISMA_COMMANDS: CommandNamer = (operation) =>
  operation === 'pull' ? 'db pull' : `migrate ${operation === 'createMigration' || operation === 'draftMigration' ? 'dev' : operation}`;

export class MigrateError extends Error {
  override readonly name = 'MigrateError';
  readonly code: string;
  /** The hint with commands named as Prisma names them (`migrate reset`); a CLI uses hintFor. */
  readonly hint: string | undefined;
  private readonly hintTemplate: string | ((command: CommandNamer) => string) | undefined;
  /** Exit code the CLI uses for this error; 1 unless the operation says otherwise (130 = needs a human). */
  readonly exitCode: number;
  /** Extra structured facts for `--json` output. */
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: string,
    message: string,
    options: { hint?: string | ((command: CommandNamer) => string); exitCode?: number; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hintTemplate = options.hint;
    this.hint = this.hintFor(PRISMA_COMMANDS);
    this.exitCode = options.exitCode ?? 1;
    this.details = options.details;
  }

  /** The hint with the commands it mentions named by the CLI that reports it. */
  hintFor(command: CommandNamer): string | undefined {
    return typeof this.hintTemplate === 'function' ? this.hintTemplate(command) : this.hintTemplate;
  }
}

export function isMigrateError(error: unknown): error is MigrateError {
  return error instanceof MigrateError;
}

/** Codes of our own, for failures Prisma has no P-code for. */
export const ErrorCodes = {
  usage: 'MK_USAGE',
  nonInteractive: 'MK_NON_INTERACTIVE',
  cancelled: 'MK_CANCELLED',
  unsupportedProvider: 'MK_UNSUPPORTED_PROVIDER',
  schemaNotFound: 'MK_SCHEMA_NOT_FOUND',
  invalidUrl: 'MK_INVALID_URL',
  missingUrl: 'MK_MISSING_URL',
  resetRequired: 'MK_RESET_REQUIRED',
  dataLoss: 'MK_DATA_LOSS',
  unexecutable: 'MK_UNEXECUTABLE_STEPS',
  notUpToDate: 'MK_NOT_UP_TO_DATE',
  lockTimeout: 'MK_LOCK_TIMEOUT',
  migrationsFolder: 'MK_MIGRATIONS_FOLDER',
  enginePanic: 'MK_ENGINE_PANIC',
  engine: 'MK_ENGINE',
  /** baseline: the live database does not match the schema, so the schema's first migration would not describe it. */
  baselineMismatch: 'MK_BASELINE_MISMATCH',
  /** baseline: nothing to baseline (no tables); the first migration is applied by dev or deploy instead. */
  emptyDatabase: 'MK_EMPTY_DATABASE',
  /** baseline: the database already has a migration history. */
  hasMigrationHistory: 'MK_HAS_MIGRATION_HISTORY',
  /** The migrations folder does not match migrations/migrate-kit.sum (edited, deleted, reordered or unlisted migrations). */
  integrity: 'MK_INTEGRITY',
  /** lint: squawk could not run, a lint configuration is invalid, or `--since` names no migration. */
  lint: 'MK_LINT',
  /** down: a migration to roll back has no down.sql (nothing is rolled back). */
  downScriptMissing: 'MK_DOWN_SCRIPT_MISSING',
  /** down: no applied migration to roll back, or `--to` names one that is not applied. */
  nothingToRollBack: 'MK_NOTHING_TO_ROLL_BACK',
} as const;
