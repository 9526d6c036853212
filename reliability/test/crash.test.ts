/**
 * Item 2, crashes: a `deploy` of 50 migrations is SIGKILLed at a random moment, round after
 * round on a fresh database, and what it leaves is checked before anything else touches it.
 *
 * What really happens (see README.md):
 * - The engine applies a migration in steps: INSERT its `_prisma_migrations` row (started), run
 *   the script, then mark the row finished. A row that is neither finished nor rolled back is
 *   Prisma's "failed" state.
 * - PostgreSQL: migrate-core writes the started row in the script's own transaction: it sends
 *   one simple query, `INSERT .. (started row); <script>; UPDATE .. SET finished_at ..`, which
 *   PostgreSQL runs as one implicit transaction (and to its end, even when the client is gone).
 *   So a kill leaves each migration finished with all of it applied, or pending with nothing of
 *   it applied and no row; never a failed row, never anything between. The next `deploy` applies
 *   the rest and exits 0: no `resolve`. (An earlier migrate-kit committed the started row first,
 *   with a marker the next deploy rolled back: such rows are still handled, see
 *   packages/migrate-core/test/deploy-interrupted.test.ts.)
 * - SQLite (unchanged): the engine runs the script statement by statement with no transaction
 *   around it (as the native engine does), so a kill can leave a migration half-applied, with its
 *   row failed and no logs; each statement is atomic (the journal rolls an interrupted one back
 *   when the file is next opened). The next `deploy` stops with P3009 naming it, as stock
 *   `prisma migrate deploy` does; the user rolls back by hand what exists of it (here: drops it),
 *   then `resolve` and `deploy` finish the job.
 * In every case `_prisma_migrations` never says finished for a migration that did not finish.
 *
 * Also here: `CREATE INDEX CONCURRENTLY`, which PostgreSQL refuses inside a transaction block.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { type CliRun, describeRun, jsonOf, output, runCli, spawnCli } from './helpers/cli.js';
import {
  failedRows,
  indexNames,
  type MigrationRow,
  migrationRows,
  POSTGRES_SERVER_URL,
  PROVIDERS,
  type Provider,
  type TestDatabase,
  tableNames,
  withPostgres,
} from './helpers/databases.js';
import { migrationName, writeHistory, writeText } from './helpers/history.js';
import { SIZES } from './helpers/mode.js';
import { createPrismaProject, type PrismaProject } from './helpers/project.js';
import { runSeed, seededRandom } from './helpers/random.js';

const { crashRounds: ROUNDS, crashMigrations: MIGRATIONS } = SIZES;
/** Rows each migration inserts: enough that a kill often lands inside a script. */
const ROWS = 200;

const tag = (i: number) => `c${String(i).padStart(3, '0')}`;

/** Migration i: a table filled with ROWS rows, an index on it, and a second table with a foreign key to it. */
function crashHistory(provider: Provider, count: number): [string, string][] {
  return Array.from({ length: count }, (_, index) => {
    const t = tag(index + 1);
    const fill =
      provider === 'postgresql'
        ? // The sleep keeps each script running long enough that random kills land inside scripts
          // (in one CI run, at 1-2 ms a script, all 30 landed between migrations).
          `INSERT INTO "${t}" ("id", "v") SELECT g, 'row ' || g FROM generate_series(1, ${ROWS}) AS g;\nSELECT pg_sleep(0.01);`
        : `WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < ${ROWS}) INSERT INTO "${t}" ("id", "v") SELECT g, 'row ' || g FROM s;`;
    return [
      migrationName(index + 1, t),
      `CREATE TABLE "${t}" ("id" INTEGER NOT NULL PRIMARY KEY, "v" TEXT NOT NULL);\n${fill}\nCREATE INDEX "${t}_v_idx" ON "${t}"("v");\nCREATE TABLE "${t}_b" ("id" INTEGER NOT NULL PRIMARY KEY, "a" INTEGER REFERENCES "${t}"("id"));\n`,
    ];
  });
}

type Presence = 'all' | 'none' | 'partial';

