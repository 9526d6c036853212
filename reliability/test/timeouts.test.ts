/**
 * Issue 10, items 6-8: a migration lock someone else holds, and a server that accepts and never
 * answers, across the four CLIs and repeated. packages/migrate-core/test/migration-lock.test.ts
 * and timeouts.test.ts prove the messages of the generic CLI verb by verb (wait times, hint,
 * JSON fields); this file proves the bound holds through every CLI that takes the URL the same
 * way (DATABASE_URL), round after round, with all of a CLI's verbs running at once:
 * - lock: each of deploy, dev, reset --force, resolve --rolled-back ends with P1002 after
 *   waiting its ~10 s (never sooner: it did wait) and soon after, naming the holder's pid, and
 *   `_prisma_migrations` is unchanged;
 * - silent server: each verb that connects ends with P1001 within connect_timeout plus the start
 *   of a process, and no output shows the URL's password.
 */
import { SilentServer } from '@migrate-kit/test-support';
import pg from 'pg';
import { afterAll, describe, expect, test } from 'vitest';
import { type CliName, describeRun, output, runCli } from './helpers/cli.js';
import { type CaseProject, createCaseProject, KEYSTONE_USER_LIST } from './helpers/corpus.js';
import { migrationRows } from './helpers/databases.js';
import { FULL, SIZES } from './helpers/mode.js';

/** The key Prisma's engine takes with pg_advisory_lock to serialise migration commands. */
const MIGRATION_LOCK_KEY = 72707369;
/** Prisma's lock wait. */
const LOCK_WAIT_MS = 10_000;
/** The connect_timeout the silent-server runs carry. */
const CONNECT_TIMEOUT_S = 2;
/**
 * Slack on top of a bound: starting node, the CLI and (zen-migrate, keystone-migrate) its
 * framework, with all of a CLI's verbs starting at once on a 2-CPU machine other tests load.
 */
const START_SLACK_MS: Record<CliName, number> = { 'migrate-kit': 15_000, 'prisma-migrate': 15_000, 'zen-migrate': 30_000, 'keystone-migrate': 30_000 };

const CLIS: CliName[] = FULL ? ['migrate-kit', 'prisma-migrate', 'zen-migrate', 'keystone-migrate'] : ['migrate-kit'];
const INIT = '20200101000001_init';
const PENDING = '20200101000002_pending';

/** The verbs that take the migration lock, per CLI. */
function lockVerbs(cli: CliName): string[][] {
  switch (cli) {
    case 'migrate-kit':
      return [['deploy'], ['dev', '--name', 'next'], ['reset', '--force'], ['resolve', '--rolled-back', PENDING]];
    case 'prisma-migrate':
      return [['migrate', 'deploy'], ['migrate', 'dev', '--name', 'next'], ['migrate', 'reset', '--force'], ['migrate', 'resolve', '--rolled-back', PENDING]];
    case 'zen-migrate':
      return [['migrate', 'deploy'], ['migrate', 'dev', '--name', 'next'], ['migrate', 'reset', '--force', '--skip-seed'], ['migrate', 'resolve', '--rolled-back', PENDING]];
    case 'keystone-migrate':
      return [['deploy'], ['reset', '--force'], ['resolve', '--rolled-back', PENDING]];
  }
}

/** Every verb that connects, per CLI (diff: only where the CLI takes the database for a side the same way). */
function connectingVerbs(cli: CliName): string[][] {
  switch (cli) {
    case 'migrate-kit':
      return [['deploy'], ['status'], ['dev', '--name', 'x'], ['reset', '--force'], ['resolve', '--applied', INIT], ['diff', '--from-url', '$URL', '--to-schema', 'prisma/schema.prisma'], ['push'], ['check']];
    case 'prisma-migrate':
      return [
        ['migrate', 'deploy'],
        ['migrate', 'status'],
        ['migrate', 'dev', '--name', 'x'],
        ['migrate', 'reset', '--force'],
        ['migrate', 'resolve', '--applied', INIT],
        ['migrate', 'diff', '--from-config-datasource', '--to-schema', 'prisma/schema.prisma'],
        ['db', 'push'],
        ['migrate', 'check'],
      ];
    case 'zen-migrate':
      return [['migrate', 'deploy'], ['migrate', 'status'], ['migrate', 'dev', '--name', 'x'], ['migrate', 'reset', '--force', '--skip-seed'], ['migrate', 'resolve', '--applied', INIT], ['db', 'push'], ['migrate', 'check']];
    case 'keystone-migrate':
      return [['deploy'], ['status'], ['create', '--name', 'x'], ['reset', '--force'], ['resolve', '--applied', INIT], ['push'], ['check']];
  }
}

