import type { SqlDriverAdapter, SqlQuery, SqlResultSet } from '@prisma/driver-adapter-utils';
import { overrideMethods } from './override.js';

/**
 * What `_prisma_migrations.logs` said, in migrate-core before 0.2, while a migration ran: its
 * started row was committed on its own with this marker, which the script's transaction cleared.
 * A row still saying it means that transaction never committed (the process applying it stopped),
 * so nothing of the migration was applied. Started rows are now written in the script's own
 * transaction and never carry it; rows left by an earlier version are still recognised (status),
 * and marked rolled back by the next deploy or dev, which applies the migration again.
 */
export const INTERRUPTED_MIGRATION_LOGS =
  'migrate-kit: this migration was being applied in one transaction with the recording of its finish, and that transaction never committed (the process applying it stopped). Nothing of it was applied: the next `migrate deploy` of migrate-kit marks it rolled back and applies it again (with stock Prisma, run `prisma migrate resolve --rolled-back` and deploy).';

/** The key Prisma's engine passes to pg_advisory_lock to serialise migration commands. */
export const MIGRATION_LOCK_KEY = 72707369;
const MIGRATION_LOCK_SQL = `SELECT pg_advisory_lock(${MIGRATION_LOCK_KEY})`;

// The engine's bookkeeping statements (schema engine 8.1, sql-schema-connector), matched exactly:
// the engine is pinned, and test/deploy-interrupted.test.ts fails if a bump changes them.
const STARTED = /^INSERT INTO ((?:"[^"]+"\.)?"_prisma_migrations") \("id","checksum","started_at","migration_name"\) VALUES \(\$1,\$2,\$3,\$4\)$/;
const STEP_COUNTED = /^UPDATE (?:"[^"]+"\.)?"_prisma_migrations" SET "applied_steps_count" = \("applied_steps_count" \+ \$1\) WHERE "id" = \$2$/;
const FINISHED = /^UPDATE (?:"[^"]+"\.)?"_prisma_migrations" SET "finished_at" = \$1 WHERE "id" = \$2$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** PostgreSQL's 25001: "... cannot run inside a transaction block" (CREATE INDEX CONCURRENTLY, VACUUM, ...). */
const NOT_IN_A_TRANSACTION_BLOCK = '25001';

export interface MigrationTransactionOptions {
  /**
   * After the engine takes the migration lock: mark rows still saying INTERRUPTED_MIGRATION_LOGS as
   * rolled back, so the migrations they stand for are applied again. Only for commands that apply.
   */
  onInterruptedRolledBack?: ((migrationName: string) => void) | undefined;
}

/**
 * Runs each migration in one transaction with its whole `_prisma_migrations` row: the started row,
 * the script and the finish commit together, so that a process killed at any moment leaves either
 * all of a migration and its finished row, or nothing of it and no row (the migration is pending).
 *
 * Why: the engine records a migration in separate statements (insert the started row, run the
 * script, count the step, set `finished_at`), each its own commit. A process killed after the
 * script committed but before `finished_at` was set leaves a fully applied migration that looks
 * failed, indistinguishable from one that never ran: stock Prisma then stops every deploy with
 * P3009 until someone guesses right with `migrate resolve`. And each migration cost two commits
 * and two round trips where one does (deploy-300: ~0.7 ms a migration, bench/RESULTS.md). Here:
 *
 * 1. the engine's INSERT of the started row is held, answered as done (one row, no rows returned);
 * 2. the script the engine runs next is sent as one simple query between that INSERT and the update
 *    that sets `finished_at` and `applied_steps_count`. PostgreSQL runs a multi-statement query as
 *    one implicit transaction (an explicit BEGIN turns it into an ordinary one);
 * 3. the engine's own step and finish updates for that row are then answered without a query.
 * The row holds exactly the engine's values (its id, checksum, started_at and name), as SQL
 * literals since a simple query has no parameters; `started_at` keeps its UTC offset, so the
 * instant is right whatever the session's TimeZone (@prisma/adapter-pg sends it without one, read
 * in the session's zone: hours off on a server not on UTC).
 *
 * A script PostgreSQL refuses in a transaction block (25001: `CREATE INDEX CONCURRENTLY`, ...)
 * fails before anything of it is applied, unless it committed a part of itself first (its own
 * COMMIT, which commits the started row with it): whether the row is there tells which. Not there:
 * nothing committed, and the migration is run as Prisma runs it (the row, then the script alone;
 * the engine records its finish itself). There: the script failed half way, and it is never sent
 * again. A failing script is Prisma's failed migration (P3018, then P3009): its row is written (or
 * updated) with the error at once, in the session that ran the script, before the engine records
 * it in its own words (so the row says "failed" even when the engine cannot write any more).
 * A statement the engine sends between the INSERT and the script (not seen with engine 8.1) gets
 * the row written first, as the engine would have.
 * Every statement added here names its schema (`_prisma_migrations` where the engine's unqualified
 * name finds it, resolved once per connection; `pg_catalog` functions and operators), so no
 * search_path a script sets can move it.
 * Not covered: a script that issues its own ROLLBACK undoes its started row with it; if the
 * script then fails, its row is written as failed (as above), but if it succeeds the migration is
 * applied with no row, and the next deploy applies it again.
 *
 * Test: test/deploy-interrupted.test.ts (a kill before the commit, an own COMMIT, CONCURRENTLY, a failure),
 * test/migration-bookkeeping.test.ts (one commit per migration, the rows against the engine's own,
 * a TimeZone off UTC, an own COMMIT before CONCURRENTLY, search_path, a failure kept in its session),
 * reliability/test/crash.test.ts (SIGKILL during deploy, the next deploy finishes the job).
 */
export function finishMigrationsInTheirTransaction(adapter: SqlDriverAdapter, options: MigrationTransactionOptions): SqlDriverAdapter {
  /** The row the engine asked to insert, held for its script's transaction. */
  let held: StartedRow | undefined;
  /** A row already marked finished in its script's transaction: the engine's updates for it are skipped. */
  let finishedInTransaction: string | undefined;
  /** Where the engine's unqualified `"_prisma_migrations"` is, looked up once it exists. */
  let foundTable: string | undefined;

  const qualified = async (named: string): Promise<string | undefined> => {
    if (named.includes('.')) return named;
    foundTable ??= await migrationsTableName(adapter);
    return foundTable;
  };

  /** The started row as the engine's INSERT would write it, with `logs` when given. */
  const insertSql = (row: StartedRow, logs?: string) =>
    `INSERT INTO ${row.table} ("id","checksum","started_at","migration_name"${logs === undefined ? '' : ',"logs"'}) VALUES (${row.values}${logs === undefined ? '' : `,${sqlString(logs)}`})`;

  const run = async <R>(query: SqlQuery, send: (q: SqlQuery) => Promise<R>, alreadyDone: R): Promise<R> => {
    if (finishedInTransaction !== undefined && (STEP_COUNTED.test(query.sql) || FINISHED.test(query.sql)) && query.args[1] === finishedInTransaction) {
      return alreadyDone;
    }
    finishedInTransaction = undefined;
    if (held) {
      // Not the script the engine always runs next: write the row now, as the engine would have.
      const row = held;
      held = undefined;
      await adapter.executeScript(insertSql(row));
    }
    const insert = STARTED.exec(query.sql);
    if (insert) {
      const row = await startedRow(insert[1]!, query.args);
      if (row) {
        held = row;
        // What the engine's statement answers: one row inserted, no rows returned.
        return alreadyDone;
      }
    }
    const result = await send(query);
    if (query.sql === MIGRATION_LOCK_SQL && options.onInterruptedRolledBack) {
      // This runs before any script, so the engine's unqualified name finds the table.
      for (const name of await rollBackInterrupted(adapter, await qualified('"_prisma_migrations"'))) options.onInterruptedRolledBack(name);
    }
    return result;
  };

  /** The held row for the engine's INSERT; undefined (the INSERT is sent as it is) for anything unexpected. */
  const startedRow = async (named: string, args: readonly unknown[]): Promise<StartedRow | undefined> => {
    const [id, checksum, startedAt, name] = args;
    if (typeof id !== 'string' || !UUID.test(id) || typeof checksum !== 'string' || typeof startedAt !== 'string' || typeof name !== 'string') return undefined;
    const instant = new Date(startedAt);
    if (Number.isNaN(instant.getTime())) return undefined;
    const table = await qualified(named);
    if (table === undefined) return undefined;
    return { table, id, values: [id, checksum, instant.toISOString(), name].map(sqlString).join(',') };
  };

  /** Whether the row is in the table (committed); undefined when that cannot be read (the connection is gone). */
  const rowWritten = async (row: StartedRow): Promise<boolean | undefined> => {
    try {
      const result = await adapter.queryRaw({ sql: `SELECT 1 FROM ${row.table} WHERE "id" OPERATOR(pg_catalog.=) '${row.id}'`, args: [], argTypes: [] });
      return result.rows.length > 0;
    } catch {
      return undefined;
    }
  };

  /** Records the error the database reported for the row's script in its `logs`, writing the row if its transaction took it away. */
  const recordFailure = async (row: StartedRow, error: unknown, written: boolean | undefined): Promise<void> => {
    const logs = databaseErrorText(error);
    if (logs === undefined || written === undefined) return;
    const sql = written ? `UPDATE ${row.table} SET "logs" = ${sqlString(logs)} WHERE "id" OPERATOR(pg_catalog.=) '${row.id}'` : insertSql(row, logs);
    await adapter.executeScript(sql).catch(() => undefined); // the engine records the failure too; its error is the one to report
  };

  return overrideMethods(adapter, {
    executeRaw: (query: SqlQuery) => run(query, (q) => adapter.executeRaw(q), 1),
    queryRaw: (query: SqlQuery) => run<SqlResultSet>(query, (q) => adapter.queryRaw(q), { columnNames: [], columnTypes: [], rows: [] }),
    async executeScript(script: string): Promise<void> {
      const row = held;
      held = undefined;
      finishedInTransaction = undefined;
      if (!row) return adapter.executeScript(script);
      const finish = `UPDATE ${row.table} SET "finished_at" = pg_catalog.clock_timestamp(), "applied_steps_count" = "applied_steps_count" OPERATOR(pg_catalog.+) 1 WHERE "id" OPERATOR(pg_catalog.=) '${row.id}'`;
      try {
        // The newlines keep a script's trailing `-- comment` from swallowing what follows.
        await adapter.executeScript(`${insertSql(row)};\n${script}\n;\n${finish};`);
        finishedInTransaction = row.id;
        return;
      } catch (error) {
        // Whether a part committed (the script's own COMMIT takes the row with it); unsure: never send it again.
        const written = await rowWritten(row);
        if (!(written === false && driverErrorCode(error) === NOT_IN_A_TRANSACTION_BLOCK)) {
          await recordFailure(row, error, written);
          throw error;
        }
      }
      // Refused as a whole, nothing committed: run alone, as Prisma runs it.
      await adapter.executeScript(insertSql(row));
      try {
        await adapter.executeScript(script);
      } catch (error) {
        await recordFailure(row, error, true);
        throw error;
      }
    },
  });
}

interface StartedRow {
  /** `_prisma_migrations`, schema-qualified and quoted. */
  table: string;
  id: string;
  /** The engine's id, checksum, started_at and migration name, as SQL literals. */
  values: string;
}

/**
 * A string as an SQL literal. The E'' form reads backslashes the same whatever
 * `standard_conforming_strings` says.
 */
function sqlString(value: string): string {
  return `E'${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

const textArg = { scalarType: 'string', arity: 'scalar' } as const;

/** Where the engine's unqualified statements find `_prisma_migrations` (schema-qualified and quoted), if it exists. */
async function migrationsTableName(adapter: SqlDriverAdapter): Promise<string | undefined> {
  const found = await adapter.queryRaw({
    sql: `SELECT pg_catalog.quote_ident(n.nspname) OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(c.relname) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace WHERE c.oid OPERATOR(pg_catalog.=) pg_catalog.to_regclass('"_prisma_migrations"')`,
    args: [],
    argTypes: [],
  });
  const table = found.rows[0]?.[0];
  return typeof table === 'string' ? table : undefined;
}

/**
 * Marks as rolled back every row that still carries INTERRUPTED_MIGRATION_LOGS (run under the
 * migration lock, so the process that wrote it is gone: its session held the lock until its
 * transaction had committed or rolled back). What `migrate resolve --rolled-back` writes.
 */
async function rollBackInterrupted(adapter: SqlDriverAdapter, table: string | undefined): Promise<string[]> {
  if (table === undefined) return [];
  const result = await adapter.queryRaw({
    sql: `UPDATE ${table} SET "rolled_back_at" = pg_catalog.clock_timestamp() WHERE "finished_at" IS NULL AND "rolled_back_at" IS NULL AND "logs" OPERATOR(pg_catalog.=) $1 RETURNING "migration_name"`,
    args: [INTERRUPTED_MIGRATION_LOGS],
    argTypes: [textArg],
  });
  return result.rows.map((r) => String(r[0]));
}

/**
 * What the database said about a failed statement, as `_prisma_migrations.logs` keeps it; undefined
 * for an error that is not the database's (the connection was lost: nothing was reported).
 */
function databaseErrorText(error: unknown): string | undefined {
  const code = driverErrorCode(error);
  if (code === undefined) return undefined;
  const cause = (error as { cause?: Record<string, unknown> }).cause ?? {};
  const message = String(cause.originalMessage ?? cause.message ?? (error as Error).message);
  const extra = (['detail', 'hint'] as const).filter((k) => typeof cause[k] === 'string').map((k) => `\n${k.toUpperCase()}: ${cause[k]}`);
  return `Database error code: ${code}\n\nDatabase error:\nERROR: ${message}${extra.join('')}`;
}

/** The SQLSTATE of an error the database reported, as @prisma/adapter-pg passes it on. */
function driverErrorCode(error: unknown): string | undefined {
  const cause = (error as { cause?: { originalCode?: unknown; kind?: unknown; code?: unknown } } | undefined)?.cause;
  if (typeof cause?.originalCode === 'string') return cause.originalCode;
  return cause?.kind === 'postgres' && typeof cause.code === 'string' && /^[0-9A-Z]{5}$/.test(cause.code) ? cause.code : undefined;
}
