/**
 * The history cache (engine/shadow/history-replay.ts): a replayed shadow database is kept per
 * main database, keyed by the hashes of the scripts it ran, and a later replay starts from it
 * only while the history matches it script for script. Any edit (a changed byte, a removed,
 * inserted or reordered migration) means a replay from scratch, and every result equals the
 * result without the cache (MIGRATE_KIT_HISTORY_CACHE=off). Real PostgreSQL, the real engine.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, onTestFinished, test, vi } from 'vitest';
import { jsonOf } from '@migrate-kit/test-support';
import { HISTORY_CACHE_PREFIX, PostgresShadowDatabase } from '../src/engine/shadow/postgres-shadow-database.js';
import { check, createMigration, diff, loadPrismaSchemaSource, reset } from '../src/index.js';
import { createPostgresDatabase, POSTGRES_SERVER_URL, withPostgresClient, writeFile } from './helpers/databases.js';
import { migrationFolders, POST_MODEL, projectsFor, USER_MODEL, USER_WITH_NAME, untilNextSecond } from './helpers/lifecycle.js';
import type { TestProject } from './helpers/project.js';

const newProject = projectsFor('postgresql');

/** The cache kept for a project's database: its OID (the same database reused keeps it) and how many scripts it holds. */
async function cacheOf(project: TestProject): Promise<{ oid: number; scripts: number } | undefined> {
  const owner = new URL(project.url).pathname.slice(1);
  return withPostgresClient(POSTGRES_SERVER_URL, async (c) => {
    const { rows } = await c.query<{ oid: number; comment: string }>(
      `SELECT oid::int AS oid, shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname LIKE $1 AND shobj_description(oid, 'pg_database') LIKE $2`,
      [`${HISTORY_CACHE_PREFIX}%`, `% owner=${owner} engine=%`],
    );
    if (rows.length > 1) throw new Error(`more than one history cache for ${owner}`);
    const row = rows[0];
    if (!row) return undefined;
    const scripts = /scripts=([0-9a-f,]*)$/.exec(row.comment)?.[1] ?? '';
    return { oid: row.oid, scripts: scripts ? scripts.split(',').length : 0 };
  });
}

/** The SQL from the history to the schema, with the cache and without it: they must agree. */
async function historyToSchemaScript(project: TestProject): Promise<string> {
  const input = {
    from: { kind: 'migrations' as const, dir: project.migrationsDir },
    to: { kind: 'schema' as const, files: project.source().files },
    script: true,
    provider: 'postgresql' as const,
    url: project.url,
    baseDir: project.dir,
  };
  process.env.MIGRATE_KIT_HISTORY_CACHE = 'off';
  let uncached: string;
  try {
    uncached = (await diff(input)).text;
  } finally {
    delete process.env.MIGRATE_KIT_HISTORY_CACHE;
  }
  const cached = (await diff(input)).text;
  expect(cached).toBe(uncached);
  return cached.trim();
}

function migrationPath(project: TestProject, name: string): string {
  return join(project.migrationsDir, name, 'migration.sql');
}

