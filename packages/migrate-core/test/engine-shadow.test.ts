/**
 * Temporary PostgreSQL shadow databases: created per use, always dropped (after success, after a
 * failure, on SIGINT/SIGTERM), swept by the next run after a SIGKILL; a configured
 * shadowDatabaseUrl used as given; a user who may not create databases told what to configure.
 */
import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, onTestFinished, test, vi } from 'vitest';
import { PostgresShadowDatabase, SHADOW_DATABASE_PREFIX, sweepOrphanShadowDatabases } from '../src/engine/shadow/postgres-shadow-database.js';
import { MigrateError } from '../src/errors.js';
import { check } from '../src/lifecycle/check.js';
import { createMigration } from '../src/lifecycle/create-migration.js';
import { createPostgresDatabase, POSTGRES_SERVER_URL, type TestPostgresDatabase, withPostgresClient } from './helpers/databases.js';
import { generatedHistory, pollFor, serverClient, shadowDatabasesOf, spawnBin, writeHistory } from './helpers/engine.js';
import { createTestProject, type TestProject } from './helpers/project.js';

let client: pg.Client;
const projects: TestProject[] = [];

beforeAll(async () => {
  client = await serverClient();
});

afterAll(async () => {
  await Promise.allSettled(projects.map((p) => p.cleanup()));
  await client.end();
});

afterEach(() => {
  vi.restoreAllMocks();
});

async function project(history: [string, string][] = []): Promise<TestProject> {
  const created = await createTestProject('postgresql');
  projects.push(created);
  if (history.length) writeHistory(created.migrationsDir, 'postgresql', history);
  return created;
}

/** Watches PostgresShadowDatabase.create (it still runs): the names of the shadow databases this process creates. */
function recordShadowCreation(): () => Promise<string[]> {
  const spy = vi.spyOn(PostgresShadowDatabase, 'create');
  return async () => {
    const created = await Promise.allSettled(spy.mock.results.map((r) => r.value as Promise<PostgresShadowDatabase>));
    return created.flatMap((r) => (r.status === 'fulfilled' ? [r.value.name] : []));
  };
}

async function databaseExists(name: string): Promise<boolean> {
  const { rows } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  return rows.length > 0;
}

const LONG_HISTORY = generatedHistory(150);

