/**
 * The one error type of migrate-kit. Every failure a user can act on is a MigrateError:
 * a code (Prisma's P-code where the meaning is the same, `MK_*` otherwise), a message for
 * people, and a hint naming the flag to pass or the command to run. The CLI turns it into
 * an exit code in one place (cli/exit.ts); the library never calls process.exit.
 */
/** Operations a hint may tell the user to run; each CLI names them its own way (`keystone-migrate reset`). */
export type HintCommand = 'reset' | 'resolve';
export type CommandNamer = (operation: HintCommand) => string;

/** How hints name commands outside a CLI (the programmatic API): Prisma's words. */
const PRISMA_COMMANDS: CommandNamer = (operation) => `migrate ${operation}`;

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
} as const;