/** For each migration: how much of what its script creates exists (tables, index, all ROWS rows). */
async function presenceOf(db: TestDatabase, count: number): Promise<Presence[]> {
  const tables = new Set(await tableNames(db));
  const indexes = new Set(await indexNames(db));
  const result: Presence[] = [];
  for (let i = 1; i <= count; i++) {
    const t = tag(i);
    const rows = tables.has(t) ? Number((await db.query<{ n: unknown }>(`SELECT COUNT(*) AS n FROM "${t}"`))[0]?.n) : 0;
    const parts = [tables.has(t), rows === ROWS, indexes.has(`${t}_v_idx`), tables.has(`${t}_b`)];
    result.push(parts.every(Boolean) ? 'all' : parts.some(Boolean) ? 'partial' : 'none');
  }
  return result;
}

/**
 * After a SIGKILL a PostgreSQL backend runs its last query to the end: wait until it is gone.
 * Returns the tag of the migration whose script (the query migrate-core sends, which begins by
 * inserting the started row) was still running on the server when first looked at, if any.
 */
async function untilNoSessions(db: TestDatabase): Promise<string | undefined> {
  if (db.provider !== 'postgresql') return undefined;
  const deadline = Date.now() + 60_000;
  let runningScript: string | undefined;
  for (let first = true; ; first = false) {
    const sessions = await withPostgres(POSTGRES_SERVER_URL, async (c) => (await c.query<{ state: string | null; query: string | null }>('SELECT state, query FROM pg_stat_activity WHERE datname = $1', [db.name])).rows);
    if (first) {
      const script = sessions.find((s) => s.state === 'active' && s.query?.includes('"migration_name") VALUES (E\''));
      runningScript = script?.query ? /CREATE TABLE "(c\d{3})"/.exec(script.query)?.[1] : undefined;
    }
    if (sessions.length === 0) return runningScript;
    if (Date.now() > deadline) throw new Error(`Sessions on ${db.name} still alive 60 s after the kill.`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

type Outcome = 'finishedBeforeKill' | 'killedBetweenMigrations' | 'interruptedNotApplied' | 'interruptedFullyApplied' | 'interruptedHalfApplied';

interface KillState {
  rows: MigrationRow[];
  presence: Presence[];
  failed: MigrationRow | undefined;
  outcome: Outcome;
  /** PostgreSQL: the tag of a migration whose script the server was still running after the kill. */
  scriptRunningAtKill: string | undefined;
}

/** The invariants that hold whatever moment the kill hit. */
async function inspectAfterKill(project: PrismaProject, names: string[], run: CliRun, context: string): Promise<KillState> {
  const scriptRunningAtKill = await untilNoSessions(project.db);
  const rows = await migrationRows(project.db);
  const presence = await presenceOf(project.db, names.length);
  const failed = failedRows(rows);
  const rowOf = new Map(rows.map((r) => [r.name, r]));

  // At most one migration was in flight, and it is the last one with a row.
  expect(failed.length, context).toBeLessThanOrEqual(1);
  if (failed[0]) expect(rows.at(-1)?.name, context).toBe(failed[0].name);
  expect(rows.every((r) => !r.rolledBack), context).toBe(true);
  names.forEach((name, i) => {
    const row = rowOf.get(name);
    const what = `${context}\n${name}: row ${JSON.stringify(row)}, objects ${presence[i]}`;
    // Never finished on paper without being finished in the database.
    if (row?.finished) expect(presence[i], what).toBe('all');
    // Nothing of a migration whose row was never written.
    if (!row) expect(presence[i], what).toBe('none');
    // PostgreSQL: all or nothing, whatever the moment.
    if (project.provider === 'postgresql') expect(presence[i], what).not.toBe('partial');
  });
  // Migrations apply in order: every row before the failed one is finished.
  expect(rows.filter((r) => r.finished).map((r) => r.name), context).toEqual(names.slice(0, rows.filter((r) => r.finished).length));

  let outcome: Outcome;
  if (run.signal !== 'SIGKILL') {
    expect(run.code, `${context}\n${describeRun(run)}`).toBe(0);
    outcome = 'finishedBeforeKill';
  } else if (!failed[0]) outcome = 'killedBetweenMigrations';
  else {
    const p = presence[names.indexOf(failed[0].name)];
    outcome = p === 'all' ? 'interruptedFullyApplied' : p === 'none' ? 'interruptedNotApplied' : 'interruptedHalfApplied';
    const what = `${context}\n${failed[0].name}: row ${JSON.stringify(failed[0])}, objects ${p}`;
    if (project.provider === 'postgresql') {
      // The row, the script and its finish commit together: a kill never leaves a started row.
      expect.fail(`a PostgreSQL kill left an unfinished row\n${what}`);
    } else {
      // SQLite: an interrupted migration, unlike one whose script failed, has no error logged. A
      // kill between the engine's two closing updates leaves its step counted: the script is done.
      expect(failed[0].logs, what).toBeNull();
      expect([0, 1], what).toContain(failed[0].steps);
      if (failed[0].steps === 1) expect(p, what).toBe('all');
    }
  }
  if (project.provider === 'postgresql') expect(['interruptedFullyApplied', 'interruptedHalfApplied'], context).not.toContain(outcome);
  // No other row has logs: a finished row was written whole in its script's transaction.
  expect(rows.filter((r) => r.logs !== null && r !== failed[0]), context).toEqual([]);
  return { rows, presence, failed: failed[0], outcome, scriptRunningAtKill };
}

/** Undoes what exists of migration i, as a user rolls a failed migration back by hand. */
async function rollBackByHand(db: TestDatabase, i: number): Promise<void> {
  const t = tag(i);
  await db.execute(`DROP TABLE IF EXISTS "${t}_b"; DROP INDEX IF EXISTS "${t}_v_idx"; DROP TABLE IF EXISTS "${t}";`);
}

describe.each(PROVIDERS)('%s', (provider: Provider) => {
  const history = crashHistory(provider, MIGRATIONS);
  const names = history.map(([name]) => name);
  const cli = (project: PrismaProject, args: string[]) => runCli('migrate-kit', args, { cwd: project.dir, env: { DATABASE_URL: project.db.url } });

  test(`SIGKILL at a random moment during a deploy of ${MIGRATIONS} migrations, ${ROUNDS} rounds: nothing is recorded as finished that is not, and the next deploy finishes the job (PostgreSQL: no row is ever left unfinished; SQLite: after resolve, as Prisma requires)`, async () => {
    const seed = runSeed();
    const random = seededRandom(seed);
    const outcomes: Record<Outcome, number> = { finishedBeforeKill: 0, killedBetweenMigrations: 0, interruptedNotApplied: 0, interruptedFullyApplied: 0, interruptedHalfApplied: 0 };
    const nextDeploy = { finishedTheJob: 0, stoppedAtP3009: 0 };
    /** PostgreSQL: rounds where the server was still running a migration's script after the kill (it runs it to the end). */
    let scriptRunningAtKill = 0;
    /** Rounds killed after the first migration started and before the last finished (the windows this test is about). */
    let killedWhileApplying = 0;

    // How long an uninterrupted deploy takes here: kill points are drawn from that span.
    const calibration = await createPrismaProject(provider);
    let span: number;
    try {
      writeHistory(calibration.migrationsDir, provider, history);
      const run = await cli(calibration, ['deploy', '--json']);
      expect(run.code, describeRun(run)).toBe(0);
      expect(jsonOf<{ applied: unknown[] }>(run).applied).toHaveLength(MIGRATIONS);
      span = run.durationMs;
    } finally {
      await calibration.cleanup();
    }

    for (let round = 1; round <= ROUNDS; round++) {
      const killAfterMs = Math.round(span * (0.05 + 0.85 * random()));
      const context = `${provider}, round ${round}, kill after ${killAfterMs} ms of a ${Math.round(span)} ms deploy (RELIABILITY_SEED=${seed})`;
      const project = await createPrismaProject(provider);
      try {
        writeHistory(project.migrationsDir, provider, history);
        const deploy = spawnCli('migrate-kit', ['deploy', '--json'], { cwd: project.dir, env: { DATABASE_URL: project.db.url } });
        const timer = setTimeout(() => deploy.child.kill('SIGKILL'), killAfterMs);
        const killed = await deploy.exited;
        clearTimeout(timer);
        expect(killed.timedOut, context).toBe(false);

        const state = await inspectAfterKill(project, names, killed, context);
        outcomes[state.outcome]++;
        if (state.scriptRunningAtKill) scriptRunningAtKill++;
        const finishedBefore = state.rows.filter((r) => r.finished).length;
        if (state.rows.length > 0 && finishedBefore < MIGRATIONS) killedWhileApplying++;

        const next = await cli(project, ['deploy', '--json']);
        expect(next.timedOut, context).toBe(false);
        if (!state.failed) {
          // Killed between two migrations (or before the first), or (PostgreSQL) inside one that never
          // committed (no row): the next deploy goes on, applying the rest, and exits 0.
          expect(next.code, `${context}\n${describeRun(next)}`).toBe(0);
          const result = jsonOf<{ applied: { name: string }[]; interruptedRolledBack: string[] }>(next);
          expect(result.interruptedRolledBack, `${context}\n${describeRun(next)}`).toEqual([]);
          expect(result.applied.map((m) => m.name), `${context}\n${describeRun(next)}`).toEqual(names.slice(finishedBefore));
          expect(next.stderr, context).not.toContain('was interrupted');
          nextDeploy.finishedTheJob++;
        } else {
          // Prisma's rule: a started, unfinished row is a failed migration; deploy stops (P3009) and changes nothing.
          const failedName = state.failed.name;
          expect(next.code, `${context}\n${describeRun(next)}`).toBe(1);
          expect(jsonOf<{ error: { code: string; message: string } }>(next).error, context).toMatchObject({ code: 'P3009' });
          expect(output(next), context).toContain(failedName);
          expect(await migrationRows(project.db), context).toEqual(state.rows);
          nextDeploy.stoppedAtP3009++;

          const status = await cli(project, ['status']);
          expect(status.code, `${context}\n${describeRun(status)}`).toBe(1);
          expect(status.stdout, context).toContain(`Following migration have failed:\n${failedName}`);

          // Recover the way the status output says.
          const index = names.indexOf(failedName);
          const presence = state.presence[index];
          if (presence === 'partial') await rollBackByHand(project.db, index + 1);
          const resolved = await cli(project, ['resolve', presence === 'all' ? '--applied' : '--rolled-back', failedName]);
          expect(resolved.code, `${context}\n${describeRun(resolved)}`).toBe(0);
          const finish = await cli(project, ['deploy', '--json']);
          expect(finish.code, `${context}\n${describeRun(finish)}`).toBe(0);
        }

        // The job is done: every migration finished exactly once, every object there, status clean.
        // The interrupted migration, if any (SQLite), also has its old row, rolled back by `resolve`;
        // no other row is.
        const rows = await migrationRows(project.db);
        const finished = rows.filter((r) => r.finished).map((r) => r.name);
        expect(finished, context).toEqual(names);
        expect(failedRows(rows), context).toEqual([]);
        const rolledBack = rows.filter((r) => r.rolledBack);
        expect(rolledBack.map((r) => r.name), context).toEqual(state.failed ? [state.failed.name] : []);
        // PostgreSQL: every finished row was written in its script's transaction (step counted, no logs).
        if (provider === 'postgresql') expect(rows.filter((r) => r.finished && (r.steps !== 1 || r.logs !== null)), context).toEqual([]);
        expect(await presenceOf(project.db, MIGRATIONS), context).toEqual(names.map(() => 'all'));
        const status = await cli(project, ['status']);
        expect(status.code, `${context}\n${describeRun(status)}`).toBe(0);
      } finally {
        await project.cleanup();
      }
    }
    const extra = provider === 'postgresql' ? { scriptRunningAtKill } : {};
    console.log(`[crash] ${provider} (RELIABILITY_SEED=${seed}, deploy span ${Math.round(span)} ms): ${JSON.stringify({ rounds: ROUNDS, killedWhileApplying, ...outcomes, nextDeploy, ...extra })}`);
    if (provider === 'postgresql') {
      expect(outcomes.interruptedFullyApplied + outcomes.interruptedHalfApplied).toBe(0);
      expect(nextDeploy.stoppedAtP3009).toBe(0);
    }
    // Enough rounds must have been killed while migrations were being applied for the test to mean
    // something. On PostgreSQL a kill inside a script leaves what a kill after it leaves (the server
    // runs the script to its end and commits it with its row, finished), and is seen as such
    // only when the session is still running when looked at (scriptRunningAtKill): so what is
    // counted is a kill between the first migration's start and the last one's finish. (Counting
    // only kills seen in flight failed in CI: 0 of 30, the deploy being fast and the look late.)
    if (ROUNDS >= 10) expect(killedWhileApplying).toBeGreaterThan(0);
  });
});

describe('postgresql: CREATE INDEX CONCURRENTLY', () => {
  const projects: PrismaProject[] = [];
  afterAll(async () => {
    await Promise.all(projects.map((p) => p.cleanup()));
  });
  const TABLE = migrationName(1, 'items');
  const TABLE_SQL = 'CREATE TABLE "items" ("id" INTEGER NOT NULL PRIMARY KEY, "sku" TEXT NOT NULL);\n';

  async function project(): Promise<PrismaProject> {
    const p = await createPrismaProject('postgresql');
    projects.push(p);
    return p;
  }
  const cli = (p: PrismaProject, args: string[]) => runCli('migrate-kit', args, { cwd: p.dir, env: { DATABASE_URL: p.db.url } });

  test('a migration whose only statement is CREATE INDEX CONCURRENTLY applies (refused inside migrate-core\'s one-transaction query, then run alone, as Prisma runs it), and the index is valid', async () => {
    const p = await project();
    const index = migrationName(2, 'items_sku_concurrently');
    writeHistory(p.migrationsDir, 'postgresql', [
      [TABLE, TABLE_SQL],
      [index, 'CREATE INDEX CONCURRENTLY "items_sku_idx" ON "items"("sku");\n'],
    ]);

    const run = await cli(p, ['deploy', '--json']);

    expect(run.code, describeRun(run)).toBe(0);
    expect(jsonOf<{ applied: { name: string }[] }>(run).applied.map((m) => m.name)).toEqual([TABLE, index]);
    expect(await p.db.query(`SELECT i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 'items_sku_idx'`)).toEqual([{ valid: true }]);
    // Both finished, neither with logs (the CONCURRENTLY one's row was written before it ran alone).
    expect((await migrationRows(p.db)).map((r) => [r.finished, r.logs])).toEqual([
      [true, null],
      [true, null],
    ]);
  });

  test('a migration mixing CREATE INDEX CONCURRENTLY with other statements fails with P3018 naming it and PostgreSQL\'s reason, and leaves nothing of itself behind', async () => {
    const p = await project();
    const mixed = migrationName(2, 'orders_and_concurrent_index');
    writeHistory(p.migrationsDir, 'postgresql', [
      [TABLE, TABLE_SQL],
      [mixed, 'CREATE TABLE "orders" ("id" INTEGER NOT NULL PRIMARY KEY, "ref" TEXT NOT NULL);\nCREATE INDEX CONCURRENTLY "orders_ref_idx" ON "orders"("ref");\n'],
    ]);

    const run = await cli(p, ['deploy']);

    expect(run.code, describeRun(run)).toBe(1);
    expect(run.stderr).toContain('Error: P3018');
    expect(run.stderr).toContain(`Migration name: ${mixed}`);
    expect(run.stderr).toContain('CREATE INDEX CONCURRENTLY cannot run inside a transaction block');
    expect(run.stderr).toContain(`resolve --rolled-back ${mixed}`);
    // Nothing of the failed migration: the CREATE TABLE before the index was rolled back with it.
    expect(await tableNames(p.db)).toEqual(['_prisma_migrations', 'items']);
    expect(await indexNames(p.db)).not.toContain('orders_ref_idx');
    const rows = await migrationRows(p.db);
    expect(rows.map((r) => [r.name, r.finished])).toEqual([
      [TABLE, true],
      [mixed, false],
    ]);
    expect(rows[1]!.logs).toContain('CREATE INDEX CONCURRENTLY cannot run inside a transaction block');

    const status = await cli(p, ['status']);
    expect(status.code, describeRun(status)).toBe(1);
    expect(status.stdout).toContain(`Following migration have failed:\n${mixed}`);

    // The remedy: mark it rolled back, move the index into a migration of its own, deploy.
    const resolved = await cli(p, ['resolve', '--rolled-back', mixed]);
    expect(resolved.code, describeRun(resolved)).toBe(0);
    writeText(join(p.migrationsDir, mixed, 'migration.sql'), 'CREATE TABLE "orders" ("id" INTEGER NOT NULL PRIMARY KEY, "ref" TEXT NOT NULL);\n');
    const index = migrationName(3, 'orders_ref_concurrently');
    writeText(join(p.migrationsDir, index, 'migration.sql'), 'CREATE INDEX CONCURRENTLY "orders_ref_idx" ON "orders"("ref");\n');
    const fixed = await cli(p, ['deploy', '--json']);
    expect(fixed.code, describeRun(fixed)).toBe(0);
    expect(jsonOf<{ applied: { name: string }[] }>(fixed).applied.map((m) => m.name)).toEqual([mixed, index]);
    expect(await indexNames(p.db)).toContain('orders_ref_idx');
  });
});
