/**
 * A migration interrupted or still running, read by every verb (PostgreSQL): a `dev` SIGKILLed
 * while its new migration runs leaves it pending (its row is written in its script's transaction:
 * never failed, never `--applied`), and the next `dev` applies it without a reset; a migration a
 * live `deploy` is applying is pending, not failed; a started row an earlier migrate-kit left with
 * the interrupted marker is applied again. Real processes (the built bin), SIGKILL, the real server.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { INTERRUPTED_MIGRATION_LOGS } from '../src/engine/adapters/postgres-migration-transaction.js';
import { applyDevelopment, deploy } from '../src/index.js';
import { columnNames, jsonOf, laterMigrationName, migrationRows, projectsFor, sha256, USER_WITH_NAME, writeMigrationByHand } from './helpers/lifecycle.js';
import { BIN, type CliRun, type TestProject } from './helpers/project.js';

const newProject = projectsFor('postgresql');

describe('an interrupted migration, read by every verb', () => {
  it('a dev killed while its new migration runs: status says pending (text and JSON), never --applied or failed, the next dev applies it without a reset', async () => {
    const project = await newProject();
    expect((await project.cli(['dev', '--name', 'init'])).code).toBe(0);
    project.setModels(USER_WITH_NAME);

    // The new migration's ALTER TABLE waits for this lock: the file is written, its script has not committed.
    const blocker = await holdTableLock(project, 'User');
    const dev = startCli(project, ['dev', '--name', 'add_name']);
    const backend = await waitForBlockedQuery(project, 'ADD COLUMN');
    await killAndEndSession(project, dev, backend);
    await blocker.end();

    // Its migration file is written; nothing of its script committed, and so neither did its row.
    const added = readdirSync(project.migrationsDir).filter((n) => n.endsWith('_add_name'))[0];
    expect(added).toBeDefined();
    expect(existsSync(join(project.migrationsDir, added!, 'migration.sql'))).toBe(true);
    const [init] = (await migrationRows(project)).map((r) => r.migration_name);
    expect((await migrationRows(project)).map((r) => [r.migration_name, r.finished, r.logs])).toEqual([[init, true, null]]);
    expect(await columnNames(project, 'User')).not.toContain('name');

    const status = await project.cli(['status']);
    expect(status.code).toBe(1);
    expect(status.stdout).toContain('have not yet been applied');
    expect(status.stdout).toContain(added);
    expect(status.stdout).not.toContain('--applied');
    expect(status.stdout).not.toContain('have failed');
    expect(status.stdout).not.toContain('A migration command is running');
    const json = jsonOf<{ migrations: { name: string; state: string }[] }>(await project.cli(['status', '--json']));
    expect(json.migrations).toEqual([
      { name: init, state: 'applied' },
      { name: added, state: 'pending' },
    ]);

    const again = await project.cli(['dev']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(added);
    expect(`${again.stdout}${again.stderr}`).not.toContain('reset');
    expect(await columnNames(project, 'User')).toContain('name');
    expect((await migrationRows(project)).map((r) => [r.migration_name, r.finished, r.rolledBack])).toEqual([
      [init, true, false],
      [added, true, false],
    ]);
    expect((await project.cli(['status'])).code).toBe(0);
  }, 240_000);

  it('while a deploy applies a slow migration, status says it is pending (never failed) while a migration command runs, and dev waits for it, then goes on without a reset', async () => {
    const project = await newProject();
    const create = laterMigrationName(1, 'create_a');
    const alter = laterMigrationName(2, 'alter_a');
    project.setModels('model A {\n  id Int @id\n  x  Int?\n}');
    writeMigrationByHand(project, create, 'CREATE TABLE "A" ("id" INTEGER NOT NULL,\n    CONSTRAINT "A_pkey" PRIMARY KEY ("id")\n);\n');
    expect((await project.cli(['deploy'])).code).toBe(0);
    writeMigrationByHand(project, alter, 'ALTER TABLE "A" ADD COLUMN "x" INTEGER;\n');

    const blocker = await holdTableLock(project, 'A');
    const deploy = startCli(project, ['deploy']);
    const deployed = exitOf(deploy);
    await waitForBlockedQuery(project, 'ADD COLUMN "x"');

    const status = await project.cli(['status', '--json']);
    expect(status.code).toBe(1);
    // Nothing of it has committed (its row is written in its transaction): pending, never failed.
    expect(jsonOf<{ migrations: { name: string; state: string }[] }>(status).migrations).toEqual([
      { name: create, state: 'applied' },
      { name: alter, state: 'pending' },
    ]);
    expect(jsonOf<{ migrationLockHeld?: boolean }>(status).migrationLockHeld).toBe(true);
    const text = await project.cli(['status']);
    expect(text.stdout).toContain('A migration command is running right now (another process holds the migration lock): it may be applying it.');
    expect(text.stdout).not.toContain('--applied');
    expect(text.stdout).not.toContain('have failed');

    const dev = startCli(project, ['dev']);
    const devRun = outputOf(dev);
    // dev waits for the migration lock the deploy holds (it polls, and says so after a second).
    await stderrSays(dev, 'Waiting for the migration lock');
    await blocker.end();

    expect(await deployed).toBe(0);
    const devResult = await devRun;
    expect(devResult.code, devResult.stderr).toBe(0);
    expect(`${devResult.stdout}${devResult.stderr}`).not.toContain('reset');
    expect((await migrationRows(project)).map((r) => [r.migration_name, r.finished, r.rolledBack])).toEqual([
      [create, true, false],
      [alter, true, false],
    ]);
  }, 240_000);
});

describe("Keystone's apply (applyDevelopment)", () => {
  it('recovers an interrupted migration as deploy does: marked rolled back, applied again, no reset', async () => {
    const project = await newProject();
    const create = laterMigrationName(1, 'create_a');
    const alter = laterMigrationName(2, 'alter_a');
    project.setModels('model A {\n  id Int @id\n  x  Int?\n}');
    writeMigrationByHand(project, create, 'CREATE TABLE "A" ("id" INTEGER NOT NULL,\n    CONSTRAINT "A_pkey" PRIMARY KEY ("id")\n);\n');
    await deploy(project.source());
    const script = 'ALTER TABLE "A" ADD COLUMN "x" INTEGER;\n';
    writeMigrationByHand(project, alter, script);
    // What a process killed before the script committed leaves: the started row with the marker, nothing of the script.
    await project.query(
      `INSERT INTO "_prisma_migrations" ("id", "checksum", "started_at", "migration_name", "logs") VALUES (gen_random_uuid()::text, '${sha256(script)}', now(), '${alter}', '${INTERRUPTED_MIGRATION_LOGS.replace(/'/g, "''")}')`,
    );

    const result = await applyDevelopment(project.source());

    expect(result.resetReason).toBeUndefined();
    expect(result.interruptedRolledBack).toEqual([alter]);
    expect(result.applied.map((m) => m.name)).toEqual([alter]);
    expect(await columnNames(project, 'A')).toEqual(['id', 'x']);
  });
});

function startCli(project: TestProject, args: string[]): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], { cwd: project.dir, env: { ...process.env, DATABASE_URL: project.url }, stdio: ['ignore', 'pipe', 'pipe'] });
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

function outputOf(child: ChildProcess): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => {
    stdout += d;
  });
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr } as CliRun)));
}

/** A session of the test holding a lock on a table that any ALTER TABLE waits for (reads do not), until `end()`. */
async function holdTableLock(project: TestProject, table: string): Promise<{ end(): Promise<void> }> {
  const client = new pg.Client({ connectionString: project.url });
  client.on('error', () => undefined); // ended by the database's cleanup when a test fails
  await client.connect();
  await client.query(`BEGIN; LOCK TABLE "${table}" IN ACCESS SHARE MODE`);
  return {
    async end() {
      await client.query('ROLLBACK').catch(() => undefined);
      await client.end();
    },
  };
}