describe('history cache on PostgreSQL', () => {
  test('dev keeps its replay; the next dev with the same history starts from it, and one with a new migration extends it', async () => {
    const project = await newProject();
    project.setModels(USER_MODEL);
    await createMigration(project.source(), { name: 'init' });
    // dev replayed the history as it was (empty); the new migration was applied to the main database only.
    const first = await cacheOf(project);
    expect(first).toEqual({ oid: expect.any(Number), scripts: 0 });

    const again = await createMigration(project.source(), { name: 'nothing' });
    expect(again.created).toBeUndefined();
    // The same database, with the one migration run on it.
    expect(await cacheOf(project)).toEqual({ oid: first?.oid, scripts: 1 });
    const unchanged = await createMigration(project.source(), { name: 'nothing' });
    expect(unchanged.created).toBeUndefined();
    expect(await cacheOf(project)).toEqual({ oid: first?.oid, scripts: 1 });

    await untilNextSecond();
    project.setModels(`${USER_WITH_NAME}\n${POST_MODEL}`);
    const next = await createMigration(project.source(), { name: 'more' });
    expect(next.created).toBeDefined();
    expect((await check(project.source())).upToDate).toBe(true);
    expect(await cacheOf(project)).toEqual({ oid: first?.oid, scripts: 2 });
  });

  test('any edit of the history is a replay from scratch, and every diff equals the one without the cache', async () => {
    const project = await newProject();
    project.setModels(USER_MODEL);
    await createMigration(project.source(), { name: 'init' });
    await untilNextSecond();
    project.setModels(USER_WITH_NAME);
    await createMigration(project.source(), { name: 'name' });
    await untilNextSecond();
    project.setModels(`${USER_WITH_NAME}\n${POST_MODEL}`);
    await createMigration(project.source(), { name: 'post' });
    const [init, name] = migrationFolders(project.migrationsDir);
    expect(await historyToSchemaScript(project)).toBe('-- This is an empty migration.');
    const kept = await cacheOf(project);

    // A byte changed in the first migration: a column the schema does not have.
    const initSql = readFileSync(migrationPath(project, init!), 'utf8');
    writeFileSync(migrationPath(project, init!), initSql.replace('"email" TEXT NOT NULL', '"email" TEXT NOT NULL,\n    "legacy" INTEGER'));
    expect(await historyToSchemaScript(project)).toContain('DROP COLUMN "legacy"');
    const afterEdit = await cacheOf(project);
    expect(afterEdit?.oid).not.toBe(kept?.oid);

    // Only whitespace: still another script.
    writeFileSync(migrationPath(project, init!), `${initSql}\n`);
    expect(await historyToSchemaScript(project)).toBe('-- This is an empty migration.');
    expect((await cacheOf(project))?.oid).not.toBe(afterEdit?.oid);

    // A migration removed from the middle: the column it added is missing.
    const nameSql = readFileSync(migrationPath(project, name!), 'utf8');
    rmSync(join(project.migrationsDir, name!), { recursive: true });
    expect(await historyToSchemaScript(project)).toMatch(/ADD COLUMN\s+"name" TEXT/);

    // Put back after the last one (another order): the same objects, so no difference.
    writeFile(join(project.migrationsDir, `29990101000000_name_again`, 'migration.sql'), nameSql);
    expect(await historyToSchemaScript(project)).toBe('-- This is an empty migration.');
  });

  test('dev --create-only writes the same migration from a kept replay (and its kept catalog reads) as from a replay from scratch', async () => {
    const project = await newProject();
    project.setModels(USER_MODEL);
    await createMigration(project.source(), { name: 'init' });
    await untilNextSecond();
    project.setModels(`${USER_WITH_NAME}\n${POST_MODEL}`);
    await createMigration(project.source(), { name: 'more' });
    project.setModels(USER_MODEL.replace('email String @unique', 'email String @unique\n  age Int @default(0)'));
    const draft = async () => {
      await untilNextSecond();
      const result = await createMigration(project.source(), { name: 'draft', createOnly: true, acceptDataLoss: true });
      const path = join(project.migrationsDir, result.created!.name);
      const sql = readFileSync(join(path, 'migration.sql'), 'utf8');
      rmSync(path, { recursive: true });
      return sql;
    };

    process.env.MIGRATE_KIT_HISTORY_CACHE = 'off';
    let uncached: string;
    try {
      uncached = await draft();
    } finally {
      delete process.env.MIGRATE_KIT_HISTORY_CACHE;
    }
    const warming = await draft();
    const kept = await cacheOf(project);
    const fromCache = await draft();

    expect(uncached).toContain('DROP TABLE "Post"');
    expect(warming).toBe(uncached);
    expect(fromCache).toBe(uncached);
    expect(await cacheOf(project)).toEqual(kept);
  });

  test('a replay that fails is not kept: the next one starts from an empty database', async () => {
    const project = await newProject();
    project.setModels(USER_MODEL);
    await createMigration(project.source(), { name: 'init' });
    const kept = await cacheOf(project);
    const broken = writeFile(join(project.migrationsDir, '29990101000000_broken', 'migration.sql'), 'ALTER TABLE "NoSuchTable" ADD COLUMN "x" INTEGER;\n');

    const error = await check(project.source()).catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 'P3006' });
    expect(await cacheOf(project)).toBeUndefined();
    rmSync(join(broken, '..'), { recursive: true });
    expect((await check(project.source())).upToDate).toBe(true);
    expect((await cacheOf(project))?.oid).not.toBe(kept?.oid);
  });

  test('MIGRATE_KIT_HISTORY_CACHE=off keeps nothing', async () => {
    const project = await projectWithCacheOff();
    expect(await cacheOf(project)).toBeUndefined();
  });

  test('MIGRATE_KIT_HISTORY_CACHE=off still replays the history once per dev: its later replays (data loss, the migration, down.sql) start from that one', async () => {
    const project = await projectWithCacheOff();
    await untilNextSecond();
    project.setModels(`${USER_MODEL}\n${POST_MODEL}`);
    const created = vi.spyOn(PostgresShadowDatabase, 'create');
    onTestFinished(() => created.mockRestore());
    const result = await createMigration(project.source(), { name: 'post' });
    expect(result.created?.applied).toBeDefined();
    expect(readFileSync(join(result.created!.path, '..', 'down.sql'), 'utf8')).toMatch(/DROP TABLE ("public"\.)?"Post"/);
    // Each replay was a fresh database before (five for this dev: diagnostic, data loss, the migration, two for down.sql).
    expect(created).toHaveBeenCalledTimes(1);
    expect(await cacheOf(project)).toBeUndefined();
  });
});

