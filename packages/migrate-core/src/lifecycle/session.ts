import type { MigrationList } from '@prisma/schema-engine-wasm';
import type { MigrationLockHolder } from '../engine/adapters/postgres-migration-lock.js';
import { runPendingCleanups } from '../engine/cleanup.js';
import { type Connection, resolveConnection } from '../engine/connection.js';
import type { Engine, EngineEvent } from '../engine/engine.js';
import { assertSqliteFileExists, createSqliteFileFolder } from '../engine/sqlite-file.js';
import { openEngine } from '../engine/wasm-engine.js';
import { isMigrateError, MigrateError } from '../errors.js';
import { assertLockFileProvider } from '../history/lock-file.js';
import { type MigrationsFolder, readMigrationsFolder, toEngineMigrationList } from '../history/migrations-folder.js';
import { EMPTY_FILTER, type SchemaFilter, type SchemaSource } from '../source.js';
import { timed } from '../timing.js';
import { nonInteractivePrompter, type Prompter } from './prompter.js';

/** Progress the CLI can show while an operation runs. */
export type ProgressEvent =
  | { kind: 'migrationStarted'; name: string }
  | { kind: 'migrationFinished'; name: string; durationMs: number }
  /** The migration lock has been held by another session for a second already (PostgreSQL: which one). */
  | { kind: 'waitingForMigrationLock'; holder: MigrationLockHolder };

/** What every lifecycle operation may take besides its own options. */
export interface LifecycleOptions {
  prompter?: Prompter;
  /** Told when the operation created the PostgreSQL database it was pointed at (Prisma does the same). */
  onDatabaseCreated?: (name: string) => void;
  onProgress?: (event: ProgressEvent) => void;
}

/** A migration that was applied, and how long its script took. */
export interface AppliedMigration {
  name: string;
  durationMs: number;
}

/** One open engine on the source's database, with the migrations folder as read at the start. */
export interface Session {
  source: SchemaSource;
  connection: Connection;
  engine: Engine;
  folder: MigrationsFolder;
  prompter: Prompter;
  filters: SchemaFilter;
  migrationList(folder?: MigrationsFolder): MigrationList;
  schema(): { files: { path: string; content: string }[] };
  /** applyMigrations with per-migration timing reported as progress. */
  applyPending(folder?: MigrationsFolder): Promise<AppliedMigration[]>;
  /**
   * Takes the migration lock now and holds it to the end of the session (Engine.holdMigrationLock),
   * then reads the migrations folder again: a process that held the lock until now may have
   * written and applied a migration meanwhile. For operations that decide what to write from a
   * diagnosis (`migrate dev`): their diagnosis and their apply then see the same history.
   */
  holdMigrationLock(): Promise<void>;
  /**
   * Migrations a stopped process had left interrupted, with nothing of them applied, that this
   * session marked rolled back so they are applied again (PostgreSQL; see `recoverInterrupted`).
   */
  readonly interruptedRolledBack: string[];
}

/** Options of withSession besides the operation's own. */
export interface SessionOptions extends LifecycleOptions {
  /**
   * Create a missing PostgreSQL database (P1003) and run again; a missing SQLite file is created,
   * with its folder. Without it a missing SQLite file is P1003, as on PostgreSQL (nothing is created).
   */
  createDatabase?: boolean;
  /**
   * For operations that apply migrations: roll back what a stopped process left interrupted with
   * nothing applied, under the migration lock, so it is applied again (engine/adapters/postgres-migration-transaction.ts).
   */
  recoverInterrupted?: boolean;
  /** The migrations folder, when the operation has just read it (it is read once per run). */
  folder?: MigrationsFolder;
}

/**
 * Opens the engine for one operation, and closes it (and any temporary shadow database) when
 * the operation ends, however it ends. The lock file is checked first, so a provider mismatch
 * (P3019) fails before anything is touched. With `createDatabase`, a PostgreSQL database that
 * does not exist (P1003, raised by the first engine call, before anything is written) is created
 * and the operation runs again: the usual run pays no extra connection for the check.
 */
export async function withSession<T>(
  source: SchemaSource,
  options: SessionOptions,
  fn: (session: Session) => Promise<T>,
): Promise<T> {
  try {
    return await runSession(source, options, fn);
  } catch (error) {
    if (isMigrateError(error) && error.code === 'P1010') throw explainAccessDenied(error, source);
    if (!options.createDatabase || !isMigrateError(error) || error.code !== 'P1003') throw error;
    // Loaded here: it needs the pg driver, which a SQLite run never loads otherwise (~25 ms).
    const { createMissingDatabase } = await import('../engine/ensure-database.js');
    const database = await createMissingDatabase(resolveConnection(source));
    if (!database) throw error;
    if (database.created) options.onDatabaseCreated?.(database.name);
    return runSession(source, options, fn);
  }
}

