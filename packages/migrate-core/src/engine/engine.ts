import type {
  ApplyMigrationsInput,
  ApplyMigrationsOutput,
  CreateMigrationInput,
  CreateMigrationOutput,
  DbExecuteParams,
  DevDiagnosticInput,
  DevDiagnosticOutput,
  DiagnoseMigrationHistoryInput,
  DiagnoseMigrationHistoryOutput,
  DiffParams,
  DiffResult,
  EvaluateDataLossInput,
  IntrospectParams,
  IntrospectResult,
  EvaluateDataLossOutput,
  MarkMigrationAppliedInput,
  MarkMigrationRolledBackInput,
  ResetInput,
  SchemaPushInput,
  SchemaPushOutput,
} from '@prisma/schema-engine-wasm';
import type { MigrationLockHolder } from './adapters/postgres-migration-lock.js';

export type {
  ApplyMigrationsOutput,
  CreateMigrationOutput,
  DevDiagnosticOutput,
  DiagnoseMigrationHistoryOutput,
  DiffResult,
  DiffTarget,
  EvaluateDataLossOutput,
  HistoryDiagnostic,
  IntrospectResult,
  MigrationList,
  SchemaPushOutput,
} from '@prisma/schema-engine-wasm';

/** Something that happened inside the engine worth telling the user (e.g. a migration starting). */
export type EngineEvent =
  | { kind: 'applyingMigration'; migrationName: string; at: number }
  /** A migration a stopped process left with nothing applied was marked rolled back, to be applied again. */
  | { kind: 'interruptedMigrationRolledBack'; migrationName: string }
  /** A wait for the migration lock has lasted a second: the session holding it (PostgreSQL). */
  | { kind: 'waitingForMigrationLock'; holder: MigrationLockHolder };

/**
 * The Prisma schema engine, as the lifecycle uses it. The methods and their contracts are
 * Prisma's own (the native binary serves the same ones over JSON-RPC); this interface is the
 * seam where a native-binary implementation can slot in for MySQL and SQL Server later.
 *
 * "Main database" below is the database of the SchemaSource the engine was opened for.
 */
export interface Engine {
  /**
   * Applies every migration of the list that the `_prisma_migrations` table does not record as
   * applied, in order, each recorded with `started_at` before and `finished_at` after its script.
   * Creates `_prisma_migrations` when missing. Takes the migration lock. Never resets.
   * Fails with P3009 when the table records a failed migration, P3018 when a script fails.
   */
  applyMigrations(input: ApplyMigrationsInput): Promise<ApplyMigrationsOutput>;

  /**
   * Generates the script that takes the database the migration history produces (replayed on a
   * shadow database) to the given schema. Writes nothing: not to disk, not to the main database.
   * `migrationScript` is null when there is nothing to do and `draft` is false.
   */
  createMigration(input: CreateMigrationInput): Promise<CreateMigrationOutput>;

  /**
   * `migrate dev`'s first step: replays the history on a shadow database and compares it with
   * the main database. Says `createMigration`, or `reset` with a reason (drift, an edited,
   * missing or failed migration). Reads only. Needs `_prisma_migrations` to exist (P1014 otherwise).
   */
  devDiagnostic(input: DevDiagnosticInput): Promise<DevDiagnosticOutput>;

  /**
   * Compares the migrations folder with `_prisma_migrations`: pending, missing, edited, failed.
   * With `optInToShadowDatabase` also checks for drift. Reads only.
   */
  diagnoseMigrationHistory(input: DiagnoseMigrationHistoryInput): Promise<DiagnoseMigrationHistoryOutput>;

  /** Warnings and unexecutable steps of the migration `createMigration` would generate. Reads only. */
  evaluateDataLoss(input: EvaluateDataLossInput): Promise<EvaluateDataLossOutput>;

  /** Records a migration as applied without running it (baselining, hotfixes). P3008 if already applied. */
  markMigrationApplied(input: MarkMigrationAppliedInput): Promise<void>;

  /** Sets `rolled_back_at` on a failed migration's row. P3011 if never applied, P3012 if not failed. */
  markMigrationRolledBack(input: MarkMigrationRolledBackInput): Promise<void>;

  /** Diff between two schema sources: a summary, or a script when `script` is set. Reads only. */
  diff(input: DiffParams): Promise<DiffResult>;

  /** `db push`: changes the main database to match the schema, unless there are warnings and not `force`. */
  schemaPush(input: SchemaPushInput): Promise<SchemaPushOutput>;

  /** Drops everything in the main database (schemas, tables, `_prisma_migrations`). */
  reset(input: ResetInput): Promise<void>;

  /** Runs a script on a database, whole, outside any migration bookkeeping. */
  dbExecute(input: DbExecuteParams): Promise<void>;

  /**
   * `db pull`: reads the main database's tables, views and enums and returns the given schema
   * files with their models replaced by what the database holds. Unless `force`, what
   * re-introspection keeps from the given files is kept (`@@map`/`@map` names, relation field
   * names, `///` comments, `@ignore`, the generator and datasource blocks). Reads only: writes
   * nothing to disk nor to the database. P4001 when the database has no tables.
   */
  introspect(input: IntrospectParams): Promise<IntrospectResult>;

  /**
   * Takes the migration lock (what applyMigrations, reset and the resolve methods take for
   * themselves) now, and holds it until dispose: the engine's own requests for it are then granted
   * at once. PostgreSQL: the advisory lock on the main session, waiting 10 s at most (P1002);
   * SQLite: the exclusive lock on the file, waiting the busy timeout at most (MK_LOCK_TIMEOUT).
   */
  holdMigrationLock(): Promise<void>;

  /** Frees the engine and closes every connection (shadow databases are dropped). */
  dispose(): Promise<void>;
}
