/**
 * A migration that exhausts PostgreSQL's lock table (`out of shared memory`, SQLSTATE 53200, what a
 * 2,000-model migration meets with the default max_locks_per_transaction) is a failed migration as
 * any other (issue 10 items 5 and 14): P3018 with PostgreSQL's message and hint, its failure recorded
 * in `_prisma_migrations.logs` in place of the interrupted marker, and the next deploy stops at P3009
 * instead of taking it for an interrupted migration and retrying it.
 *
 * Here, not in migrate-core's tests: exhausting the lock table fails whatever else runs on the server
 * at that moment, and this suite runs its files one at a time (vitest.config.ts).
 */
import { INTERRUPTED_MIGRATION_LOGS } from '@migrate-kit/migrate-core';
import { afterAll, describe, expect, test } from 'vitest';
import { describeRun, jsonOf, output, runCli } from './helpers/cli.js';
import { migrationRows } from './helpers/databases.js';
import { migrationName, writeHistory } from './helpers/history.js';
import { createPrismaProject, type PrismaProject } from './helpers/project.js';

const EXHAUST = 'SELECT count(pg_advisory_xact_lock(i)) FROM generate_series(1, 200000) i;\n';

describe('a migration that runs out of shared memory on PostgreSQL', () => {
  const projects: PrismaProject[] = [];
  afterAll(async () => {
    for (const p of projects) await p.cleanup();
  });

  test('fails as P3018 with the SQLSTATE and hint, is recorded as failed (never interrupted), and the next deploy stops at P3009', async () => {
    const project = await createPrismaProject('postgresql');
    projects.push(project);
    const create = migrationName(1, 'create');
    const exhaust = migrationName(2, 'exhaust');
    writeHistory(project.migrationsDir, 'postgresql', [
      [create, 'CREATE TABLE "A" ("id" INTEGER PRIMARY KEY);\n'],
      [exhaust, EXHAUST],
    ]);
    const args = ['--schema', project.schemaPath];
    const env = { DATABASE_URL: project.db.url };

    const first = await runCli('migrate-kit', ['deploy', '--json', ...args], { cwd: project.dir, env });
    expect(first.code, describeRun(first)).toBe(1);
    const error = jsonOf(first).error as { code: string; message: string; migrationName?: string; databaseErrorCode?: string };
    expect(error, describeRun(first)).toMatchObject({ code: 'P3018', migrationName: exhaust, databaseErrorCode: '53200' });
    expect(error.message).toContain('out of shared memory');
    expect(error.message).toContain('max_locks_per_transaction');

    const rows = await migrationRows(project.db);
    const failed = rows.filter((r) => r.name === exhaust);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ finished: false, rolledBack: false });
    expect(failed[0]!.logs).not.toBe(INTERRUPTED_MIGRATION_LOGS);
    expect(failed[0]!.logs).toContain('out of shared memory');

    const next = await runCli('migrate-kit', ['deploy', ...args], { cwd: project.dir, env });
    expect(next.code, describeRun(next)).toBe(1);
    expect(output(next)).toContain('P3009');
    expect(output(next)).toContain(exhaust);
    // Nothing was retried: still one row for it.
    expect((await migrationRows(project.db)).filter((r) => r.name === exhaust)).toHaveLength(1);
  });
});
