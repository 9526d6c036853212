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
const MIGRATION_LOCK_SQL = 'SELECT pg_advisory_lock(72707369)';

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
 * fails as a whole before anything is applied; it is then run as Prisma runs it, alone, after the
 * marker is cleared, and the engine records its finish itself. A failing script leaves the marker
 * to the engine, which overwrites it with the error (Prisma's failed migration, P3018 then P3009).
 * Not covered: a script that issues its own ROLLBACK (undoing the marker's clearing with it) and
 * then commits more statements, killed between those commits, would be re-applied.
 *
 * Test: test/deploy-interrupted.test.ts (a kill before the commit, an own COMMIT, CONCURRENTLY, a failure),
 * reliability/test/crash.test.ts (SIGKILL during deploy, the next deploy finishes the job).
 */
export function finishMigrationsInTheirTransaction(adapter: SqlDriverAdapter, options: MigrationTransactionOptions): SqlDriverAdapter {
  /** The row the engine just inserted, whose script comes next. */
  let started: { table: string; id: string } | undefined;
  /** A row already marked finished in its script's transaction: the engine's updates for it are skipped. */
  let finishedInTransaction: string | undefined;

  /**
   * The engine's statements, with its INSERT of a started migration widened to write the marker
   * in the same statement (so no moment exists where the row is there without it), and its
   * closing updates answered without a query when the script's transaction did them already.
   */
  const run = async <R>(query: SqlQuery, send: (q: SqlQuery) => Promise<R>, alreadyDone: R): Promise<R> => {
    if (finishedInTransaction !== undefined && (STEP_COUNTED.test(query.sql) || FINISHED.test(query.sql)) && query.args[1] === finishedInTransaction) {
      return alreadyDone;
    }
    finishedInTransaction = undefined;
    if (started) {
      // Not the script the engine always runs next: the marker must not outlive this moment.
      await clearMarker(started);
      started = undefined;
    }
    const insert = STARTED.exec(query.sql);
    const id = query.args[0];
    if (insert && typeof id === 'string' && UUID.test(id)) {
      const table = insert[1]!;
      const result = await send({
        sql: `INSERT INTO ${table} ("id","checksum","started_at","migration_name","logs") VALUES ($1,$2,$3,$4,$5)`,
        args: [...query.args, INTERRUPTED_MIGRATION_LOGS],
        argTypes: [...query.argTypes, textArg],
      });
      started = { table, id };
      return result;
    }
    const result = await send(query);
    if (query.sql === MIGRATION_LOCK_SQL && options.onInterruptedRolledBack) {
      for (const name of await rollBackInterrupted(adapter)) options.onInterruptedRolledBack(name);
    }
    return result;
  };
  const clearMarkerSql = (row: { table: string; id: string }) => `UPDATE ${row.table} SET "logs" = NULL WHERE "id" = '${row.id}'`;
  const clearMarker = (row: { table: string; id: string }) => adapter.executeScript(clearMarkerSql(row));

  return overrideMethods(adapter, {
    executeRaw: (query: SqlQuery) => run(query, (q) => adapter.executeRaw(q), 1),
    queryRaw: (query: SqlQuery) => run<SqlResultSet>(query, (q) => adapter.queryRaw(q), { columnNames: [], columnTypes: [], rows: [] }),
    async executeScript(script: string): Promise<void> {
      const row = started;
      started = undefined;
      finishedInTransaction = undefined;
      if (!row) return adapter.executeScript(script);
      const finish = `UPDATE ${row.table} SET "finished_at" = clock_timestamp(), "applied_steps_count" = "applied_steps_count" + 1 WHERE "id" = '${row.id}'`;
      try {
        // The newlines keep a script's trailing `-- comment` from swallowing what follows.
        await adapter.executeScript(`${clearMarkerSql(row)};\n${script}\n;\n${finish};`);
        finishedInTransaction = row.id;
      } catch (error) {
        if (driverErrorCode(error) !== NOT_IN_A_TRANSACTION_BLOCK) throw error;
        await clearMarker(row);
        await adapter.executeScript(script);
      }
    },
  });
}

const textArg = { scalarType: 'string', arity: 'scalar' } as const;

/**
 * Marks as rolled back every row that still carries INTERRUPTED_MIGRATION_LOGS (run under the
 * migration lock, so the process that wrote it is gone: its session held the lock until its
 * transaction had committed or rolled back). What `migrate resolve --rolled-back` writes.
 */
async function rollBackInterrupted(adapter: SqlDriverAdapter): Promise<string[]> {
  const exists = await adapter.queryRaw({ sql: `SELECT to_regclass('"_prisma_migrations"')::text AS "table"`, args: [], argTypes: [] });
  if (exists.rows[0]?.[0] == null) return [];
  const result = await adapter.queryRaw({
    sql: `UPDATE "_prisma_migrations" SET "rolled_back_at" = clock_timestamp() WHERE "finished_at" IS NULL AND "rolled_back_at" IS NULL AND "logs" = $1 RETURNING "migration_name"`,
    args: [INTERRUPTED_MIGRATION_LOGS],
    argTypes: [textArg],
  });
  return result.rows.map((r) => String(r[0]));
}

function driverErrorCode(error: unknown): string | undefined {
  const cause = (error as { cause?: { originalCode?: unknown } } | undefined)?.cause;
  return typeof cause?.originalCode === 'string' ? cause.originalCode : undefined;
}