/** The backend of another session whose query contains `fragment` and waits for a lock. */
async function waitForBlockedQuery(project: TestProject, fragment: string): Promise<number> {
  return waitFor(async () => {
    const rows = await project.query(
      `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND position('${fragment.replace(/'/g, "''")}' in query) > 0 AND pid <> pg_backend_pid()`,
    );
    return rows[0]?.pid as number | undefined;
  });
}

/** SIGKILLs the CLI, then ends its server session the way a restart or a timeout would, and waits until it is gone. */
async function killAndEndSession(project: TestProject, child: ChildProcess, backend: number): Promise<void> {
  const exited = exitOf(child);
  child.kill('SIGKILL');
  await exited;
  await project.query(`SELECT pg_terminate_backend(${backend})`);
  await waitFor(async () => ((await project.query(`SELECT 1 FROM pg_stat_activity WHERE pid = ${backend}`)).length === 0 ? true : undefined));
}

/** Resolves once the child's stderr has said `text` (the child goes on running). */
function stderrSays(child: ChildProcess, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      if (!seen.includes(text)) return;
      child.stderr?.off('data', onData);
      resolve();
    };
    child.stderr?.on('data', onData);
    child.once('exit', () => reject(new Error(`exited before saying "${text}":\n${seen}`)));
  });
}

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}
