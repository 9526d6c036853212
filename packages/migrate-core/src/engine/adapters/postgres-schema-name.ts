import type { SqlDriverAdapter, SqlQuery } from '@prisma/driver-adapter-utils';
import { overrideMethods } from './override.js';

/**
 * Quotes a `?schema=` name with a double quote in it correctly in the engine's SQL.
 *
 * Why: the Wasm engine (8.1) writes the schema name between double quotes without doubling the
 * quotes inside it (`CREATE SCHEMA "my"schema"`), so such a schema failed at the first statement
 * with "syntax error at or near ...". That text is never valid SQL, so every occurrence of it in
 * what the engine sends is the engine's quoting, and becomes the quoted identifier (`"my""schema"`).
 * A name without a double quote needs nothing: the adapter is returned as it is.
 * Test: test/lifecycle-deploy-status.test.ts ("a schema name that needs quoting (my"schema) ...").
 */
export function quoteSchemaNameInEngineSql(adapter: SqlDriverAdapter, schema: string | undefined): SqlDriverAdapter {
  if (!schema?.includes('"')) return adapter;
  const naive = `"${schema}"`;
  const quoted = `"${schema.replace(/"/g, '""')}"`;
  const fix = (sql: string) => sql.split(naive).join(quoted);
  const fixQuery = (query: SqlQuery): SqlQuery => ({ ...query, sql: fix(query.sql) });
  return overrideMethods(adapter, {
    queryRaw: (query: SqlQuery) => adapter.queryRaw(fixQuery(query)),
    executeRaw: (query: SqlQuery) => adapter.executeRaw(fixQuery(query)),
    executeScript: (script: string) => adapter.executeScript(fix(script)),
  });
}
