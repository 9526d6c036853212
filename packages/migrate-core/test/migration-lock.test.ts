import { describeRun, jsonOf } from '@migrate-kit/test-support';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createMigration, openEngine, resolveConnection } from '../src/index.js';
import { laterMigrationName, migrationRows, projectsFor, writeMigrationByHand } from './helpers/lifecycle.js';
import { migrationList, NO_FILTER, spawnBin } from './helpers/engine.js';
import type { TestProject } from './helpers/project.js';

/** The key Prisma's engine takes with pg_advisory_lock to serialise migration commands. */
const MIGRATION_LOCK_KEY = 72707369;

/**
 * A session holding the migration lock on the project's database and doing nothing else: what a
 * crashed deploy leaves behind in a connection pool.
 */
async function holdLock(project: TestProject): Promise<{ pid: number; release(): Promise<void> }> {
  const client = new pg.Client({ connectionString: project.url, application_name: 'left-over-deploy' });
  await client.connect();
  await client.query(`SELECT pg_advisory_lock(${MIGRATION_LOCK_KEY})`);
  const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  return { pid: rows[0]!.pid, release: () => client.end() };
}

/** A project with one applied migration and one pending. */
async function projectWithPending(newProject: () => Promise<TestProject>): Promise<{ project: TestProject; pending: string }> {
  const project = await newProject();
  await createMigration(project.source(), { name: 'init' });
  const pending = laterMigrationName(1, 'pending');
  writeMigrationByHand(project, pending, 'CREATE TABLE "Pending" ("id" INTEGER NOT NULL PRIMARY KEY);\n');
  return { project, pending };
}

