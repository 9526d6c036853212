import { ColumnTypeEnum, type SqlDriverAdapter, type SqlQuery, type SqlResultSet } from '@prisma/driver-adapter-utils';
import type pg from 'pg';
import { PostgresClient } from '../postgres-client.js';
import { overrideMethods } from './override.js';
import { keepPostgresErrorWhole } from './postgres-errors.js';
import { SessionPool } from './postgres-session-pool.js';

const CHAR_OID = 18;
const TEXT_OID = 25;

type Fields = { dataTypeID: number }[];

/** For each result whose `"char"` columns were reported as text: which columns they were (keyed by the result's rows). */
const charColumnsOfRows = new WeakMap<object, number[]>();

function charColumnsAsText<R>(result: R): R {
  const results = Array.isArray(result) ? result : [result];
  for (const r of results) {
    const { fields, rows } = (r ?? {}) as { fields?: Fields; rows?: object };
    if (!fields) continue;
    const charColumns: number[] = [];
    fields.forEach((field, index) => {
      if (field.dataTypeID !== CHAR_OID) return;
      field.dataTypeID = TEXT_OID;
      charColumns.push(index);
    });
    if (charColumns.length > 0 && rows) charColumnsOfRows.set(rows, charColumns);
  }
  return result;
}

/**
 * A pg Client that reports PostgreSQL's internal `"char"` type (OID 18) as text, and keeps the
 * errors PostgreSQL reports whole for the engine (postgres-errors.ts).
 *
 * Why: the schema engine's catalog queries (pg_constraint.contype, confdeltype, ...) return
 * `"char"` columns, and @prisma/adapter-pg maps OIDs to column types with no entry for 18, so
 * every describe fails with "Column type 'char' could not be deserialized from the database".
 * The value arrives as a one-character string already; only the type tag is wrong. Fixing it
 * here, below the adapter, covers pool queries and transaction clients alike. The adapter then
 * reports these columns as text; `charColumnsAsCharacter` restores their type.
 * Test: test/engine-compat.test.ts ("PostgreSQL \"char\" columns").
 */
export class CharAsTextClient extends PostgresClient {
  // biome-ignore lint/suspicious/noExplicitAny: pg's query() has a dozen overloads; we forward them all unchanged.
  override query(...args: any[]): any {
    const callbackIndex = args.findIndex((a) => typeof a === 'function');
    if (callbackIndex >= 0) {
      const callback = args[callbackIndex] as (err: Error | null, res: unknown) => void;
      args[callbackIndex] = (err: Error | null, res: unknown) => (err ? callback(keepPostgresErrorWhole(err) as Error, res) : callback(err, charColumnsAsText(res)));
      // biome-ignore lint/suspicious/noExplicitAny: see above
      return (super.query as any)(...args);
    }
    // biome-ignore lint/suspicious/noExplicitAny: see above
    const result = (super.query as any)(...args);
    return result && typeof result.then === 'function'
      ? result.then(charColumnsAsText, (error: unknown) => {
          throw keepPostgresErrorWhole(error);
        })
      : result;
  }
}

/**
 * Reports the `"char"` columns that CharAsTextClient let through as text as what they are: one
 * character (the driver adapters' `Character` column type), in every result of the adapter and of
 * its transactions.
 *
 * Why: the engine reads some of these columns as a char and nothing else. The describer reads
 * `pg_constraint.contype` with `get_expect_char` (foreign key actions accept text too), so a single
 * CHECK or EXCLUDE constraint in the database made every describe panic ("Getting constraint_type
 * ... as char failed": a Wasm trap) in `migrate dev`, `db push`, `diff` from the database. Prisma's
 * native driver decodes `"char"` as a char.
 * Test: test/check-constraints.test.ts.
 */
export function charColumnsAsCharacter(adapter: SqlDriverAdapter): SqlDriverAdapter {
  const withCharacters = async (result: Promise<SqlResultSet>): Promise<SqlResultSet> => {
    const resultSet = await result;
    for (const index of charColumnsOfRows.get(resultSet.rows) ?? []) resultSet.columnTypes[index] = ColumnTypeEnum.Character;
    return resultSet;
  };
  return overrideMethods(adapter, {
    queryRaw: (query: SqlQuery) => withCharacters(adapter.queryRaw(query)),
    async startTransaction(isolationLevel) {
      const transaction = await adapter.startTransaction(isolationLevel);
      return overrideMethods(transaction, { queryRaw: (query: SqlQuery) => withCharacters(transaction.queryRaw(query)) });
    },
  });
}

/**
 * One connection per database. The engine takes PostgreSQL's session-level advisory lock
 * (`pg_advisory_lock(72707369)`) through the adapter; with a single connection that lock is held
 * by the very session that runs the migrations, and an idle timeout can never close it early,
 * nor can an error the server reports (SessionPool).
 */
export function createPool(connectionString: string): pg.Pool {
  return new SessionPool({ connectionString, Client: CharAsTextClient, max: 1, idleTimeoutMillis: 0, options: searchPathOption(connectionString) });
}

/**
 * `?schema=<name>` puts the session in that schema, as Prisma's native engine does (`SET search_path`).
 *
 * Why: the Wasm engine writes `_prisma_migrations` and runs migration scripts unqualified, and the
 * pg adapter only reports the schema name; without a search_path everything went to `public`,
 * where stock Prisma, for the same URL, looks in the named schema.
 * The name is a quoted identifier (`"my ""odd"" schema"`), and the startup `options` string it
 * travels in is split by the server on whitespace with backslash escapes (libpq's rule): a space or
 * a backslash in the name is escaped, or the server reads a broken search_path ("invalid value for
 * parameter search_path") or another schema.
 * Test: test/lifecycle-deploy-status.test.ts ("?schema= ...", "a schema name that needs quoting ...").
 */
export function searchPathOption(connectionString: string): string | undefined {
  const schema = new URL(connectionString).searchParams.get('schema');
  if (!schema) return undefined;
  const identifier = `"${schema.replace(/"/g, '""')}"`;
  return `-c search_path=${identifier.replace(/[\\\s]/g, (c) => `\\${c}`)}`;
}
