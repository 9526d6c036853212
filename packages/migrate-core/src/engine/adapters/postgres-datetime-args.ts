import type { ArgType, SqlDriverAdapter, SqlQuery } from '@prisma/driver-adapter-utils';
import { overrideMethods } from './override.js';

const WITH_ZONE: ArgType = { scalarType: 'string', arity: 'scalar' };

/**
 * Sends the engine's datetime parameters with their UTC offset (`2026-12-07T19:08:07.374Z`).
 *
 * Why: @prisma/adapter-pg sends a datetime as its UTC wall time without a zone
 * (`2026-12-07 19:08:07.374`), which PostgreSQL reads in the session's TimeZone. On a server not
 * set to UTC every time the engine writes to `_prisma_migrations` (started_at, finished_at,
 * rolled_back_at of `resolve`) was hours off; the native engine sends the instant. With the
 * offset, a `timestamptz` column gets the instant and a `timestamp` column (which ignores a zone
 * in its input) the same UTC wall time as before. The engine sends datetimes only for its bookkeeping.
 * Test: test/engine-compat.test.ts ("upstream: on a server whose TimeZone is not UTC ...").
 */
export function datetimeArgsWithZone(adapter: SqlDriverAdapter): SqlDriverAdapter {
  return overrideMethods(adapter, {
    queryRaw: (query: SqlQuery) => adapter.queryRaw(withZones(query)),
    executeRaw: (query: SqlQuery) => adapter.executeRaw(withZones(query)),
  });
}

function withZones(query: SqlQuery): SqlQuery {
  if (!query.argTypes.some((t) => t.scalarType === 'datetime' && t.arity === 'scalar')) return query;
  const args = [...query.args];
  const argTypes = [...query.argTypes];
  argTypes.forEach((type, i) => {
    const value = args[i];
    if (type.scalarType !== 'datetime' || type.arity !== 'scalar' || typeof value !== 'string') return;
    const instant = new Date(value);
    if (Number.isNaN(instant.getTime())) return;
    args[i] = instant.toISOString();
    argTypes[i] = WITH_ZONE;
  });
  return { ...query, args, argTypes };
}
