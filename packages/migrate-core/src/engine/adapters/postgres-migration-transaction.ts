import type { SqlDriverAdapter, SqlQuery, SqlResultSet } from '@prisma/driver-adapter-utils';
import { overrideMethods } from './override.js';

/**
 * What `_prisma_migrations.logs` says while a migration runs in one transaction with its finish.
 * If a row still says this after its process is gone, that transaction never committed: nothing of
 * the migration was applied, so it can be run again. Written for people too: stock Prisma shows it
 * as the logs of a failed migration.
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
 * Runs each migration script in one transaction with the `_prisma_migrations` update that marks it
 * finished, so that a process killed at any moment leaves either all of a migration and a finished
 * row, or nothing of it and a row that says so.
 *
 * Why: the engine records a migration in separate statements (insert the row, run the script,
 * count the step, set `finished_at`). A process killed after the script committed but before
 * `finished_at` was set leaves a fully applied migration that looks failed, indistinguishable from
 * one that never ran: stock Prisma then stops every deploy with P3009 until someone guesses right
 * with `migrate resolve`. Here:
 *
 * 1. the engine's INSERT of the started row also sets its `logs` to INTERRUPTED_MIGRATION_LOGS;
 * 2. the script is sent as one simple query between two bookkeeping statements: the first clears
 *    `logs`, the last sets `finished_at` and `applied_steps_count`. PostgreSQL runs a multi-statement
 *    query as one implicit transaction (an explicit BEGIN turns it into an ordinary one), so the
 *    marker disappears exactly when the first of the script's statements commits: a marker still
 *    there means nothing of the script committed;
 * 3. the engine's own step and finish updates for that row are then answered without a query.
 *
 * A script PostgreSQL refuses in a transaction block (25001: `CREATE INDEX CONCURRENTLY`, ...)
 * fails before anything of it is applied, unless it committed a part of itself first (its own
 * COMMIT): the marker, cleared in the same transaction, tells which. Still there: nothing
 * committed, and the script is run as Prisma runs it, alone, after the marker is cleared (the
 * engine records its finish itself). Gone: the script failed half way, and it is never sent again.
 * A failing script is Prisma's failed migration (P3018, then P3009): the error replaces the marker
 * at once, in the session that ran the script, before the engine records it in its own words (so
 * the row says "failed" even when the engine cannot write any more). The marker only ever means
 * "the process applying it stopped".
 * Every statement added here names its schema (`_prisma_migrations` where the engine's INSERT
 * found it, `pg_catalog` functions and operators), so no search_path a script sets can move it.
 * Not covered: a script that issues its own ROLLBACK (undoing the marker's clearing with it) and
 * then commits more statements, killed between those commits (or failing with 25001 after them),
 * would be re-applied.
 *
 * Test: test/deploy-interrupted.test.ts (a kill before the commit, an own COMMIT, CONCURRENTLY, a failure),
 * test/migration-bookkeeping.test.ts (an own COMMIT before CONCURRENTLY, search_path, a failure kept in its session),
 * reliability/test/crash.test.ts (SIGKILL during deploy, the next deploy finishes the job).
 */
