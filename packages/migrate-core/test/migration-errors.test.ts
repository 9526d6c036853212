/**
 * A migration that fails says what the database said: Prisma's P3018, the migration's name, the
 * database's code (PostgreSQL's SQLSTATE) and its own message, detail and hint, as the native engine
 * shows them; never an error kind the engine cannot decode, nor a Wasm stack. Each class of error is
 * run through `deploy` (the built bin) on the real server.
 */
import { describeRun, withPostgresClient } from '@migrate-kit/test-support';
import { DriverAdapterError } from '@prisma/driver-adapter-utils';
import { describe, expect, it } from 'vitest';
import { decodableByEngine, KINDS_THE_ENGINE_DECODES } from '../src/engine/adapters/engine-error-kinds.js';
import { overrideMethods } from '../src/engine/adapters/override.js';
import { adapterFactoryFor, WasmEngine } from '../src/engine/wasm-engine.js';
import { NO_FILTER, migrationList } from './helpers/engine.js';
import { jsonOf, laterMigrationName, migrationRows, output, projectsFor, writeMigrationByHand } from './helpers/lifecycle.js';
import type { CliRun, TestProject } from './helpers/project.js';

const SETUP = laterMigrationName(1, 'setup');
const FAILING = laterMigrationName(2, 'failing');

