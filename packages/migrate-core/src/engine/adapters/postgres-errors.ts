import {
  DriverAdapterError,
  type Error as DriverAdapterErrorPayload,
  isDriverAdapterError,
  type SqlDriverAdapter,
  type SqlQuery,
  type Transaction,
} from '@prisma/driver-adapter-utils';
import { decodableByEngine } from './engine-error-kinds.js';
import { overrideMethods } from './override.js';

/** What PostgreSQL reported about a failed statement: the fields of pg's DatabaseError the engine reads. */
export interface PostgresErrorFields {
  /** The SQLSTATE (`23502`). */
  code: string;
  severity: string;
  message: string;
  detail?: string | undefined;
  hint?: string | undefined;
  column?: string | undefined;
}

/**
 * A PostgreSQL error carried whole through @prisma/adapter-pg, which would otherwise map it to an
 * error kind and drop its detail, hint and column. It has no `code` or `severity` of its own, so
 * the adapter does not recognise it as a database error and rethrows it as it is.
 */
export class WholePostgresError extends Error {
  override readonly name = 'WholePostgresError';
  constructor(readonly fields: PostgresErrorFields) {
    super(fields.message);
  }
}

/** For pg clients: a database error (one with a SQLSTATE and a severity) becomes a WholePostgresError; anything else passes. */
export function keepPostgresErrorWhole(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const { code, severity, detail, hint, column } = error as Error & Partial<Record<'code' | 'severity' | 'detail' | 'hint' | 'column', unknown>>;
  if (typeof code !== 'string' || typeof severity !== 'string') return error;
  return new WholePostgresError({ code, severity, message: error.message, detail: text(detail), hint: text(hint), column: text(column) });
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * SQLSTATEs the engine turns into an error of its own whose text drops PostgreSQL's message
 * (quaint's `From<PostgresError>`: 23502 becomes "Null constraint failed:" with no column, 23505
 * "Unique constraint failed: ..." without the duplicate key, ...). Every other code is shown whole.
 */
const REWORDED_BY_ENGINE = new Set(['22001', '23502', '23503', '23505', '3D000', '28000', '28P01', '40001', '42P01', '42703', '42P04', '53300']);

/**
 * An error of a statement the engine sent itself (its catalog queries, its bookkeeping): handed to
 * the engine as the `postgres` kind with every field, which it decodes as the native engine
 * decodes PostgreSQL's errors (42P01 is its "table does not exist", 3D000 "database does not exist", ...).
 */
export function statementErrorKind(fields: PostgresErrorFields): DriverAdapterErrorPayload {
  return { kind: 'postgres' as const, ...fieldsForEngine(fields), originalCode: fields.code, originalMessage: fields.message };
}

/**
 * An error of a script (a migration, `db execute`): what the user reads, and what the engine writes
 * into `_prisma_migrations.logs`. The engine shows a `postgres` error as `<severity>: <message>`
 * with `DETAIL:` and `HINT:` lines; the message starts with the SQLSTATE, as psql's verbose errors
 * do (`ERROR: 23502: column "age" of relation "User" contains null values`), so it is never lost,
 * and a code the engine would reword is not passed as the code.
 */
export function scriptErrorKind(fields: PostgresErrorFields): DriverAdapterErrorPayload {
  const code = REWORDED_BY_ENGINE.has(fields.code) ? 'N/A' : fields.code;
  return {
    kind: 'postgres' as const,
    ...fieldsForEngine({ ...fields, code, message: `${fields.code}: ${fields.message}` }),
    originalCode: fields.code,
    originalMessage: fields.message,
  };
}

function fieldsForEngine(fields: PostgresErrorFields) {
  return { code: fields.code, severity: fields.severity, message: fields.message, detail: fields.detail, hint: fields.hint, column: fields.column };
}

/**
 * Hands the engine every PostgreSQL error whole, in a form it decodes.
 *
 * Why: @prisma/adapter-pg maps PostgreSQL's errors to driver-adapter error kinds. Some of them the
 * Wasm engine (8.1) cannot decode at all (`InvalidInputValue` for 22P02: "unknown variant
 * `InvalidInputValue`, expected one of ..." with a Wasm stack; `RestrictViolation`, `SocketTimeout`),
 * and the others lose PostgreSQL's message, detail and hint on the way (a failed `SET NOT NULL`
 * read "external connector error / Null constraint failed:"). The native engine shows the
 * migration, the SQLSTATE and PostgreSQL's own text. So the pg client keeps the error whole
 * (postgres-types.ts), and here it becomes the `postgres` kind with every field.
 * Test: test/migration-errors.test.ts (each class of error through `deploy`).
 */
export function reportPostgresErrorsWhole(adapter: SqlDriverAdapter): SqlDriverAdapter {
  return overrideMethods(adapter, {
    queryRaw: (query: SqlQuery) => forEngine(() => adapter.queryRaw(query), statementErrorKind),
    executeRaw: (query: SqlQuery) => forEngine(() => adapter.executeRaw(query), statementErrorKind),
    executeScript: (script: string) => forEngine(() => adapter.executeScript(script), scriptErrorKind),
    async startTransaction(isolationLevel) {
      const transaction = await forEngine(() => adapter.startTransaction(isolationLevel), statementErrorKind);
      return overrideMethods<Transaction>(transaction, {
        queryRaw: (query: SqlQuery) => forEngine(() => transaction.queryRaw(query), statementErrorKind),
        executeRaw: (query: SqlQuery) => forEngine(() => transaction.executeRaw(query), statementErrorKind),
      });
    },
  });
}

async function forEngine<T>(call: () => Promise<T>, kindOf: (fields: PostgresErrorFields) => DriverAdapterErrorPayload): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof WholePostgresError) throw new DriverAdapterError(kindOf(error.fields));
    if (isDriverAdapterError(error)) throw new DriverAdapterError(decodableByEngine(error.cause));
    throw error;
  }
}