/** MIGRATE_KIT_HISTORY_CACHE=off for the running test, and a project whose first migration dev made. */
async function projectWithCacheOff(): Promise<TestProject> {
  process.env.MIGRATE_KIT_HISTORY_CACHE = 'off';
  onTestFinished(() => {
    delete process.env.MIGRATE_KIT_HISTORY_CACHE;
  });
  const project = await newProject();
  project.setModels(USER_MODEL);
  await createMigration(project.source(), { name: 'init' });
  return project;
}

/** Runs `fn` with environment variables set, and puts them back. */
async function withEnv<T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const before = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(before)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

const NOTE = 'Note: the replayed migration history of database';

describe('the history cache is a guest, not a squatter', () => {
  test('a cache whose main database was dropped disappears on the next run that touches the server', async () => {
    const gone = await newProject();
    await createMigration(gone.source(), { name: 'init' });
    expect(await cacheOf(gone)).toBeDefined();
    await gone.cleanup();
    // Even a run that keeps nothing itself.
    const other = await newProject();
    await withEnv({ MIGRATE_KIT_HISTORY_CACHE: 'off' }, () => check(other.source()));
    expect(await cacheOf(gone)).toBeUndefined();
    expect(await cacheOf(other)).toBeUndefined();
  });

  test('only the newest cache of a main database stays (an older engine version\'s goes)', async () => {
    const project = await newProject();
    const owner = new URL(project.url).pathname.slice(1);
    const stale = `${HISTORY_CACHE_PREFIX}0000stale${owner.slice(-10)}`;
    await withPostgresClient(POSTGRES_SERVER_URL, async (c) => {
      await c.query(`CREATE DATABASE "${stale}"`);
      await c.query(`COMMENT ON DATABASE "${stale}" IS 'migrate-kit history cache owner=${owner} engine=0000older schema= kept=1 scripts='`);
    });
    await createMigration(project.source(), { name: 'init' });
    const left = await withPostgresClient(POSTGRES_SERVER_URL, async (c) => (await c.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [stale])).rowCount);
    expect(left).toBe(0);
    expect(await cacheOf(project)).toBeDefined();
  });

  test('the caches of a server stay under MIGRATE_KIT_HISTORY_CACHE_MAX_MB, newest first; one larger than the cap is not kept', async () => {
    const older = await newProject();
    const newer = await newProject();
    // An empty database takes about 7.5 MB: 12 MB holds one cache, not two.
    await withEnv({ MIGRATE_KIT_HISTORY_CACHE_MAX_MB: '12' }, async () => {
      await check(older.source());
      expect(await cacheOf(older)).toBeDefined();
      await untilNextSecond();
      await check(newer.source());
    });
    expect(await cacheOf(newer)).toBeDefined();
    expect(await cacheOf(older)).toBeUndefined();

    const tooBig = await newProject();
    await withEnv({ MIGRATE_KIT_HISTORY_CACHE_MAX_MB: '1' }, () => check(tooBig.source()));
    expect(await cacheOf(tooBig)).toBeUndefined();
  });

  test('with a configured shadow database no cache is kept, and one kept before is dropped', async () => {
    const project = await newProject();
    await createMigration(project.source(), { name: 'init' });
    expect(await cacheOf(project)).toBeDefined();
    const shadow = await createPostgresDatabase('mk_shadow');
    onTestFinished(() => shadow.drop());
    const withShadow = () => loadPrismaSchemaSource({ schemaPath: project.schemaPath, url: project.url, migrationsDir: project.migrationsDir, shadowDatabaseUrl: shadow.url });
    expect((await check(withShadow())).upToDate).toBe(true);
    expect(await cacheOf(project)).toBeUndefined();
    project.setModels(USER_WITH_NAME);
    await untilNextSecond();
    expect((await createMigration(withShadow(), { name: 'name' })).created).toBeDefined();
    expect(await cacheOf(project)).toBeUndefined();
  });

  test('reset drops the cache of its database', async () => {
    const project = await newProject();
    await createMigration(project.source(), { name: 'init' });
    expect(await cacheOf(project)).toBeDefined();
    await reset(project.source(), { force: true });
    expect(await cacheOf(project)).toBeUndefined();
  });

  test('the CLI says once that a cache was kept; `cache list` shows it and `cache clear` drops it', async () => {
    const project = await newProject();
    const first = await project.cli(['dev', '--name', 'init']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr.split(NOTE).length - 1).toBe(1);
    expect(first.stderr).toContain('MIGRATE_KIT_HISTORY_CACHE=off');
    expect(first.stderr).toContain('migrate-kit cache clear');
    const again = await project.cli(['check']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toContain(NOTE);
    const off = await project.cli(['check'], { env: { MIGRATE_KIT_HISTORY_CACHE: 'off' } });
    expect(off.stderr).not.toContain(NOTE);

    const owner = new URL(project.url).pathname.slice(1);
    type Listing = { caches: { name: string; database: string; migrations: number; databaseExists: boolean }[]; cleared: string[] };
    const listed = jsonOf<Listing>(await project.cli(['cache', 'list', '--json']));
    expect(listed.caches.filter((c) => c.database === owner)).toEqual([{ name: expect.stringMatching(/^migrate_kit_history_/), database: owner, migrations: 1, databaseExists: true, schema: '', engine: expect.any(String), keptAt: expect.any(Number), sizeBytes: expect.any(Number) }]);
    const cleared = jsonOf<Listing>(await project.cli(['cache', 'clear', '--json']));
    expect(cleared.cleared).toContain(listed.caches.find((c) => c.database === owner)!.name);
    expect(cleared.caches.filter((c) => c.database === owner)).toEqual([]);
    expect(await cacheOf(project)).toBeUndefined();
    // The next run keeps a new one, and says so again.
    const next = await project.cli(['check']);
    expect(next.stderr.split(NOTE).length - 1).toBe(1);
  });
});
