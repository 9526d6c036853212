import pg from 'pg';

const CHAR_OID = 18;
const TEXT_OID = 25;

type Fields = { dataTypeID: number }[];

function charColumnsAsText<R>(result: R): R {
  const results = Array.isArray(result) ? result : [result];
  for (const r of results) {
    const fields = (r as { fields?: Fields } | undefined)?.fields;
    if (fields) for (const field of fields) if (field.dataTypeID === CHAR_OID) field.dataTypeID = TEXT_OID;
  }
  return result;
}

/**
 * A pg Client that reports PostgreSQL's internal `"char"` type (OID 18) as text.
 *
 * Why: the schema engine's catalog queries (pg_class.relkind, pg_constraint.contype, ...) return
 * `"char"` columns, and @prisma/adapter-pg maps OIDs to column types with no entry for 18, so
 * every describe fails with "Column type 'char' could not be deserialized from the database".
 * The value arrives as a one-character string already; only the type tag is wrong. Fixing it
 * here, below the adapter, covers pool queries and transaction clients alike.
 * Test: test/engine-compat.test.ts ("PostgreSQL \"char\" columns").
 */
export class CharAsTextClient extends pg.Client {
  // biome-ignore lint/suspicious/noExplicitAny: pg's query() has a dozen overloads; we forward them all unchanged.
  override query(...args: any[]): any {
    const callbackIndex = args.findIndex((a) => typeof a === 'function');
    if (callbackIndex >= 0) {
      const callback = args[callbackIndex] as (err: Error | null, res: unknown) => void;
      args[callbackIndex] = (err: Error | null, res: unknown) => callback(err, err ? res : charColumnsAsText(res));
      // biome-ignore lint/suspicious/noExplicitAny: see above
      return (super.query as any)(...args);
    }
    // biome-ignore lint/suspicious/noExplicitAny: see above
    const result = (super.query as any)(...args);
    return result && typeof result.then === 'function' ? result.then(charColumnsAsText) : result;
  }
}

/**
 * One connection per database. The engine takes PostgreSQL's session-level advisory lock
 * (`pg_advisory_lock(72707369)`) through the adapter; with a single connection that lock is held
 * by the very session that runs the migrations, and an idle timeout can never close it early.
 */
export function createPool(connectionString: string): pg.Pool {
  return new pg.Pool({ connectionString, Client: CharAsTextClient, max: 1, idleTimeoutMillis: 0, options: searchPathOption(connectionString) });
}

/**
 * `?schema=<name>` puts the session in that schema, as Prisma's native engine does (`SET search_path`).
 *
 * Why: the Wasm engine writes `_prisma_migrations` and runs migration scripts unqualified, and the
 * pg adapter only reports the schema name; without a search_path everything went to `public`,
 * where stock Prisma, for the same URL, looks in the named schema.
 * Test: test/lifecycle-deploy-status.test.ts ("?schema= ...").
 */
export function searchPathOption(connectionString: string): string | undefined {
  const schema = new URL(connectionString).searchParams.get('schema');
  return schema ? `-c search_path="${schema.replace(/"/g, '""')}"` : undefined;
}
