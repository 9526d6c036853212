import type { SqlDriverAdapter, SqlQuery } from '@prisma/driver-adapter-utils';
import { overrideMethods } from './override.js';

/**
 * Makes the engine's creation of a missing schema tolerate another session creating it first.
 *
 * Why: on connecting, the Wasm engine (8.1) asks whether the URL's schema exists and, when not,
 * sends `CREATE SCHEMA "<schema>"` (prisma-engines' connecting_to_a_postgres_database_with_missing_
 * schema_creates_it). A `dev` that connected while a `reset` (holding the migration lock) had
 * dropped the schema and not yet re-created it found it missing, then failed with `schema "public"
 * already exists` once the reset had created it: before `dev` even reached the lock it would have
 * waited for. The statement becomes `CREATE SCHEMA IF NOT EXISTS`, and a failure of it (two
 * creations in flight at once end in a unique violation) counts as done when the schema exists.
 * Only that exact statement, sent alone, is touched; a migration's own scripts are not.
 * Test: test/missing-schema-race.test.ts; found by reliability/test/interleavings.test.ts
 * (RELIABILITY_SEED=12, PostgreSQL, dev and reset at once).
 */
export function tolerateConcurrentSchemaCreation(adapter: SqlDriverAdapter, schema: string | undefined): SqlDriverAdapter {
  const name = schema || 'public';
  const quoted = `"${name.replace(/"/g, '""')}"`;
  const engineStatements = new Set([`CREATE SCHEMA "${name}"`, `CREATE SCHEMA ${quoted}`]);
  const isSchemaCreation = (sql: string) => engineStatements.has(sql.trim().replace(/;$/, '').trimEnd());
  const schemaExists = async () => {
    const result = await adapter.queryRaw({ sql: 'SELECT 1 FROM pg_namespace WHERE nspname = $1', args: [name], argTypes: [{ scalarType: 'string', arity: 'scalar' }] });
    return result.rows.length > 0;
  };
  const create = async <T>(fallback: T, run: (sql: string) => Promise<T>): Promise<T> => {
    try {
      return await run(`CREATE SCHEMA IF NOT EXISTS ${quoted}`);
    } catch (error) {
      if (await schemaExists().catch(() => false)) return fallback;
      throw error;
    }
  };
  return overrideMethods(adapter, {
    executeRaw: (query: SqlQuery) => (isSchemaCreation(query.sql) ? create(0, (sql) => adapter.executeRaw({ ...query, sql })) : adapter.executeRaw(query)),
    executeScript: (script: string) => (isSchemaCreation(script) ? create(undefined, (sql) => adapter.executeScript(sql)) : adapter.executeScript(script)),
  });
}
