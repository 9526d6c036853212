/**
 * What a PostgreSQL migration's script may do to the bookkeeping around it, and what the
 * bookkeeping then says (engine/adapters/postgres-migration-transaction.ts,
 * engine/adapters/postgres-session-pool.ts, engine/adapters/postgres.ts): a script that commits a
 * part of itself is never sent twice, a script that empties search_path moves none of our
 * statements or the engine's, and a script the database rejects is a failed migration, never an
 * interrupted one. Real server, real engine.
 */
import { describe, expect, it } from 'vitest';
import { INTERRUPTED_MIGRATION_LOGS } from '../src/engine/adapters/postgres-migration-transaction.js';
import { deploy } from '../src/index.js';
import { loadPrismaSchemaSource } from '../src/schema/prisma-schema-source.js';
import { execute, laterMigrationName, migrationRows, projectsFor, tableNames, writeMigrationByHand } from './helpers/lifecycle.js';
import type { TestProject } from './helpers/project.js';

const newProject = projectsFor('postgresql');

describe('a PostgreSQL migration and its bookkeeping', () => {
  it('a script that commits a part of itself and then fails with 25001 (CONCURRENTLY) is a failed migration, its first part applied once (P3018, then P3009)', async () => {
    const project = await newProject();
    const counter = laterMigrationName(1, 'counter');
    const bump = laterMigrationName(2, 'bump_then_index');
    writeMigrationByHand(project, counter, 'CREATE TABLE "counter" ("n" INTEGER NOT NULL);\nINSERT INTO "counter" VALUES (0);\n');
    writeMigrationByHand(project, bump, 'UPDATE "counter" SET "n" = "n" + 1;\nCOMMIT;\nCREATE INDEX CONCURRENTLY "counter_n_idx" ON "counter" ("n");\n');

    const first = await project.cli(['deploy']);
    const second = await project.cli(['deploy']);

    expect(first.code).toBe(1);
    expect(first.stderr).toContain('P3018');
    expect(first.stderr).toContain('cannot run inside a transaction block');
    expect(second.code).toBe(1);
    expect(second.stderr).toContain('P3009');
    expect(await project.query('SELECT "n" FROM "counter"')).toEqual([{ n: 1 }]);
    const rows = await migrationRows(project);
    expect(rows.map((r) => [r.migration_name, r.finished, r.rolledBack])).toEqual([
      [counter, true, false],
      [bump, false, false],
    ]);
    expect(rows[1]?.logs).toContain('cannot run inside a transaction block');
  });

  it('a history whose first migration empties search_path (pg_dump) deploys fully, every row finished', async () => {
    const project = await newProject();
    const names = await deployHistoryAfterSearchPathReset(project, project.url);
    expect(await tableNames(project)).toEqual(['A', 'B', 'C', '_prisma_migrations']);
    const rows = await migrationRows(project);
    expect(rows.map((r) => [r.migration_name, r.finished, r.rolledBack, r.applied_steps_count, r.logs])).toEqual(names.map((n) => [n, true, false, 1, null]));
    expect((await project.cli(['status'])).code).toBe(0);
    // dev replays the same history on a shadow database, in one session too.
    project.setModels('model A {\n  id Int @id\n}\n\nmodel B {\n  id Int @id\n}\n\nmodel C {\n  id Int @id\n}');
    const dev = await project.cli(['dev']);
    expect(dev.code, dev.stderr).toBe(0);
    expect(dev.stdout).toContain('Already in sync');
  });

  it('the same with ?schema=other: the rows are in the schema of the URL', async () => {
    const project = await newProject();
    const url = `${project.url}?schema=other`;
    const names = await deployHistoryAfterSearchPathReset(project, url);
    const rows = await project.query(`SELECT migration_name, finished_at IS NOT NULL AS finished, logs FROM "other"."_prisma_migrations" ORDER BY started_at`);
    expect(rows).toEqual(names.map((n) => ({ migration_name: n, finished: true, logs: null })));
    expect(await project.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'other' ORDER BY table_name`)).toEqual(
      ['B', 'C', '_prisma_migrations'].map((table_name) => ({ table_name })),
    );
    expect((await project.cli(['status'], { env: { DATABASE_URL: url } })).code).toBe(0);
  });

  it('a failing migration keeps the session that holds the migration lock: the failure is recorded there, never as interrupted', async () => {
    const project = await newProject();
    const spy = laterMigrationName(1, 'bookkeeping_spy');
    const broken = laterMigrationName(2, 'broken');
    // Who writes the failure: each update of a _prisma_migrations row notes its session and whether it holds the lock.
    writeMigrationByHand(
      project,
      spy,
      `CREATE SEQUENCE "script_pid";
CREATE TABLE "row_updates" ("pid" INTEGER NOT NULL, "holds_lock" BOOLEAN NOT NULL, "logs" TEXT);
CREATE FUNCTION "note_update"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "row_updates" VALUES (pg_backend_pid(), EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objid = 72707369 AND granted AND pid = pg_backend_pid()), NEW."logs");
  RETURN NEW;
END $$;
CREATE TRIGGER "note_update" AFTER UPDATE ON "_prisma_migrations" FOR EACH ROW EXECUTE FUNCTION "note_update"();
`,
    );
    // setval is not undone by the failure: it keeps the pid of the session that ran the script.
    writeMigrationByHand(project, broken, `SELECT setval('"script_pid"', pg_backend_pid());\nSELECT 1 / 0;\n`);

    const run = await project.cli(['deploy']);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('P3018');
    expect(run.stderr).toContain('division by zero');
    const [{ pid }] = (await project.query(`SELECT last_value::int AS pid FROM "script_pid"`)) as [{ pid: number }];
    const failureWrites = await project.query(`SELECT "pid", "holds_lock" FROM "row_updates" WHERE "logs" LIKE '%division by zero%'`);
    expect(failureWrites.length).toBeGreaterThan(0);
    expect(failureWrites).toEqual(failureWrites.map(() => ({ pid, holds_lock: true })));
    const [row] = (await migrationRows(project)).filter((r) => r.migration_name === broken);
    expect(row?.logs).toContain('division by zero');
    expect(row?.logs).not.toContain(INTERRUPTED_MIGRATION_LOGS);
    const again = await project.cli(['deploy']);
    expect(again.stderr).toContain('P3009');
    expect((await migrationRows(project)).length).toBe(2);
  });
  it('one commit per migration: its started row, its script and its finish commit together, synchronously', async () => {
    const project = await newProject();
    const first = laterMigrationName(1, 'create_a');
    const second = laterMigrationName(2, 'create_b');
    writeMigrationByHand(project, first, 'CREATE TABLE "A" ("id" INTEGER PRIMARY KEY);\n');
    await deploy(project.source());
    // What each commit of a `_prisma_migrations` row runs with: a deferred trigger fires at commit.
    await execute(
      project,
      `CREATE TABLE "commits" ("n" SERIAL, "migration_name" TEXT, "finished" BOOLEAN, "synchronous_commit" TEXT, "xid" TEXT);
       CREATE FUNCTION "note_commit"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO "commits" ("migration_name", "finished", "synchronous_commit", "xid") VALUES (NEW.migration_name, NEW.finished_at IS NOT NULL, current_setting('synchronous_commit'), pg_catalog.txid_current()::text); RETURN NULL; END $$;
       CREATE CONSTRAINT TRIGGER "note_commit" AFTER INSERT OR UPDATE ON "_prisma_migrations" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "note_commit"();`,
    );
    writeMigrationByHand(project, second, 'CREATE TABLE "B" AS SELECT pg_catalog.txid_current()::text AS "xid";\n');

    await deploy(project.source());

    // The row's INSERT and its finish, both in the script's transaction, which commits waiting for the WAL flush.
    const [script] = (await project.query('SELECT "xid" FROM "B"')) as { xid: string }[];
    expect(await project.query('SELECT "migration_name", "finished", "synchronous_commit", "xid" FROM "commits" ORDER BY "n"')).toEqual([
      { migration_name: second, finished: false, synchronous_commit: 'on', xid: script?.xid },
      { migration_name: second, finished: true, synchronous_commit: 'on', xid: script?.xid },
    ]);
    const rows = await migrationRows(project);
    expect(rows.map((r) => [r.migration_name, r.finished, r.applied_steps_count, r.logs])).toEqual([
      [first, true, 1, null],
      [second, true, 1, null],
    ]);
  });

  it('every time the engine writes is the instant it meant whatever the session TimeZone (@prisma/adapter-pg alone writes them hours off)', async () => {
    const project = await newProject();
    await execute(project, `ALTER DATABASE "${new URL(project.url).pathname.slice(1)}" SET timezone = 'America/New_York'`);
    const broken = laterMigrationName(3, 'broken');
    writeMigrationByHand(project, laterMigrationName(1, 'create_a'), 'CREATE TABLE "A" ("id" INTEGER PRIMARY KEY, "n" INTEGER);\n');
    // Run alone (25001), its finish recorded by the engine's own statements.
    writeMigrationByHand(project, laterMigrationName(2, 'index_a'), 'CREATE INDEX CONCURRENTLY "A_n_idx" ON "A" ("n");\n');
    writeMigrationByHand(project, broken, 'SELECT 1 / 0;\n');

    expect((await project.cli(['deploy'])).code).toBe(1);
    expect((await project.cli(['resolve', '--rolled-back', broken])).code).toBe(0);

    const times = (await project.query(
      `SELECT "migration_name", (abs(extract(epoch FROM pg_catalog.now() - "started_at")) < 60) AS "started", (abs(extract(epoch FROM pg_catalog.now() - coalesce("finished_at", "rolled_back_at"))) < 60) AS "ended" FROM "_prisma_migrations" ORDER BY "migration_name"`,
    )) as { started: boolean; ended: boolean }[];
    expect(times.map((t) => [t.started, t.ended])).toEqual([
      [true, true],
      [true, true],
      [true, true],
    ]);
  });
});

/**
 * Deploys, on `url`, a pg_dump-style baseline that empties search_path for the session (and
 * qualifies its own names), followed by two migrations written the way Prisma writes them.
 */
async function deployHistoryAfterSearchPathReset(project: TestProject, url: string): Promise<string[]> {
  const names = [laterMigrationName(1, 'baseline'), laterMigrationName(2, 'create_b'), laterMigrationName(3, 'create_c')];
  writeMigrationByHand(project, names[0]!, `SET statement_timeout = 0;\nSELECT pg_catalog.set_config('search_path', '', false);\nCREATE TABLE public."A" ("id" integer NOT NULL);\nALTER TABLE ONLY public."A" ADD CONSTRAINT "A_pkey" PRIMARY KEY ("id");\n`);
  writeMigrationByHand(project, names[1]!, 'CREATE TABLE "B" ("id" INTEGER NOT NULL PRIMARY KEY);\n');
  writeMigrationByHand(project, names[2]!, 'CREATE TABLE "C" ("id" INTEGER NOT NULL PRIMARY KEY);\n');
  const result = await deploy(loadPrismaSchemaSource({ schemaPath: project.schemaPath, url, migrationsDir: project.migrationsDir }));
  expect(result.applied.map((m) => m.name)).toEqual(names);
  return names;
}