describe('the migration lock held by another session (PostgreSQL)', () => {
  const newProject = projectsFor('postgresql');
  const holders: { release(): Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(holders.splice(0).map((h) => h.release().catch(() => undefined)));
  });

  it('deploy, dev, reset and resolve --rolled-back each end with P1002 within ~10 s, naming the holder and the SQL that ends it, and change nothing', async () => {
    const { project, pending } = await projectWithPending(newProject);
    project.setModels('model User {\n  id Int @id @default(autoincrement())\n  email String @unique\n  name String?\n}');
    const rowsBefore = await migrationRows(project);
    const holder = await holdLock(project);
    holders.push(holder);

    const verbs = [['deploy'], ['dev', '--name', 'next'], ['reset', '--force'], ['resolve', '--rolled-back', pending]];
    // At once: each waits out the same 10 s.
    const runs = await Promise.all(verbs.map((args) => project.cli([...args, '--json'])));
    for (const [i, run] of runs.entries()) {
      const what = `${verbs[i]!.join(' ')}\n${describeRun(run)}`;
      expect(run.code, what).toBe(1);
      const json = jsonOf(run);
      expect(json.error?.code, what).toBe('P1002');
      // Prisma's 10 s (a little less for the engine's own request, whose timer must not fire first).
      expect((json.error as { waitedMs?: number }).waitedMs, what).toBeGreaterThanOrEqual(9_000);
      expect((json.error as { waitedMs?: number }).waitedMs, what).toBeLessThan(11_000);
      // ... and the whole run ends soon after (four runs start node and the engine at once here).
      expect(run.durationMs, what).toBeLessThan(30_000);
      expect(json.error?.message, what).toContain('Timed out trying to acquire a postgres advisory lock (SELECT pg_advisory_lock(72707369))');
      expect(json.error?.message, what).toContain(`PostgreSQL session ${holder.pid} (application "left-over-deploy"`);
      expect(json.error?.hint, what).toContain(`SELECT pg_terminate_backend(${holder.pid});`);
      expect((json.error as { lockHolder?: unknown }).lockHolder, what).toMatchObject({ pid: holder.pid, applicationName: 'left-over-deploy' });
      // Said on stderr while waiting; stdout holds the one JSON document only.
      expect(run.stderr, what).toContain(`Waiting for the migration lock, held by PostgreSQL session ${holder.pid} (application "left-over-deploy"`);
    }
    expect(await migrationRows(project)).toEqual(rowsBefore);
  });

  it('the human output names the holder on stderr while waiting and in the error', async () => {
    const { project } = await projectWithPending(newProject);
    const holder = await holdLock(project);
    holders.push(holder);

    const run = await project.cli(['deploy']);
    expect(run.code, describeRun(run)).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`Waiting for the migration lock, held by PostgreSQL session ${holder.pid} \\(application "left-over-deploy", client 127\\.0\\.0\\.1, user postgres, connected since \\d{4}-`));
    expect(run.stderr).toContain('Error: P1002');
    expect(run.stderr).toContain(`SELECT pg_terminate_backend(${holder.pid});`);
    expect(run.stdout).not.toContain('have been applied');
  });

  it('with PRISMA_SCHEMA_DISABLE_ADVISORY_LOCK=1 deploy proceeds without the lock; with it set to 0 the lock is waited for', async () => {
    const { project, pending } = await projectWithPending(newProject);
    const holder = await holdLock(project);
    holders.push(holder);

    const waited = await project.cli(['deploy', '--json'], { env: { PRISMA_SCHEMA_DISABLE_ADVISORY_LOCK: '0' } });
    expect(jsonOf(waited).error?.code, describeRun(waited)).toBe('P1002');

    const run = await project.cli(['deploy', '--json'], { env: { PRISMA_SCHEMA_DISABLE_ADVISORY_LOCK: '1' } });
    expect(run.code, describeRun(run)).toBe(0);
    expect(run.durationMs).toBeLessThan(9_000);
    expect(jsonOf(run)).toMatchObject({ ok: true, applied: [{ name: pending }] });
    expect((await migrationRows(project)).map((r) => [r.migration_name.endsWith('_init') ? 'init' : r.migration_name, r.finished])).toEqual([
      ['init', true],
      [pending, true],
    ]);
  });

  it('a lock released while a deploy waits is taken, and the deploy goes on', async () => {
    const { project, pending } = await projectWithPending(newProject);
    const holder = await holdLock(project);
    holders.push(holder);

    const deploying = spawnBin(['deploy', '--json'], { cwd: project.dir, env: { DATABASE_URL: project.url } });
    let stderr = '';
    deploying.child.stderr.on('data', (d) => {
      stderr += d;
      if (stderr.includes('Waiting for the migration lock')) void holder.release();
    });
    const run = await deploying.exited;
    expect(run.code, describeRun(run)).toBe(0);
    expect(jsonOf(run)).toMatchObject({ ok: true, applied: [{ name: pending }] });
    expect(run.stderr).toContain(`Waiting for the migration lock, held by PostgreSQL session ${holder.pid}`);
  });

  it('the lock is kept after a query the server refused (the engine keeps its one session)', async () => {
    const project = await newProject();
    const engine = await openEngine(resolveConnection(project.source()));
    try {
      await engine.holdMigrationLock();
      const holders = () =>
        project.query(
          `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid = ${MIGRATION_LOCK_KEY} AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        );
      const [before] = await holders();
      expect(before).toBeDefined();
      // A migration whose script the server refuses (P3018), then the engine's own bookkeeping.
      const failing = migrationList('postgresql', [['20200101000000_bad', 'CREATE TABLE "A" ("id" INTEGER);\nSELECT * FROM "no_such_table";\n']]);
      await expect(engine.applyMigrations({ migrationsList: failing, filters: NO_FILTER })).rejects.toMatchObject({ code: 'P3018' });
      expect(await holders()).toEqual([before]);
      expect((await migrationRows(project)).map((r) => [r.migration_name, r.finished])).toEqual([['20200101000000_bad', false]]);
    } finally {
      await engine.dispose();
    }
  });
});
