/**
 * A deploy killed half way on PostgreSQL: each migration's row (started and finished) is written in
 * its script's transaction (engine/adapters/postgres-migration-transaction.ts), so a kill leaves a
 * migration applied and recorded, or neither, and the next deploy finishes the job without `resolve`.
 * Real processes (the built bin), SIGKILL, the real server.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { INTERRUPTED_MIGRATION_LOGS } from '../src/engine/adapters/postgres-migration-transaction.js';
import { deploy } from '../src/index.js';
import { jsonOf, laterMigrationName, migrationRows, projectsFor, sha256, tableNames, writeMigrationByHand } from './helpers/lifecycle.js';
import { BIN, type TestProject } from './helpers/project.js';

const newProject = projectsFor('postgresql');

/** Starts `deploy`, waits until the server runs the statement `marker` names, SIGKILLs the process and ends its session. */
async function killDeployDuring(project: TestProject, marker: string): Promise<void> {
  const child = spawn(process.execPath, [BIN, 'deploy'], { cwd: project.dir, env: { ...process.env, DATABASE_URL: project.url }, stdio: 'ignore' });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const backend = await waitFor(async () => {
    const rows = await project.query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%${marker}%' AND pid <> pg_backend_pid()`);
    return rows[0]?.pid as number | undefined;
  });
  child.kill('SIGKILL');
  await exited;
  // The server goes on with a query whose client died until the query ends; end it the way a
  // restart or a timeout would, and wait until its session (and the migration lock) is gone.
  await project.query(`SELECT pg_terminate_backend(${backend})`);
  await waitFor(async () => ((await project.query(`SELECT 1 FROM pg_stat_activity WHERE pid = ${backend}`)).length === 0 ? true : undefined));
}

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('deploy on PostgreSQL, killed half way', () => {
  it('records a migration and its finish in one transaction: the finished row and the script share a transaction id', async () => {
    const project = await newProject();
    const name = laterMigrationName(1, 'create_a');
    writeMigrationByHand(project, name, 'CREATE TABLE "A" ("id" INTEGER PRIMARY KEY);\nINSERT INTO "A" VALUES (1);\n-- a trailing comment without a newline');

    await deploy(project.source());

    const [row] = await project.query(`SELECT xmin::text AS xid, logs, applied_steps_count, finished_at IS NOT NULL AS finished FROM "_prisma_migrations"`);
    const [data] = await project.query(`SELECT xmin::text AS xid FROM "A"`);
    expect(row).toEqual({ xid: data?.xid, logs: null, applied_steps_count: 1, finished: true });
  });

  it('a migration killed before it committed leaves nothing of it, not even its row; the next deploy applies it', async () => {
    const project = await newProject();
    const first = laterMigrationName(1, 'create_a');
    const second = laterMigrationName(2, 'slow_b');
    const third = laterMigrationName(3, 'create_c');
    writeMigrationByHand(project, first, 'CREATE TABLE "A" ("id" INTEGER PRIMARY KEY);\n');
    writeMigrationByHand(project, second, 'CREATE TABLE "B" ("id" INTEGER PRIMARY KEY);\nSELECT pg_sleep(60) AS slow_b_marker;\n');
    writeMigrationByHand(project, third, 'CREATE TABLE "C" ("id" INTEGER PRIMARY KEY);\n');

    await killDeployDuring(project, 'slow_b_marker');

    // What the kill left: the first applied; of the second, neither its table nor its row (the row is written in its transaction).
    expect(await tableNames(project)).toEqual(['A', '_prisma_migrations']);
    expect((await migrationRows(project)).map((r) => [r.migration_name, r.finished, r.logs])).toEqual([[first, true, null]]);
    const status = await project.cli(['status', '--json']);
    expect(jsonOf<{ migrations: { name: string; state: string }[] }>(status).migrations.map((m) => m.state)).toEqual(['applied', 'pending', 'pending']);

    writeMigrationByHand(project, second, 'CREATE TABLE "B" ("id" INTEGER PRIMARY KEY);\n');
    const rerun = await project.cli(['deploy']);

    expect(rerun.code).toBe(0);
    expect(rerun.stderr).not.toContain('interrupted');
    expect(rerun.stdout).toContain('All migrations have been successfully applied.');
    expect(await tableNames(project)).toEqual(['A', 'B', 'C', '_prisma_migrations']);
    const rows = await migrationRows(project);
    expect(rows.map((r) => [r.migration_name, r.finished, r.rolledBack])).toEqual([
      [first, true, false],
      [second, true, false],
      [third, true, false],
    ]);
    expect((await project.cli(['status'])).code).toBe(0);
  });

  it('a started row an earlier migrate-kit left with the interrupted marker is marked rolled back by the next deploy, which applies the migration again', async () => {
    const project = await newProject();
    const first = laterMigrationName(1, 'create_a');
    const script = 'CREATE TABLE "B" ("id" INTEGER PRIMARY KEY);\n';
    const second = laterMigrationName(2, 'create_b');
    writeMigrationByHand(project, first, 'CREATE TABLE "A" ("id" INTEGER PRIMARY KEY);\n');
    await deploy(project.source());
    writeMigrationByHand(project, second, script);
    await project.query(
      `INSERT INTO "_prisma_migrations" ("id", "checksum", "started_at", "migration_name", "logs") VALUES (gen_random_uuid()::text, '${sha256(script)}', now(), '${second}', '${INTERRUPTED_MIGRATION_LOGS.replace(/'/g, "''")}')`,
    );

    const rerun = await project.cli(['deploy']);

    expect(rerun.code).toBe(0);
    expect(rerun.stderr).toContain(`The migration \`${second}\` was interrupted`);
    expect((await migrationRows(project)).map((r) => [r.migration_name, r.finished, r.rolledBack])).toEqual([
      [first, true, false],
      [second, false, true],
      [second, true, false],
    ]);
    expect((await project.cli(['status'])).code).toBe(0);
  });

  it('a migration that committed part of itself (its own COMMIT) before the kill stops the next deploy with P3009, as Prisma does', async () => {
    const project = await newProject();
    const name = laterMigrationName(1, 'two_transactions');
    writeMigrationByHand(project, name, 'BEGIN;\nCREATE TABLE "A" ("id" INTEGER PRIMARY KEY);\nCOMMIT;\nSELECT pg_sleep(60) AS two_transactions_marker;\nCREATE TABLE "B" ("id" INTEGER PRIMARY KEY);\n');

    await killDeployDuring(project, 'two_transactions_marker');

    expect(await tableNames(project)).toEqual(['A', '_prisma_migrations']);
    expect((await migrationRows(project)).map((r) => [r.finished, r.rolledBack, r.logs])).toEqual([[false, false, null]]);
    const rerun = await project.cli(['deploy']);
    expect(rerun.code).toBe(1);
    expect(rerun.stderr).toContain('P3009');
    expect(await tableNames(project)).toEqual(['A', '_prisma_migrations']);
  });

  it('a single-statement migration PostgreSQL refuses inside a transaction (CREATE INDEX CONCURRENTLY) runs alone, as Prisma runs it', async () => {
    const project = await newProject();
    const table = laterMigrationName(1, 'create_a');
    const index = laterMigrationName(2, 'index_a');
    writeMigrationByHand(project, table, 'CREATE TABLE "A" ("id" INTEGER PRIMARY KEY, "n" INTEGER);\n');
    writeMigrationByHand(project, index, 'CREATE INDEX CONCURRENTLY "A_n_idx" ON "A" ("n");\n');

    const result = await deploy(project.source());

    expect(result.applied.map((m) => m.name)).toEqual([table, index]);
    expect(await project.query(`SELECT indisvalid FROM pg_index WHERE indexrelid = '"A_n_idx"'::regclass`)).toEqual([{ indisvalid: true }]);
    expect((await migrationRows(project)).map((r) => [r.finished, r.logs, r.applied_steps_count])).toEqual([
      [true, null, 1],
      [true, null, 1],
    ]);
  });

  it('a failing script is a failed migration with the error in its logs (P3018, then P3009), never re-applied on its own', async () => {
    const project = await newProject();
    const name = laterMigrationName(1, 'broken');
    writeMigrationByHand(project, name, 'CREATE TABLE "A" ("id" INTEGER PRIMARY KEY);\nSELECT * FROM "missing";\n');

    const first = await project.cli(['deploy']);
    const second = await project.cli(['deploy']);

    expect(first.code).toBe(1);
    expect(first.stderr).toContain('P3018');
    expect(second.stderr).toContain('P3009');
    const [row] = await migrationRows(project);
    expect(row?.finished).toBe(false);
    expect(row?.logs).toContain('missing');
    expect(await tableNames(project)).toEqual(['_prisma_migrations']);
  });
});
