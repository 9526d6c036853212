/**
 * Issue 10: `migrate-kit dev --name x` SIGKILLed at each of its steps, then `status` and the next
 * `dev` must tell the truth and recover without a reset.
 *
 * The steps of a dev that creates and applies a migration: write `<migrations>/<ts>_x/migration.sql`,
 * INSERT the migration's `_prisma_migrations` row (started, with migrate-core's interrupted marker
 * in its logs), run the script (one implicit transaction on PostgreSQL, which also finishes the
 * row), exit. Kill points:
 * - file: as soon as the migration folder appears;
 * - started: as soon as the row is there;
 * - script: while the script waits for a table lock a second client holds (the schema change adds
 *   an index on that table); after the kill the waiting backend is either ended (`terminated`: the
 *   script never commits, as when the server or a pooler drops it) or let through (`released`:
 *   PostgreSQL runs the query to its end without its client, so the migration commits);
 * - finished: as soon as the row is finished, before the process exits.
 * A kill may land a step later than aimed (dev is fast); what is asserted follows what the
 * database and the folder hold after the kill, and the log line counts where kills landed.
 *
 * The truth, after each kill: the new migration is `applied` in `status --json` exactly when its
 * row is finished (and then its index exists); `interrupted` when its row is unfinished (never
 * `failed`, and no human output advises `resolve --applied` for it); `pending` when it has no row.
 * The next `dev --name again` exits 0 (never MK_RESET_REQUIRED), and afterwards every migration has
 * exactly one finished, not rolled-back row, the index exists once, and `status` exits 0.
 * SQLite (no server to stall): kill on the folder appearing and on the row finishing.
 * The project has migrations/migrate-kit.sum (written by `hash` first): after every kill it still
 * lists every migration status reports, or the next dev records the one an interrupted dev left out.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, test } from 'vitest';
import { type CliRun, describeRun, jsonOf, runCli, spawnCli } from './helpers/cli.js';
import { indexNames, type MigrationRow, migrationRows, POSTGRES_SERVER_URL, type Provider, withPostgres } from './helpers/databases.js';
import { migrationName, writeHistory } from './helpers/history.js';
import { FULL, SIZES } from './helpers/mode.js';
import { createPrismaProject, type PrismaProject } from './helpers/project.js';

const INIT = migrationName(1, 'init');
const INIT_SQL = 'CREATE TABLE "Item" ("id" INTEGER NOT NULL PRIMARY KEY, "v" TEXT NOT NULL);\n';
const MODELS_BEFORE = 'model Item {\n  id Int    @id\n  v  String\n}';
const MODELS_AFTER = 'model Item {\n  id Int    @id\n  v  String\n\n  @@index([v])\n}';
const INDEX = 'Item_v_idx';

type KillPoint = 'file' | 'started' | 'script-terminated' | 'script-released' | 'finished';
/** Quick: the kill point that leaves an unfinished row (PostgreSQL) or a folder alone (SQLite); full: every point. */
const POINTS: Record<Provider, KillPoint[]> = FULL
  ? { postgresql: ['file', 'started', 'script-terminated', 'script-released', 'finished'], sqlite: ['file', 'finished'] }
  : { postgresql: ['script-terminated'], sqlite: ['file'] };

interface StatusJson {
  migrations: { name: string; state: string }[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The folder dev created for the new migration, if any. */
function newFolder(project: PrismaProject): string | undefined {
  if (!existsSync(project.migrationsDir)) return undefined;
  return readdirSync(project.migrationsDir).find((f) => f.endsWith('_x'));
}

/** Until every session on the database but `keep` has ended (a killed client's backend may run on). */
async function untilOnly(db: string, keep: number | undefined): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const n = await withPostgres(POSTGRES_SERVER_URL, async (c) => (await c.query('SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> $2', [db, keep ?? 0])).rows.length);
    if (n === 0) return;
    if (Date.now() > deadline) throw new Error(`sessions on ${db} still alive 60 s after the kill`);
    await sleep(20);
  }
}