/** A project with one applied migration, one pending, and a schema change for dev. */
async function lockProject(cli: CliName): Promise<CaseProject> {
  const p = await createCaseProject(cli, 'postgresql');
  p.writeMigration(INIT, 'CREATE TABLE "User" ("id" SERIAL NOT NULL PRIMARY KEY, "email" TEXT NOT NULL);\nCREATE UNIQUE INDEX "User_email_key" ON "User"("email");\n');
  await p.deploy();
  p.writeMigration(PENDING, 'CREATE TABLE "Pending" ("id" INTEGER NOT NULL PRIMARY KEY);\n');
  if (cli === 'keystone-migrate') p.setLists(`${KEYSTONE_USER_LIST}\n    Note: list({ access: allowAll, fields: { body: text() } }),`);
  else p.setModels('model User {\n  id    Int    @id @default(autoincrement())\n  email String @unique\n  name  String?\n}');
  return p;
}

/** A session holding the migration lock and doing nothing else (what a crashed deploy leaves in a pool). */
async function holdLock(url: string): Promise<{ pid: number; release(): Promise<void> }> {
  const client = new pg.Client({ connectionString: url, application_name: 'reliability-holder' });
  await client.connect();
  client.on('error', () => undefined);
  await client.query(`SELECT pg_advisory_lock(${MIGRATION_LOCK_KEY})`);
  const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  return { pid: rows[0]!.pid, release: () => client.end() };
}

const servers: SilentServer[] = [];
afterAll(() => {
  for (const s of servers.splice(0)) s.close();
});

describe.each(CLIS)('%s', (cli) => {
  test(`the migration lock held by another session, ${SIZES.timeoutRounds} round(s): every locking verb ends with P1002 after its ~10 s, names the holder, changes nothing`, async () => {
    for (let round = 1; round <= SIZES.timeoutRounds; round++) {
      const p = await lockProject(cli);
      const holder = await holdLock(p.url);
      try {
        const rowsBefore = await migrationRows(p.db);
        const verbs = lockVerbs(cli);
        const runs = await Promise.all(verbs.map((args) => runCli(cli, args, { cwd: p.dir, env: p.env, input: '' })));
        for (const [i, run] of runs.entries()) {
          const what = `${cli} ${verbs[i]!.join(' ')}, round ${round}\n${describeRun(run)}`;
          expect(run.timedOut, what).toBe(false);
          expect(run.code, what).toBe(1);
          expect(output(run), what).toContain('P1002');
          expect(output(run), what).toContain(`PostgreSQL session ${holder.pid}`);
          expect(run.durationMs, what).toBeGreaterThanOrEqual(LOCK_WAIT_MS - 1_000);
          expect(run.durationMs, what).toBeLessThan(LOCK_WAIT_MS + START_SLACK_MS[cli]);
          if (p.password) expect(output(run), what).not.toContain(p.password);
        }
        expect(await migrationRows(p.db), `${cli}, round ${round}`).toEqual(rowsBefore);
      } finally {
        await holder.release();
        await p.cleanup();
      }
    }
  });

  test(`a server that accepts and never answers (connect_timeout=${CONNECT_TIMEOUT_S}), ${SIZES.timeoutRounds} round(s): every connecting verb ends with P1001 within the timeout plus a process start`, async () => {
    for (let round = 1; round <= SIZES.timeoutRounds; round++) {
      const p = await createCaseProject(cli, 'postgresql');
      try {
        p.writeMigration(INIT, 'CREATE TABLE "User" ("id" SERIAL NOT NULL PRIMARY KEY, "email" TEXT NOT NULL);\n');
        const verbs = connectingVerbs(cli);
        const results = await Promise.all(
          verbs.map(async (verb) => {
            const server = await SilentServer.start();
            servers.push(server);
            const url = `postgresql://postgres:silent-secret@127.0.0.1:${server.port}/app?connect_timeout=${CONNECT_TIMEOUT_S}`;
            const args = verb.map((a) => (a === '$URL' ? url : a));
            return { verb, server, run: await runCli(cli, args, { cwd: p.dir, env: { ...p.env, DATABASE_URL: url }, input: '' }) };
          }),
        );
        for (const { verb, server, run } of results) {
          const what = `${cli} ${verb.join(' ')}, round ${round}\n${describeRun(run)}`;
          expect(run.timedOut, what).toBe(false);
          expect(run.code, what).toBe(1);
          expect(output(run), what).toContain('P1001');
          expect(output(run), what).toContain(`127.0.0.1:${server.port}`);
          expect(output(run), what).not.toContain('silent-secret');
          expect(server.accepted.length, what).toBeGreaterThanOrEqual(1);
          expect(run.durationMs, what).toBeLessThan(CONNECT_TIMEOUT_S * 1000 + START_SLACK_MS[cli]);
        }
      } finally {
        for (const s of servers.splice(0)) s.close();
        await p.cleanup();
      }
    }
  });
});