describe('temporary shadow databases', () => {
  test('dev and check each create one, named for this process, and drop it after (history cache off)', async () => {
    // With the history cache (test/history-cache.test.ts) check would start from dev's replay.
    process.env.MIGRATE_KIT_HISTORY_CACHE = 'off';
    onTestFinished(() => {
      delete process.env.MIGRATE_KIT_HISTORY_CACHE;
    });
    const p = await project();
    const created = recordShadowCreation();
    const dev = await createMigration(p.source(), { name: 'init' });
    expect(dev.created?.applied).toBeDefined();
    const afterDev = await created();
    expect(afterDev.length).toBeGreaterThan(0);
    for (const name of afterDev) expect(name.startsWith(`${SHADOW_DATABASE_PREFIX}${process.pid}_`)).toBe(true);

    p.setModels('model User {\n  id Int @id @default(autoincrement())\n  email String @unique\n  name String?\n}');
    const result = await check(p.source());
    expect(result.upToDate).toBe(false);
    const afterCheck = await created();
    expect(afterCheck.length).toBeGreaterThan(afterDev.length);

    for (const name of afterCheck) expect(await databaseExists(name)).toBe(false);
    expect(await shadowDatabasesOf(client, process.pid)).toEqual([]);
  });

  test('a migration that fails on the shadow database stops dev with P3006, and the shadow database is dropped', async () => {
    const p = await project([
      ['20240101000000_init', 'CREATE TABLE "User" ("id" SERIAL PRIMARY KEY, "email" TEXT NOT NULL);\n'],
      ['20240102000000_broken', 'ALTER TABLE "NoSuchTable" ADD COLUMN "x" INTEGER;\n'],
    ]);
    const created = recordShadowCreation();
    const error = await createMigration(p.source(), { name: 'next' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrateError);
    expect(error).toMatchObject({ code: 'P3006', message: expect.stringMatching(/20240102000000_broken.*failed to apply cleanly to the shadow database/s) });
    const names = await created();
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(await databaseExists(name)).toBe(false);
    expect(await shadowDatabasesOf(client, process.pid)).toEqual([]);
  });

  test.each([
    ['SIGINT', 'check', 130],
    ['SIGTERM', 'dev', 143],
  ] as const)('%s during `%s` (150 migrations replaying) drops the shadow database and exits %i', async (signal, command, exitCode) => {
    const p = await project(LONG_HISTORY);
    const { child, exited } = spawnBin([command], { cwd: p.dir, env: { DATABASE_URL: p.url } });
    const pid = child.pid!;
    try {
      const [shadow] = await pollFor(`a shadow database of process ${pid}`, async () => {
        const rows = await shadowDatabasesOf(client, pid);
        return rows.length ? rows : undefined;
      });
      child.kill(signal);
      const run = await exited;
      expect({ code: run.code, signal: run.signal }).toEqual({ code: exitCode, signal: null });
      expect(await databaseExists(shadow!.name)).toBe(false);
      expect(await shadowDatabasesOf(client, pid)).toEqual([]);
    } finally {
      child.kill('SIGKILL');
    }
  });

  test('after a SIGKILL the shadow database is left behind, and the next run drops it', async () => {
    const p = await project(LONG_HISTORY);
    const { child, exited } = spawnBin(['check'], { cwd: p.dir, env: { DATABASE_URL: p.url } });
    const pid = child.pid!;
    try {
      // Wait for the COMMENT too: it is what lets the next run tell an orphan from a live shadow database.
      const owner = `host=${hostname()} pid=${pid}`;
      const [orphan] = await pollFor(`a shadow database of process ${pid} with its COMMENT`, async () => {
        const rows = await shadowDatabasesOf(client, pid);
        return rows.some((r) => r.comment?.endsWith(owner)) ? rows : undefined;
      });
      child.kill('SIGKILL');
      expect((await exited).signal).toBe('SIGKILL');
      expect(await databaseExists(orphan!.name)).toBe(true);

      const next = await p.cli(['check']);
      expect(next.code).toBe(1); // not up to date: 150 tables, the schema has one model
      expect(await databaseExists(orphan!.name)).toBe(false);
    } finally {
      child.kill('SIGKILL');
      await withPostgresClient(POSTGRES_SERVER_URL, async (c) => {
        for (const { name } of await shadowDatabasesOf(c, pid)) await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      });
    }
  });

  test('the sweep drops orphans of dead processes on this host only, matched by the owner in the name or the COMMENT', async () => {
    const tag = randomBytes(4).toString('hex');
    const DEAD_PID = 2_147_483_646; // above any pid_max: no such process
    const databases = {
      orphan: { name: `${SHADOW_DATABASE_PREFIX}${DEAD_PID}_${tag}a`, comment: `host=${hostname()} pid=${DEAD_PID}` },
      live: { name: `${SHADOW_DATABASE_PREFIX}${process.pid}_${tag}b`, comment: `host=${hostname()} pid=${process.pid}` },
      otherHost: { name: `${SHADOW_DATABASE_PREFIX}${DEAD_PID}_${tag}c`, comment: `host=another-${tag}.example pid=${DEAD_PID}` },
      noComment: { name: `${SHADOW_DATABASE_PREFIX}${DEAD_PID}_${tag}d`, comment: null },
      // Killed between CREATE DATABASE and COMMENT: the owner is in the name.
      ownedByName: { name: `${SHADOW_DATABASE_PREFIX}${DEAD_PID}_${createHash('sha256').update(hostname()).digest('hex').slice(0, 8)}${tag}${tag.slice(0, 4)}`, comment: null },
    };
    try {
      for (const { name, comment } of Object.values(databases)) {
        await client.query(`CREATE DATABASE "${name}"`);
        if (comment) await client.query(`COMMENT ON DATABASE "${name}" IS 'migrate-kit shadow database ${comment}'`);
      }
      const dropped = await sweepOrphanShadowDatabases(client);
      expect(dropped).not.toContain(databases.live.name);
      expect(dropped).not.toContain(databases.otherHost.name);
      expect(dropped).not.toContain(databases.noComment.name);
      expect(await databaseExists(databases.orphan.name)).toBe(false);
      expect(await databaseExists(databases.live.name)).toBe(true);
      expect(await databaseExists(databases.otherHost.name)).toBe(true);
      expect(await databaseExists(databases.noComment.name)).toBe(true);
      expect(await databaseExists(databases.ownedByName.name)).toBe(false);
    } finally {
      for (const { name } of Object.values(databases)) await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    }
  });
});

describe('a configured shadowDatabaseUrl', () => {
  test('is used as given by dev and check: emptied first, never dropped, and no temporary database is created', async () => {
    const p = await project([['20240101000000_init', 'CREATE TABLE "User" ("id" SERIAL PRIMARY KEY, "email" TEXT NOT NULL);\nCREATE UNIQUE INDEX "User_email_key" ON "User"("email");\n']]);
    const shadow = await createPostgresDatabase('mk_shadow_given');
    try {
      await shadow.query('CREATE TABLE "left_over" ("id" INTEGER)');
      const created = recordShadowCreation();
      const source = { ...p.source(), shadowDatabaseUrl: shadow.url };

      const dev = await createMigration(source, { name: 'second' });
      expect(dev.appliedPending.map((m) => m.name)).toEqual(['20240101000000_init']);
      expect(await shadow.query(`SELECT 1 FROM pg_tables WHERE tablename = 'left_over'`)).toEqual([]);

      await shadow.query('CREATE TABLE "left_over" ("id" INTEGER)');
      expect((await check(source)).upToDate).toBe(true);
      expect(await shadow.query(`SELECT 1 FROM pg_tables WHERE tablename = 'left_over'`)).toEqual([]);

      expect(await created()).toEqual([]);
      expect(await databaseExists(shadow.name)).toBe(true);
      expect(await shadowDatabasesOf(client, process.pid)).toEqual([]);
    } finally {
      await shadow.drop();
    }
  });
});

describe('a database user without CREATEDB', () => {
  let role: string;
  let main: TestPostgresDatabase;
  let shadow: TestPostgresDatabase;
  const as = (url: string) => {
    const u = new URL(url);
    u.username = role;
    return u.toString();
  };

  beforeAll(async () => {
    role = `mk_nocreatedb_${randomBytes(4).toString('hex')}`;
    await withPostgresClient(POSTGRES_SERVER_URL, (c) => c.query(`CREATE ROLE "${role}" LOGIN NOCREATEDB`));
    main = await createPostgresDatabase('mk_nocreatedb');
    shadow = await createPostgresDatabase('mk_nocreatedb_shadow');
    await withPostgresClient(POSTGRES_SERVER_URL, async (c) => {
      await c.query(`ALTER DATABASE "${main.name}" OWNER TO "${role}"`);
      await c.query(`ALTER DATABASE "${shadow.name}" OWNER TO "${role}"`);
    });
  });

  afterAll(async () => {
    await main?.drop();
    await shadow?.drop();
    if (role) await withPostgresClient(POSTGRES_SERVER_URL, (c) => c.query(`DROP ROLE IF EXISTS "${role}"`));
  });

  test('gets P3014 from dev, with a hint naming shadowDatabaseUrl; with one configured, dev works', async () => {
    const p = await project();
    const refused = await p.cli(['dev', '--name', 'init', '--json'], { env: { DATABASE_URL: as(main.url) } });
    expect(refused.code).toBe(1);
    const body = JSON.parse(refused.stdout) as { ok: boolean; error: { code: string; message: string; hint: string } };
    expect(body).toMatchObject({ ok: false, error: { code: 'P3014' } });
    expect(body.error.message).toMatch(/could not create the shadow database.*no permission to create databases/s);
    expect(body.error.hint).toMatch(/shadowDatabaseUrl/);
    const owned = await client.query(`SELECT datname FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba WHERE r.rolname = $1 AND datname LIKE 'migrate\\_kit\\_shadow\\_%'`, [role]);
    expect(owned.rows).toEqual([]);

    const accepted = await p.cli(['dev', '--name', 'init'], { env: { DATABASE_URL: as(main.url), SHADOW_DATABASE_URL: as(shadow.url) } });
    expect(accepted.stderr).toBe('');
    expect(accepted.code).toBe(0);
    expect(await main.query('SELECT migration_name FROM _prisma_migrations')).toEqual([{ migration_name: expect.stringMatching(/_init$/) }]);
  });
});