/**
 * Why: the engine (8.1) reports PostgreSQL's 28000 (a role that does not exist, or may not
 * connect) as "User was denied access on the database `(not available)`", naming neither.
 * Test: test/lifecycle-json-and-errors.test.ts ("a user that does not exist ...").
 */
function explainAccessDenied(error: MigrateError, source: SchemaSource): MigrateError {
  if (!source.url || !/^postgres(ql)?:/.test(source.url)) return error;
  const url = new URL(source.url);
  const user = decodeURIComponent(url.username) || 'the default user';
  const database = decodeURIComponent(url.pathname.slice(1));
  return new MigrateError(error.code, `User \`${user}\` was denied access on the database \`${database}\` (PostgreSQL: the role does not exist, or may not log in or connect there).`, {
    hint: `Check the user name in the database URL, or create the role and let it connect: CREATE ROLE "${user}" LOGIN; GRANT CONNECT ON DATABASE "${database}" TO "${user}".`,
    cause: error,
  });
}

async function runSession<T>(source: SchemaSource, options: SessionOptions, fn: (session: Session) => Promise<T>): Promise<T> {
  const connection = resolveConnection(source);
  if (connection.provider === 'sqlite') (options.createDatabase ? createSqliteFileFolder : assertSqliteFileExists)(connection);
  let folder = options.folder ?? readMigrationsFolder(source.migrationsDir);
  assertLockFileProvider(folder.lockFile, source.provider);
  const timing = new MigrationTimer(options.onProgress);
  const interruptedRolledBack: string[] = [];
  const engine = await timed('openEngine', () =>
    openEngine(connection, {
    schemaFiles: source.files,
    recoverInterruptedMigrations: options.recoverInterrupted,
    onEvent: (e) => {
      if (e.kind === 'interruptedMigrationRolledBack') interruptedRolledBack.push(e.migrationName);
      else if (e.kind === 'waitingForMigrationLock') options.onProgress?.(e);
      else timing.onEngineEvent(e);
    },
    }),
  );
  const filters = source.filter ?? EMPTY_FILTER;
  const session: Session = {
    source,
    connection,
    engine,
    folder,
    prompter: options.prompter ?? nonInteractivePrompter,
    filters,
    migrationList: (f = folder) => toEngineMigrationList(f, source.shadowDbInitScript),
    schema: () => ({ files: source.files.map((f) => ({ path: f.path, content: f.content })) }),
    interruptedRolledBack,
    async applyPending(f = folder) {
      timing.begin();
      const { appliedMigrationNames } = await timed('applyMigrations', () => engine.applyMigrations({ migrationsList: session.migrationList(f), filters }));
      return timing.end(appliedMigrationNames);
    },
    async holdMigrationLock() {
      await engine.holdMigrationLock();
      folder = readMigrationsFolder(source.migrationsDir);
      assertLockFileProvider(folder.lockFile, source.provider);
      session.folder = folder;
    },
  };
  try {
    return await fn(session);
  } finally {
    await timed('dispose', async () => {
      await engine.dispose();
      await runPendingCleanups();
    });
  }
}

/** Turns the engine's "Applying `x`" log lines into per-migration start/finish events with durations. */
class MigrationTimer {
  private current: { name: string; at: number } | undefined;
  private durations = new Map<string, number>();

  constructor(private readonly onProgress: ((event: ProgressEvent) => void) | undefined) {}

  begin(): void {
    this.current = undefined;
    this.durations.clear();
  }

  onEngineEvent(event: Extract<EngineEvent, { kind: 'applyingMigration' }>): void {
    this.finishCurrent(event.at);
    this.current = { name: event.migrationName, at: event.at };
    this.onProgress?.({ kind: 'migrationStarted', name: event.migrationName });
  }

  end(applied: string[]): AppliedMigration[] {
    this.finishCurrent(performance.now());
    return applied.map((name) => ({ name, durationMs: this.durations.get(name) ?? 0 }));
  }

  private finishCurrent(at: number): void {
    if (!this.current) return;
    const durationMs = at - this.current.at;
    this.durations.set(this.current.name, durationMs);
    this.onProgress?.({ kind: 'migrationFinished', name: this.current.name, durationMs });
    this.current = undefined;
  }
}