/** What no failed migration may show: an undecodable error kind, a Wasm or Node stack, the engine's wrapping. */
function expectReadable(run: CliRun): void {
  const text = output(run);
  expect(text).not.toMatch(/unknown variant|wasm:\/\/|wasm-function|__wbg|\n\s+at [\w.]+ \(|external connector error|Error querying the database|sql_schema_connector::/);
}

/** Deploys `setup`, then a migration whose script is `failing`, and returns the failing run (checked for P3018 and the name). */
async function deployFailing(project: TestProject, setup: string, failing: string, beforeFailing?: () => Promise<void>): Promise<CliRun> {
  writeMigrationByHand(project, SETUP, setup);
  const first = await project.cli(['deploy']);
  expect(first.code, describeRun(first)).toBe(0);
  writeMigrationByHand(project, FAILING, failing);
  await beforeFailing?.();
  const run = await project.cli(['deploy']);
  expect(run.code, describeRun(run)).toBe(1);
  expect(output(run)).toContain('P3018');
  expect(output(run)).toContain(`Migration name: ${FAILING}`);
  expectReadable(run);
  return run;
}

describe('a failed migration on PostgreSQL says what PostgreSQL said', () => {
  const newProject = projectsFor('postgresql');
  const USERS = 'CREATE TABLE "User" ("id" INTEGER PRIMARY KEY, "email" TEXT, "age" INTEGER);\n';

  const classes: { name: string; setup: string; failing: string; sqlstate: string; says: string[] }[] = [
    {
      name: 'not null',
      setup: `${USERS}INSERT INTO "User" VALUES (1, 'a', NULL);\n`,
      failing: 'ALTER TABLE "User" ALTER COLUMN "age" SET NOT NULL;\n',
      sqlstate: '23502',
      says: ['ERROR: column "age" of relation "User" contains null values'],
    },
    {
      name: 'unique',
      setup: `${USERS}INSERT INTO "User" VALUES (1, 'a', 1), (2, 'a', 2);\n`,
      failing: 'CREATE UNIQUE INDEX "User_email_key" ON "User"("email");\n',
      sqlstate: '23505',
      says: ['ERROR: could not create unique index "User_email_key"', 'DETAIL: Key (email)=(a) is duplicated.'],
    },
    {
      name: 'foreign key',
      setup: `${USERS}CREATE TABLE "Post" ("id" INTEGER PRIMARY KEY, "authorId" INTEGER);\nINSERT INTO "Post" VALUES (1, 5);\n`,
      failing: 'ALTER TABLE "Post" ADD CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id");\n',
      sqlstate: '23503',
      says: ['ERROR: insert or update on table "Post" violates foreign key constraint "Post_authorId_fkey"', 'DETAIL: Key (authorId)=(5) is not present in table "User".'],
    },
    {
      name: 'check',
      setup: `${USERS}INSERT INTO "User" VALUES (1, 'a', -1);\n`,
      failing: 'ALTER TABLE "User" ADD CONSTRAINT "User_age_positive" CHECK ("age" > 0);\n',
      sqlstate: '23514',
      says: ['ERROR: check constraint "User_age_positive" of relation "User" is violated by some row'],
    },
    {
      name: 'invalid enum value',
      setup: `CREATE TYPE "Role" AS ENUM ('USER', 'ADMIN');\nCREATE TABLE "Account" ("id" INTEGER PRIMARY KEY, "role" "Role");\n`,
      failing: `INSERT INTO "Account" VALUES (1, 'OWNER');\n`,
      sqlstate: '22P02',
      says: ['ERROR: invalid input value for enum "Role": "OWNER"'],
    },
    {
      name: 'invalid input syntax',
      setup: `${USERS}INSERT INTO "User" VALUES (1, 'a', 1);\n`,
      failing: `UPDATE "User" SET "age" = 'forty'::integer;\n`,
      sqlstate: '22P02',
      says: ['ERROR: invalid input syntax for type integer: "forty"'],
    },
    {
      name: 'undefined table',
      setup: USERS,
      failing: 'ALTER TABLE "Nope" ADD COLUMN "x" INTEGER;\n',
      sqlstate: '42P01',
      says: ['ERROR: relation "Nope" does not exist'],
    },
    {
      name: 'undefined column',
      setup: USERS,
      failing: 'ALTER TABLE "User" DROP COLUMN "nope";\n',
      sqlstate: '42703',
      says: ['ERROR: column "nope" of relation "User" does not exist'],
    },
    {
      name: 'statement timeout',
      setup: USERS,
      failing: `SET statement_timeout = '100ms';\nSELECT pg_sleep(5);\n`,
      sqlstate: '57014',
      says: ['ERROR: canceling statement due to statement timeout'],
    },
    // Out of shared memory (53200) exhausts the lock table of the whole server, failing whatever else
    // runs on it at that moment: it is in reliability/test/lock-table-exhaustion.test.ts, whose files run alone.
  ];

  it.each(classes)('$name: P3018 with the migration, SQLSTATE $sqlstate and the message', async ({ setup, failing, sqlstate, says }) => {
    const project = await newProject();
    const run = await deployFailing(project, setup, failing);
    const text = output(run);
    expect(text).toContain(`Database error code: ${sqlstate}\n`);
    for (const line of says) expect(text).toContain(line);
    // The row of the failed migration keeps PostgreSQL's words too (status and P3009 show them).
    const failed = (await migrationRows(project)).find((r) => r.migration_name === FAILING);
    expect(failed).toMatchObject({ finished: false, rolledBack: false });
    expect(failed?.logs).toContain(`${sqlstate}: ${says[0]!.slice('ERROR: '.length)}`);
  });

  it('lock timeout: P3018 with 55P03 while another session holds the table', async () => {
    const project = await newProject();
    const holder = await withPostgresClient(project.url, async (client) => {
      const run = await deployFailing(project, USERS, `SET lock_timeout = '200ms';\nALTER TABLE "User" ADD COLUMN "name" TEXT;\n`, async () => {
        await client.query('BEGIN');
        await client.query('LOCK TABLE "User" IN ACCESS EXCLUSIVE MODE');
      });
      await client.query('ROLLBACK');
      return run;
    });
    expect(output(holder)).toContain('Database error code: 55P03\n');
    expect(output(holder)).toContain('ERROR: canceling statement due to lock timeout');
  });

  it('the next deploy stops at it (P3009), readably; dev on the shadow database (P3006) quotes PostgreSQL as P3018 does', async () => {
    const project = await newProject();
    await deployFailing(project, `${USERS}INSERT INTO "User" VALUES (1, 'a', NULL);\n`, 'ALTER TABLE "User" ALTER COLUMN "age" SET NOT NULL;\n');
    const blocked = await project.cli(['deploy']);
    expect(blocked.code).toBe(1);
    expect(output(blocked)).toContain('P3009');
    expect(output(blocked)).toContain(FAILING);
    expectReadable(blocked);

    const other = await newProject();
    writeMigrationByHand(other, SETUP, USERS);
    writeMigrationByHand(other, FAILING, 'ALTER TABLE "Nope" ADD COLUMN "x" INTEGER;\n');
    const dev = await other.cli(['dev', '--name', 'next'], { env: { MIGRATE_KIT_HISTORY_CACHE: 'off' } });
    expect(dev.code, describeRun(dev)).toBe(1);
    expect(output(dev)).toContain('P3006');
    expect(output(dev)).toContain('Database error code: 42P01\nERROR: relation "Nope" does not exist');
    expectReadable(dev);
  });

  it('--json carries the code and the SQLSTATE', async () => {
    const project = await newProject();
    writeMigrationByHand(project, SETUP, `${USERS}INSERT INTO "User" VALUES (1, 'a', NULL);\n`);
    writeMigrationByHand(project, FAILING, 'ALTER TABLE "User" ALTER COLUMN "age" SET NOT NULL;\n');
    const run = await project.cli(['deploy', '--json']);
    expect(run.code).toBe(1);
    const error = jsonOf(run).error as { code: string; message: string; migrationName?: string; databaseErrorCode?: string };
    expect(error).toMatchObject({ code: 'P3018', migrationName: FAILING, databaseErrorCode: '23502' });
    expect(error.message).toContain('ERROR: column "age" of relation "User" contains null values');
    expectReadable(run);
  });
});

describe('a failed migration on SQLite says what SQLite said', () => {
  const newProject = projectsFor('sqlite');
  const USERS = `CREATE TABLE "User" ("id" INTEGER PRIMARY KEY, "email" TEXT NOT NULL UNIQUE);\nINSERT INTO "User" VALUES (1, 'a');\n`;

  it.each([
    { name: 'unique', failing: `INSERT INTO "User" VALUES (2, 'a');\n`, code: 'SQLITE_CONSTRAINT_UNIQUE', says: 'UNIQUE constraint failed: User.email' },
    { name: 'no such table', failing: 'INSERT INTO "Nope" VALUES (1);\n', code: 'SQLITE_ERROR', says: 'no such table: Nope' },
    { name: 'not null', failing: 'INSERT INTO "User" VALUES (2, NULL);\n', code: 'SQLITE_CONSTRAINT_NOTNULL', says: 'NOT NULL constraint failed: User.email' },
    { name: 'no such column', failing: `INSERT INTO "User" ("nope") VALUES (1);\n`, code: 'SQLITE_ERROR', says: 'table User has no column named nope' },
    { name: 'syntax', failing: 'THIS IS NOT SQL;\n', code: 'SQLITE_ERROR', says: 'near "THIS": syntax error' },
  ])('$name: P3018 with the migration and SQLite\'s message', async ({ failing, code, says }) => {
    const project = await newProject();
    const run = await deployFailing(project, USERS, failing);
    expect(output(run)).toContain(`Database error code: ${code}\n\nDatabase error:\n${says}`);
    expect(output(run)).not.toMatch(/P1014|P2002|P2011/);
    const failed = (await migrationRows(project)).find((r) => r.migration_name === FAILING);
    expect(failed?.logs).toContain(says);
  });
});

describe('every error kind an adapter can produce is one the engine decodes', () => {
  const newProject = projectsFor('postgresql');

  /** Opens the real engine on a PostgreSQL adapter whose scripts fail with `payload`, and returns what applying one says. */
  async function engineSays(url: string, payload: ConstructorParameters<typeof DriverAdapterError>[0]): Promise<string> {
    const raw = await adapterFactoryFor({ provider: 'postgresql', url });
    const factory = overrideMethods(raw, {
      async connect() {
        const adapter = await raw.connect();
        return overrideMethods(adapter, {
          async executeScript(script: string) {
            if (script.includes('-- fail here')) throw new DriverAdapterError(payload);
            return adapter.executeScript(script);
          },
        });
      },
    });
    const engine = await WasmEngine.open(factory);
    try {
      await engine.applyMigrations({ migrationsList: migrationList('postgresql', [[FAILING, 'SELECT 1; -- fail here']]), filters: NO_FILTER });
      return 'applied';
    } catch (error) {
      return (error as Error).message;
    } finally {
      await engine.dispose();
    }
  }

  it('the engine lists exactly the kinds we hand it; what we make of the others decodes', async () => {
    const project = await newProject();
    const listed = /expected one of (.*)$/m.exec(await engineSays(project.url, { kind: 'NoSuchKind' } as never))?.[1];
    expect(new Set(listed?.split(', ').map((k) => k.replace(/`/g, '')))).toEqual(KINDS_THE_ENGINE_DECODES);

    const undecodable = [
      { kind: 'InvalidInputValue', message: 'invalid input value for enum "Role": "OWNER"', originalCode: '22P02' },
      { kind: 'RestrictViolation', constraint: { index: 'Post_authorId_fkey' }, originalCode: '23001', originalMessage: 'restrict violation' },
      { kind: 'InconsistentColumnData', cause: 'inconsistent column data' },
      { kind: 'SocketTimeout', originalCode: 'ETIMEDOUT', originalMessage: 'read ETIMEDOUT' },
    ] as const;
    for (const payload of undecodable) {
      expect(KINDS_THE_ENGINE_DECODES.has(payload.kind)).toBe(false);
      await project.query('UPDATE _prisma_migrations SET rolled_back_at = now()').catch(() => undefined);
      const said = await engineSays(project.url, decodableByEngine(payload));
      expect(said, payload.kind).not.toContain('unknown variant');
      expect(said, payload.kind).toContain(FAILING);
    }
  });
});
