/**
 * Item 1, concurrency: 16 `deploy` processes started at once on one database (replicas booting
 * together, parallel CI jobs), round after round on a fresh database. Every migration must be
 * applied exactly once (one finished row each, no failed rows, every table there), every process
 * must exit 0 (those that waited say there was nothing left to do), and none may outlive the
 * bound. PostgreSQL serialises the processes with the engine's advisory lock, SQLite with the
 * exclusive lock migrate-core takes as the engine starts (engine/adapters/sqlite-lock.ts).
 */
import { describe, expect, test } from 'vitest';
import { describeRun, jsonOf, runCli } from './helpers/cli.js';
import { migrationRows, PROVIDERS, type Provider, tableNames } from './helpers/databases.js';
import { migrationName, writeHistory } from './helpers/history.js';
import { PROCESS_BOUND_MS, SIZES } from './helpers/mode.js';
import { createPrismaProject } from './helpers/project.js';

const { concurrencyRounds: ROUNDS, concurrencyProcesses: PROCESSES, concurrencyMigrations: MIGRATIONS } = SIZES;

/** Tables, an index, a foreign key and a data update per migration: what real histories hold. */
function history(count: number): [string, string][] {
  return Array.from({ length: count }, (_, i) => {
    const n = String(i + 1).padStart(3, '0');
    const parent = i === 0 ? '' : `,\n  "parent" INTEGER REFERENCES "t${String(i).padStart(3, '0')}"("id")`;
    return [
      migrationName(i + 1, `table_${n}`),
      `CREATE TABLE "t${n}" (\n  "id" INTEGER NOT NULL PRIMARY KEY,\n  "name" TEXT${parent}\n);\nCREATE INDEX "t${n}_name_idx" ON "t${n}"("name");\nINSERT INTO "t${n}" ("id", "name") VALUES (1, 'seed ${n}');\nUPDATE "t${n}" SET "name" = 'updated ${n}' WHERE "id" = 1;\n`,
    ];
  });
}

interface DeployJson {
  ok: boolean;
  found: number;
  applied: { name: string }[];
}

describe.each(PROVIDERS)('%s', (provider: Provider) => {
  const migrations = history(MIGRATIONS);
  const names = migrations.map(([name]) => name);

  test(`${PROCESSES} concurrent deploys of ${MIGRATIONS} migrations, ${ROUNDS} rounds: each migration applied exactly once, every process exits 0 (or P1002 after Prisma's 10 s lock wait) within ${PROCESS_BOUND_MS / 1000} s`, async () => {
    const stats = { rounds: 0, processes: 0, appliers: 0, waitersWithNothingToDo: 0, lockTimeouts: 0, slowestMs: 0 };
    for (let round = 1; round <= ROUNDS; round++) {
      const project = await createPrismaProject(provider);
      try {
        writeHistory(project.migrationsDir, provider, migrations);
        const runs = await Promise.all(
          Array.from({ length: PROCESSES }, () => runCli('migrate-kit', ['deploy', '--json'], { cwd: project.dir, env: { DATABASE_URL: project.db.url } })),
        );

        // All sixteen at a glance, for any assertion below that fails.
        const summary = runs
          .map((run, i) => `  #${i + 1}: exit ${run.code}${run.timedOut ? ' (timed out)' : ''} after ${Math.round(run.durationMs)} ms, ${run.code === 0 ? `applied ${jsonOf<DeployJson>(run).applied.length}` : (/"code": "(\w+)"/.exec(run.stdout)?.[1] ?? run.stderr.slice(0, 200))}`)
          .join('\n');
        const applied: string[] = [];
        for (const run of runs) {
          const context = `round ${round}, ${provider}\n${summary}\n${describeRun(run)}`;
          expect(run.timedOut, context).toBe(false);
          // A process that waits a second for another's migration lock says so, and by whom (PostgreSQL); nothing else.
          expect(run.stderr.replace(/^Waiting for the migration lock, held by PostgreSQL session \d+[ .].*\n/gm, ''), context).toBe('');
          // Prisma's lock timeout is 10 s (issue 10 item 6): sixteen deploys queued behind one another
          // may outlast it. Then the process ends with P1002 naming the holder, having changed nothing.
          if (run.code !== 0) {
            expect(run.code, context).toBe(1);
            expect(jsonOf(run).error, context).toMatchObject({ code: 'P1002' });
            expect(jsonOf(run).error?.message, context).toContain('held by PostgreSQL session');
            stats.lockTimeouts++;
            continue;
          }
          const body = jsonOf<DeployJson>(run);
          expect(body, context).toMatchObject({ ok: true, found: MIGRATIONS });
          applied.push(...body.applied.map((m) => m.name));
          // A process either applied migrations or waited and found nothing left: never a partial overlap.
          if (body.applied.length === 0) stats.waitersWithNothingToDo++;
          else stats.appliers++;
          stats.slowestMs = Math.max(stats.slowestMs, run.durationMs);
        }
        // Between them the processes applied every migration, none twice; the lock is held for a
        // whole deploy, so one process applied them all and the others found nothing left.
        expect([...applied].sort(), `round ${round}\n${summary}`).toEqual(names);
        expect(runs.filter((run) => run.code === 0 && jsonOf<DeployJson>(run).applied.length > 0), `round ${round}\n${summary}`).toHaveLength(1);
        // Whoever timed out runs again, as CI would: nothing is left to do.
        if (runs.some((run) => run.code !== 0)) {
          const again = await runCli('migrate-kit', ['deploy', '--json'], { cwd: project.dir, env: { DATABASE_URL: project.db.url } });
          expect(again.code, describeRun(again)).toBe(0);
          expect(jsonOf<DeployJson>(again).applied, describeRun(again)).toEqual([]);
        }

        const rows = await migrationRows(project.db);
        expect(rows.map((r) => r.name).sort(), `round ${round}: one row per migration`).toEqual(names);
        for (const row of rows) expect(row, `round ${round}`).toMatchObject({ finished: true, rolledBack: false, steps: 1, logs: null });
        const tables = (await tableNames(project.db)).filter((t) => /^t\d{3}$/.test(t));
        expect(tables, `round ${round}: every table`).toHaveLength(MIGRATIONS);
        const [last] = await project.db.query<{ name: string }>(`SELECT "name" FROM "t${String(MIGRATIONS).padStart(3, '0')}"`);
        expect(last?.name).toBe(`updated ${String(MIGRATIONS).padStart(3, '0')}`);
        stats.rounds++;
        stats.processes += runs.length;
      } finally {
        await project.cleanup();
      }
    }
    console.log(`[concurrency] ${provider}: ${JSON.stringify({ ...stats, slowestMs: Math.round(stats.slowestMs) })}`);
    expect(stats.rounds).toBe(ROUNDS);
  });
});