export function finishMigrationsInTheirTransaction(adapter: SqlDriverAdapter, options: MigrationTransactionOptions): SqlDriverAdapter {
  /** The row the engine just inserted, whose script comes next (`table` schema-qualified). */
  let started: StartedRow | undefined;
  /** A row already marked finished in its script's transaction: the engine's updates for it are skipped. */
  let finishedInTransaction: string | undefined;

  /**
   * The engine's statements, with its INSERT of a started migration widened to write the marker
   * in the same statement (so no moment exists where the row is there without it) and to return
   * where the table is, and its closing updates answered without a query when the script's
   * transaction did them already.
   */
  const run = async <R>(query: SqlQuery, send: (q: SqlQuery) => Promise<R>, alreadyDone: R): Promise<R> => {
    if (finishedInTransaction !== undefined && (STEP_COUNTED.test(query.sql) || FINISHED.test(query.sql)) && query.args[1] === finishedInTransaction) {
      return alreadyDone;
    }
    finishedInTransaction = undefined;
    if (started) {
      // Not the script the engine always runs next: the marker must not outlive this moment.
      await adapter.executeScript(clearMarkerSql(started));
      started = undefined;
    }
    const insert = STARTED.exec(query.sql);
    const id = query.args[0];
    if (insert && typeof id === 'string' && UUID.test(id)) {
      const result = await adapter.queryRaw({
        sql: `INSERT INTO ${insert[1]} ("id","checksum","started_at","migration_name","logs") VALUES ($1,$2,$3,$4,$5) RETURNING ${QUALIFIED_TABLE_NAME}, ${STARTED_ROW_COMMITS_WITHOUT_FLUSH}`,
        args: [...query.args, INTERRUPTED_MIGRATION_LOGS],
        argTypes: [...query.argTypes, textArg],
      });
      const table = result.rows[0]?.[0];
      started = { table: typeof table === 'string' ? table : insert[1]!, id };
      // What the engine's statement answers: one row inserted, no rows returned.
      return alreadyDone;
    }
    const result = await send(query);
    if (query.sql === MIGRATION_LOCK_SQL && options.onInterruptedRolledBack) {
      for (const name of await rollBackInterrupted(adapter)) options.onInterruptedRolledBack(name);
    }
    return result;
  };

  /** Replaces whatever `logs` says (the marker) with the error the database reported for the row's script. */
  const recordFailure = async (row: StartedRow, error: unknown): Promise<void> => {
    const logs = databaseErrorText(error);
    if (logs === undefined) return;
    await adapter
      .executeRaw({ sql: `UPDATE ${row.table} SET "logs" = $1 WHERE "id" OPERATOR(pg_catalog.=) $2`, args: [logs, row.id], argTypes: [textArg, textArg] })
      .catch(() => undefined); // the engine records the failure too; its error is the one to report
  };

  /** True while the row still carries the marker: nothing of its script has committed. */
  const markerStillThere = async (row: StartedRow): Promise<boolean> => {
    const result = await adapter.queryRaw({
      sql: `SELECT "logs" OPERATOR(pg_catalog.=) $1 AS "marked" FROM ${row.table} WHERE "id" OPERATOR(pg_catalog.=) $2`,
      args: [INTERRUPTED_MIGRATION_LOGS, row.id],
      argTypes: [textArg, textArg],
    });
    return result.rows[0]?.[0] === true;
  };

  return overrideMethods(adapter, {
    executeRaw: (query: SqlQuery) => run(query, (q) => adapter.executeRaw(q), 1),
    queryRaw: (query: SqlQuery) => run<SqlResultSet>(query, (q) => adapter.queryRaw(q), { columnNames: [], columnTypes: [], rows: [] }),
    async executeScript(script: string): Promise<void> {
      const row = started;
      started = undefined;
      finishedInTransaction = undefined;
      if (!row) return adapter.executeScript(script);
      const finish = `UPDATE ${row.table} SET "finished_at" = pg_catalog.clock_timestamp(), "applied_steps_count" = "applied_steps_count" OPERATOR(pg_catalog.+) 1 WHERE "id" OPERATOR(pg_catalog.=) '${row.id}'`;
      try {
        // The newlines keep a script's trailing `-- comment` from swallowing what follows.
        await adapter.executeScript(`${clearMarkerSql(row)};\n${script}\n;\n${finish};`);
        finishedInTransaction = row.id;
        return;
      } catch (error) {
        // Unsure whether anything committed (the row cannot be read): never send it again.
        const refusedWhole = driverErrorCode(error) === NOT_IN_A_TRANSACTION_BLOCK && (await markerStillThere(row).catch(() => false));
        if (!refusedWhole) {
          await recordFailure(row, error);
          throw error;
        }
      }
      // Refused as a whole, nothing committed: run alone, as Prisma runs it.
      await adapter.executeScript(clearMarkerSql(row));
      try {
        await adapter.executeScript(script);
      } catch (error) {
        await recordFailure(row, error);
        throw error;
      }
    },
  });
}

interface StartedRow {
  /** `_prisma_migrations`, schema-qualified and quoted. */
  table: string;
  id: string;
}

const clearMarkerSql = (row: StartedRow) => `UPDATE ${row.table} SET "logs" = NULL WHERE "id" OPERATOR(pg_catalog.=) '${row.id}'`;

/** The schema-qualified name of the table a statement's row is in (for RETURNING). */
const QUALIFIED_TABLE_NAME = `(SELECT pg_catalog.quote_ident(n.nspname) OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(c.relname) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace WHERE c.oid OPERATOR(pg_catalog.=) tableoid)`;

/**
 * Makes the started row's own transaction (the INSERT, alone) commit without waiting for the WAL
 * flush (`synchronous_commit` off for that transaction only; the script's transaction and every
 * other commit keep the server's setting).
 *
 * Why: a commit that waits for the flush costs a disk sync (measured ~3-5 ms on the bench machine;
 * the INSERT's round trip went from 5-8 ms to 2-3 ms), and each migration made two. Safe: WAL is
 * flushed in order, so the script's transaction, which commits synchronously and is what makes a
 * migration applied, also makes the started row durable. A server crash before that loses at most
 * a started row whose script never committed: the migration is then simply pending, as it is.
 * A client killed at any point changes nothing (the server still writes the WAL).
 * Test: test/migration-bookkeeping.test.ts ("the started row is committed without waiting for the WAL flush ...").
 */
const STARTED_ROW_COMMITS_WITHOUT_FLUSH = `pg_catalog.set_config('synchronous_commit', 'off', true)`;

const textArg = { scalarType: 'string', arity: 'scalar' } as const;

/**
 * Marks as rolled back every row that still carries INTERRUPTED_MIGRATION_LOGS (run under the
 * migration lock, so the process that wrote it is gone: its session held the lock until its
 * transaction had committed or rolled back). What `migrate resolve --rolled-back` writes.
 */
async function rollBackInterrupted(adapter: SqlDriverAdapter): Promise<string[]> {
  // Where the engine's unqualified statements find the table (this runs before any script).
  const found = await adapter.queryRaw({
    sql: `SELECT pg_catalog.quote_ident(n.nspname) OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(c.relname) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace WHERE c.oid OPERATOR(pg_catalog.=) pg_catalog.to_regclass('"_prisma_migrations"')`,
    args: [],
    argTypes: [],
  });
  const table = found.rows[0]?.[0];
  if (typeof table !== 'string') return [];
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
