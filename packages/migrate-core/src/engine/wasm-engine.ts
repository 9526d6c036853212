import {
  bindMigrationAwareSqlAdapterFactory,
  type ErrorCapturingSqlMigrationAwareDriverAdapterFactory,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import type { SchemaEngine } from '@prisma/schema-engine-wasm';
import { ErrorCodes, MigrateError } from '../errors.js';
import { redactSecrets } from '../redact.js';
import type { SchemaFile } from '../source.js';
import type { Connection } from './connection.js';
import type { Engine, EngineEvent } from './engine.js';
import { isSchemaEngineCrashed, markSchemaEngineCrashed, schemaEngineVersion, takePanicMessage, usableSchemaEngineWasm, type WasmBindings } from './wasm-module.js';
import { isWasmTrap, withTrapsAsRejections } from './wasm-trap.js';
import { databaseErrorOf, withDatabaseErrorsReadable } from './database-error.js';
import { translateDriverError } from './driver-errors.js';

export interface OpenEngineOptions {
  /** The schema files the engine starts with (used to validate and for datasource-less calls). */
  schemaFiles?: readonly SchemaFile[];
  /** Called for progress events (a migration starting). */
  onEvent?: (event: EngineEvent) => void;
  /**
   * For commands that apply migrations: once the engine holds the migration lock, migrations a
   * stopped process left interrupted with nothing applied (PostgreSQL) are marked rolled back, so
   * they are applied again; each is reported as an `interruptedMigrationRolledBack` event.
   */
  recoverInterruptedMigrations?: boolean;
}

/** The adapter factory for a connection, before Prisma's error-capturing wrapper. */
export async function adapterFactoryFor(connection: Connection, options: OpenEngineOptions = {}): Promise<ClosableAdapterFactory> {
  // Only the provider in use is loaded (each driver costs tens of milliseconds at start-up).
  if (connection.provider === 'sqlite') {
    const { SqliteAdapterFactory } = await import('./adapters/sqlite.js');
    return new SqliteAdapterFactory({
      file: connection.file,
      shadowFile: connection.shadowFile,
      busyTimeoutMs: connection.busyTimeoutMs,
      url: connection.url,
      shadowDatabaseUrl: connection.shadowDatabaseUrl,
      // diff.ts makes it absolute.
      datasourceFile: connection.datasourceUrl?.slice('file:'.length),
    });
  }
  const { PostgresAdapterFactory } = await import('./adapters/postgres.js');
  const onEvent = options.onEvent;
  return new PostgresAdapterFactory({
    url: connection.url,
    shadowDatabaseUrl: connection.shadowDatabaseUrl,
    datasourceUrl: connection.datasourceUrl,
    schema: connection.schema,
    engineVersion: schemaEngineVersion(),
    onInterruptedRolledBack:
      options.recoverInterruptedMigrations && onEvent ? (migrationName) => onEvent({ kind: 'interruptedMigrationRolledBack', migrationName }) : undefined,
    onWaitingForMigrationLock: onEvent && ((holder) => onEvent({ kind: 'waitingForMigrationLock', holder })),
  });
}

/** Opens the in-process schema engine on a connection. */
export async function openEngine(connection: Connection, options: OpenEngineOptions = {}): Promise<Engine> {
  return WasmEngine.open(await adapterFactoryFor(connection, options), options);
}

/** A driver adapter factory that can close every connection it handed out. */
export interface ClosableAdapterFactory extends SqlMigrationAwareDriverAdapterFactory {
  close(): Promise<void>;
  /** Finishes the engine's `reset` where the Wasm engine falls short of the native one (SQLite). */
  completeReset?(externalTables: readonly string[]): Promise<void>;
  /** Takes the migration lock on the engine's main connection and keeps it until close (see Engine.holdMigrationLock). */
  holdMigrationLock?(): Promise<void>;
}

type Method = Exclude<keyof SchemaEngine, 'free' | typeof Symbol.dispose | 'debugPanic'>;

/** The Prisma schema engine compiled to WebAssembly, running in this process on a driver adapter. */
export class WasmEngine implements Engine {
  private disposed = false;

  private constructor(
    private readonly wasm: WasmBindings,
    private readonly engine: SchemaEngine,
    private readonly factory: ErrorCapturingSqlMigrationAwareDriverAdapterFactory,
    private readonly rawFactory: ClosableAdapterFactory,
  ) {}

  static async open(rawFactory: ClosableAdapterFactory, options: OpenEngineOptions = {}): Promise<WasmEngine> {
    const wasm = await usableSchemaEngineWasm();
    // Prisma's wrapper turns adapter exceptions into `External error id#N` for the engine and
    // keeps the original in its registry, where `translateError` finds it again.
    const factory = bindMigrationAwareSqlAdapterFactory(rawFactory);
    const datamodels = options.schemaFiles?.length ? options.schemaFiles.map((f): [string, string] => [f.path, f.content]) : undefined;
    const onLog = (line: string) => {
      if (options.onEvent) parseEngineLog(line, options.onEvent);
    };
    try {
      const engine = await withTrapsAsRejections(
        () => wasm.SchemaEngine.new({ datamodels }, onLog, factory),
        () => markSchemaEngineCrashed(wasm),
      );
      return new WasmEngine(wasm, engine, factory, rawFactory);
    } catch (error) {
      await rawFactory.close();
      throw translateError(error, factory, 'start');
    }
  }

  private async run<M extends Method>(method: M, input: Parameters<SchemaEngine[M]>[0]): Promise<Awaited<ReturnType<SchemaEngine[M]>>> {
    if (this.disposed) throw new Error(`The engine was disposed before ${method}.`);
    if (isSchemaEngineCrashed(this.wasm)) throw crashedEarlierError(method);
    // The engine's own timers are unref'd (wasm-module.ts): hold the process open while it works.
    const keepAlive = setInterval(() => undefined, 1 << 30);
    try {
      // Called on the engine object: an extracted method loses its Wasm binding.
      // biome-ignore lint/suspicious/noExplicitAny: the engine's methods differ in arity; the input type is checked above.
      const call = (): Promise<Awaited<ReturnType<SchemaEngine[M]>>> => (this.engine[method] as any).call(this.engine, input);
      return await withTrapsAsRejections(call, () => markSchemaEngineCrashed(this.wasm));
    } catch (error) {
      throw translateError(error, this.factory, method);
    } finally {
      clearInterval(keepAlive);
    }
  }

  applyMigrations(input: Parameters<Engine['applyMigrations']>[0]) {
    return this.run('applyMigrations', input);
  }
  createMigration(input: Parameters<Engine['createMigration']>[0]) {
    return this.run('createMigration', input);
  }
  devDiagnostic(input: Parameters<Engine['devDiagnostic']>[0]) {
    return this.run('devDiagnostic', input);
  }
  diagnoseMigrationHistory(input: Parameters<Engine['diagnoseMigrationHistory']>[0]) {
    return this.run('diagnoseMigrationHistory', input);
  }
  evaluateDataLoss(input: Parameters<Engine['evaluateDataLoss']>[0]) {
    return this.run('evaluateDataLoss', input);
  }
  async markMigrationApplied(input: Parameters<Engine['markMigrationApplied']>[0]) {
    await this.run('markMigrationApplied', input);
  }
  async markMigrationRolledBack(input: Parameters<Engine['markMigrationRolledBack']>[0]) {
    await this.run('markMigrationRolledBack', input);
  }
  diff(input: Parameters<Engine['diff']>[0]) {
    return this.run('diff', input);
  }
  schemaPush(input: Parameters<Engine['schemaPush']>[0]) {
    return this.run('schemaPush', input);
  }
  async reset(input: Parameters<Engine['reset']>[0]) {
    await this.run('reset', input);
    await this.rawFactory.completeReset?.(input.filter?.externalTables ?? []);
  }
  async dbExecute(input: Parameters<Engine['dbExecute']>[0]) {
    await this.run('dbExecute', input);
  }
  introspect(input: Parameters<Engine['introspect']>[0]) {
    return this.run('introspect', input);
  }

  async holdMigrationLock(): Promise<void> {
    if (this.disposed) throw new Error('The engine was disposed before holdMigrationLock.');
    await this.rawFactory.holdMigrationLock?.();
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    // A trapped instance is not called again, not even to free: it is dropped whole.
    if (!isSchemaEngineCrashed(this.wasm)) this.engine.free();
    await this.rawFactory.close();
  }
}

const APPLYING = /^Applying `(.+)`$/;

function parseEngineLog(line: string, onEvent: (event: EngineEvent) => void): void {
  try {
    const record = JSON.parse(line) as { fields?: { message?: string } };
    const match = APPLYING.exec(record.fields?.message ?? '');
    if (match) onEvent({ kind: 'applyingMigration', migrationName: match[1]!, at: performance.now() });
  } catch {
    // not a structured log line
  }
}

/** The engine's messages end with a tracing span list ("   0: sql_schema_connector::..."): useful to its developers, noise to ours. */
export function stripEngineBacktrace(message: string): string {
  const cut = message.search(/\n\s+0: [a-z_]+::/);
  return (cut >= 0 ? message.slice(0, cut) : message).trimEnd();
}

/**
 * Turns what the Wasm engine throws into a MigrateError a person can read:
 * - `External error id#N`: the adapter threw; the real error waits in the factory's registry;
 * - a Rust panic: a `RuntimeError: unreachable`, its message left in the panic registry;
 * - a user-facing engine error: it carries Prisma's P-code.
 */
export function translateError(error: unknown, factory: ErrorCapturingSqlMigrationAwareDriverAdapterFactory, operation?: string): MigrateError {
  if (error instanceof MigrateError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const external = /External error id#(\d+)/.exec(message);
  if (external) {
    const record = factory.errorRegistry.consumeError(Number(external[1]));
    if (record) {
      const translated = translateDriverError(record.error);
      // A script that failed on a driver error (a connection lost half way, say) is still a failed migration.
      const migrationName = FAILED_SCRIPT.exec(message)?.[1];
      return migrationName && translated.code === ErrorCodes.engine ? migrationFailedError(migrationName, translated.message, error) : translated;
    }
  }
  const panic = takePanicMessage();
  if (panic || isWasmTrap(error)) return enginePanicError(panic ?? message, operation, error);
  const code = (error as { code?: unknown }).code;
  const text = redactSecrets(stripEngineBacktrace(message));
  if (typeof code === 'string' && code) return new MigrateError(code, withDatabaseErrorsReadable(text), { cause: error });
  const failedMigration = FAILED_SCRIPT.exec(message)?.[1];
  if (failedMigration) return migrationFailedError(failedMigration, text, error);
  const known = UNCODED_ERRORS.find(([pattern]) => pattern.test(text));
  return new MigrateError(known?.[1] ?? ErrorCodes.engine, withDatabaseErrorsReadable(text), { cause: error });
}

/**
 * Why: the Wasm engine (8.1) throws some of Prisma's user-facing errors as a bare message, without
 * the P-code the native engine attaches: a script failing on the main database (native: P3018,
 * recognisable here only by the engine's `apply_script` span naming the migration) and the
 * connection errors (P1000, P1001, P1003, P1010), whose messages are Prisma's own.
 * Test: test/lifecycle-resolve-reset.test.ts ("deploy stops at a failed migration ..."),
 * test/lifecycle-json-and-errors.test.ts ("an unreachable server ...").
 */
const FAILED_SCRIPT = /apply_migration::apply_script\s+with migration_name="([^"]+)"/;
const UNCODED_ERRORS: [RegExp, string][] = [
  [/^Authentication failed against database server/, 'P1000'],
  [/^Can't reach database server/, 'P1001'],
  [/^Database `[^`]*` does not exist/, 'P1003'],
  [/^User was denied access on the database/, 'P1010'],
];

/** The engine panicked (a Wasm trap): what it said, during which call, and what to report. */
function enginePanicError(panic: string, operation: string | undefined, cause: unknown): MigrateError {
  const during = operation ? ` during ${operation}` : '';
  return new MigrateError(ErrorCodes.enginePanic, `The Prisma schema engine crashed${during}: ${redactSecrets(stripEngineBacktrace(panic))}`, {
    hint: `This is a bug in the schema engine or in migrate-kit. Please report it with the command you ran, this message and the engine version (${schemaEngineVersion()}).`,
    details: { operation, engineVersion: schemaEngineVersion() },
    cause,
  });
}

/** A call on an engine whose Wasm instance trapped before: it is never called again. */
function crashedEarlierError(operation: string): MigrateError {
  return new MigrateError(ErrorCodes.enginePanic, `The Prisma schema engine crashed earlier in this process and cannot run ${operation}.`, {
    hint: 'Open a new engine (run the operation again): it starts on a fresh instance.',
    details: { operation },
  });
}

/** Prisma's P3018: a migration's script failed on the database (deploy stops there until it is resolved). */
export function migrationFailedError(migrationName: string, engineMessage: string, cause: unknown): MigrateError {
  const { code, text } = databaseErrorOf(engineMessage);
  return new MigrateError(
    'P3018',
    `A migration failed to apply. New migrations cannot be applied before the error is recovered from. Read more about how to resolve migration issues in a production database: https://pris.ly/d/migrate-resolve\n\nMigration name: ${migrationName}\n\n${code ? `Database error code: ${code}\n\n` : ''}Database error:\n${text}`,
    {
      hint: (command) => `Fix the database and mark the migration with \`${command('resolve')} --rolled-back ${migrationName}\` (or \`--applied\` if you completed it by hand).`,
      details: { migrationName, databaseErrorCode: code },
      cause,
    },
  );
}