/** Polls `condition` every few ms until it holds or the dev process ended; true when it held. */
async function until(condition: () => Promise<boolean> | boolean, ended: () => boolean): Promise<boolean> {
  while (!ended()) {
    if (await condition()) return true;
    await sleep(3);
  }
  return false;
}

async function killDevAt(project: PrismaProject, point: KillPoint): Promise<{ run: CliRun; landed: string }> {
  const pgUrl = project.provider === 'postgresql' ? project.db.url : undefined;
  let holder: pg.Client | undefined;
  let holderPid: number | undefined;
  let watcher: pg.Client | undefined;
  try {
    if (pgUrl) {
      watcher = new pg.Client({ connectionString: pgUrl });
      await watcher.connect();
    }
    if (point.startsWith('script')) {
      // A transaction holding ROW EXCLUSIVE on the table: CREATE INDEX (SHARE) waits for it.
      holder = new pg.Client({ connectionString: pgUrl, application_name: 'reliability-table-lock' });
      await holder.connect();
      holder.on('error', () => undefined);
      await holder.query('BEGIN; LOCK TABLE "Item" IN ROW EXCLUSIVE MODE');
      holderPid = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    }
    const dev = spawnCli('migrate-kit', ['dev', '--name', 'x'], { cwd: project.dir, env: { DATABASE_URL: project.db.url, MIGRATE_KIT_HISTORY_CACHE: 'off' } });
    let ended = false;
    const exited = dev.exited.then((r) => {
      ended = true;
      return r;
    });
    const rowOf = async () => {
      if (!watcher) return (await migrationRows(project.db)).find((r) => r.name.endsWith('_x'));
      const table = await watcher.query(`SELECT to_regclass('_prisma_migrations') AS t`);
      if (!table.rows[0].t) return undefined;
      const r = await watcher.query<{ finished: boolean }>(`SELECT finished_at IS NOT NULL AS finished FROM _prisma_migrations WHERE migration_name LIKE '%\\_x'`);
      return r.rows[0] ? { finished: r.rows[0].finished } : undefined;
    };
    let reached = false;
    if (point === 'file') reached = await until(() => newFolder(project) !== undefined, () => ended);
    else if (point === 'started') reached = await until(async () => (await rowOf()) !== undefined, () => ended);
    else if (point === 'finished') reached = await until(async () => (await rowOf())?.finished === true, () => ended);
    else
      reached = await until(
        async () => (await watcher!.query(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%CREATE INDEX%'`)).rows.length > 0,
        () => ended,
      );
    if (!ended) dev.child.kill('SIGKILL');
    const run = await exited;
    if (point === 'script-terminated') {
      await watcher!.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%CREATE INDEX%'`);
    }
    if (holder) {
      await holder.query('ROLLBACK').catch(() => undefined);
    }
    await watcher?.end();
    watcher = undefined;
    if (pgUrl) await untilOnly(project.db.name, holderPid);
    return { run, landed: run.signal === 'SIGKILL' ? (reached ? point : `${point} (not seen before kill)`) : 'exited before the kill' };
  } finally {
    await watcher?.end().catch(() => undefined);
    await holder?.end().catch(() => undefined);
  }
}

describe.each(['postgresql', 'sqlite'] as Provider[])('%s', (provider) => {
  test(`SIGKILL of dev --name x at each step (${POINTS[provider].join(', ')}), ${SIZES.devCrashRepeats} time(s) each: status tells the truth and the next dev recovers without a reset`, async () => {
    const landed: Record<string, number> = {};
    for (let repeat = 1; repeat <= SIZES.devCrashRepeats; repeat++) {
      for (const point of POINTS[provider]) {
        const project = await createPrismaProject(provider, { models: MODELS_BEFORE });
        const cli = (args: string[]) => runCli('migrate-kit', args, { cwd: project.dir, env: { DATABASE_URL: project.db.url, MIGRATE_KIT_HISTORY_CACHE: 'off' } });
        try {
          writeHistory(project.migrationsDir, provider, [[INIT, INIT_SQL]]);
          const deployed = await cli(['deploy']);
          expect(deployed.code, describeRun(deployed)).toBe(0);
          // The project has an integrity file, as every project whose migrations dev wrote: a kill
          // between the folder's rename and its line in migrate-kit.sum must not leave it unlisted for good.
          const hashed = await cli(['hash']);
          expect(hashed.code, describeRun(hashed)).toBe(0);
          project.setModels(MODELS_AFTER);

          const { run, landed: where } = await killDevAt(project, point);
          const context = `${provider}, kill at ${point}, repeat ${repeat}: ${where}\n${describeRun(run)}`;
          expect(run.timedOut, context).toBe(false);
          if (run.signal !== 'SIGKILL') expect(run.code, context).toBe(0);

          const folder = newFolder(project);
          const rows = await migrationRows(project.db);
          const row: MigrationRow | undefined = rows.find((r) => r.name === folder);
          const hasIndex = (await indexNames(project.db)).includes(INDEX);
          const left = !folder ? 'no folder' : !existsSync(join(project.migrationsDir, folder, 'migration.sql')) ? 'empty folder' : !row ? 'folder, no row' : row.finished ? 'finished row' : 'unfinished row';
          landed[`${where} -> ${left}`] = (landed[`${where} -> ${left}`] ?? 0) + 1;
          const what = `${context}\nfolder ${folder}, rows ${JSON.stringify(rows)}, index ${hasIndex}`;
          // Finding 13 (README, fixed): dev writes a migration's folder whole (under a temporary
          // name beside the migrations folder, then renamed), so a kill never leaves a folder
          // without its migration.sql (which would stop every later command with P3015).
          expect(left, what).not.toBe('empty folder');
          // Nothing finished on paper that is not in the database, and nothing in it without a finished row.
          expect(hasIndex, what).toBe(row?.finished === true);
          if (row) expect(folder, what).toBeDefined();

          const status = await cli(['status', '--json']);
          expect(status.timedOut, what).toBe(false);
          const statusWhat = `${what}\n${describeRun(status)}`;
          const listed = jsonOf<StatusJson>(status).migrations;
          expect(listed, statusWhat).toBeDefined();
          const states = Object.fromEntries(listed.map((m) => [m.name, m.state]));
          expect(states[INIT], statusWhat).toBe('applied');
          if (folder && existsSync(join(project.migrationsDir, folder, 'migration.sql'))) {
            const expected = row?.finished ? 'applied' : row ? 'interrupted' : 'pending';
            expect(states[folder], statusWhat).toBe(expected);
            expect(status.code, statusWhat).toBe(expected === 'applied' ? 0 : 1);
          }
          const human = await cli(['status']);
          expect(human.stdout + human.stderr, `${what}\n${describeRun(human)}`).not.toContain('--applied');

          const next = await cli(['dev', '--name', 'again']);
          const nextWhat = `${what}\n${describeRun(next)}`;
          expect(next.timedOut, nextWhat).toBe(false);
          expect(next.code, nextWhat).toBe(0);
          expect(next.stdout + next.stderr, nextWhat).not.toContain('MK_RESET_REQUIRED');
          expect(next.stdout + next.stderr, nextWhat).not.toContain('reset');

          const after = await migrationRows(project.db);
          const finished = after.filter((r) => r.finished && !r.rolledBack).map((r) => r.name);
          expect(new Set(finished).size, nextWhat).toBe(finished.length);
          expect(after.filter((r) => !r.finished && !r.rolledBack), nextWhat).toEqual([]);
          expect(finished[0], nextWhat).toBe(INIT);
          // The index was created exactly once, by one finished migration (x, or `again` when x's folder was empty).
          expect(finished.length, nextWhat).toBe(2);
          expect((await indexNames(project.db)).filter((n) => n === INDEX), nextWhat).toEqual([INDEX]);
          const final = await cli(['status']);
          expect(final.code, `${nextWhat}\n${describeRun(final)}`).toBe(0);
        } finally {
          await project.cleanup();
        }
      }
    }
    console.log(`[dev-crash] ${provider}: where the kills landed ${JSON.stringify(landed)}`);
  });
});
