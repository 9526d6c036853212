/**
 * The compatibility layer, workaround by workaround: each block shows that the upstream
 * behaviour we work around is still there (so a version bump that changes it is noticed and the
 * workaround can go) and that ours works. Real databases, Prisma's real adapters and engine.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { afterAll, describe, expect, test } from 'vitest';
import { resolveConnection } from '../src/engine/connection.js';
import type { Engine } from '../src/engine/engine.js';
import { openEngine } from '../src/engine/wasm-engine.js';
import { loadSchemaEngineWasm, schemaEngineVersion } from '../src/engine/wasm-module.js';
import { MigrateError } from '../src/errors.js';
import { createPostgresDatabase, createProjectDir, POSTGRES_SERVER_URL, postgresUrl, type TestPostgresDatabase, withPostgresClient } from './helpers/databases.js';
import { migrationList, NO_FILTER, openUpstreamEngine, PACKAGE_DIR, runNodeScript } from './helpers/engine.js';
import { createTestProject } from './helpers/project.js';

const EMPTY_PG = migrationList('postgresql', []);

async function withDatabase<T>(fn: (db: TestPostgresDatabase) => Promise<T>): Promise<T> {
  const db = await createPostgresDatabase('mk_compat');
  try {
    return await fn(db);
  } finally {
    await db.drop();
  }
}

async function withEngine<T>(engine: Engine, fn: (engine: Engine) => Promise<T>): Promise<T> {
  try {
    return await fn(engine);
  } finally {
    await engine.dispose();
  }
}

/** The upstream pg adapter creates `prisma_migrate_shadow_db_<uuid>` databases of its own: none may outlive this file. */
afterAll(async () => {
  await withPostgresClient(POSTGRES_SERVER_URL, async (client) => {
    const { rows } = await client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'prisma\\_migrate\\_shadow\\_db\\_%'`);
    for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  });
});

describe('the Wasm module loads and reports its version', () => {
  test('upstream: the package entry cannot be imported by Node (it imports a .wasm file)', async () => {
    const run = await runNodeScript(`await import('@prisma/schema-engine-wasm');`);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/ERR_UNKNOWN_FILE_EXTENSION/);
    expect(run.stderr).toMatch(/\.wasm/);
  });

  test('ours: instantiated once per process, its version is the pinned package build', () => {
    const first = loadSchemaEngineWasm();
    expect(loadSchemaEngineWasm()).toBe(first);
    const pinned = dependencyVersion('@prisma/schema-engine-wasm');
    expect(schemaEngineVersion()).toMatch(/^[0-9a-f]{40}$/);
    expect(pinned.endsWith(`.${schemaEngineVersion()}`)).toBe(true);
  });
});

describe('start-up', () => {
  const undiciLoaded = "process.moduleLoadList.some((m) => m.includes('undici'))";
  test('upstream: on Node 20 loading pg constructs a Response, which loads undici', async () => {
    const run = await runNodeScript(`import pg from 'pg'; console.log(JSON.stringify({ undici: ${undiciLoaded}, navigator: typeof navigator }));`);
    const seen = JSON.parse(run.stdout) as { undici: boolean; navigator: string };
    // Node 21+ defines navigator, and pg does not probe: nothing to work around there.
    if (seen.navigator === 'undefined') expect(seen.undici).toBe(true);
  });

  test('ours: pg loads without undici, leaves no navigator behind, is the instance @prisma/adapter-pg gets, and connects', async () => {
    const run = await runNodeScript(`
      const navigatorBefore = typeof navigator;
      const { pg } = await import('./dist/engine/pg.js');
      const undici = ${undiciLoaded};
      const { default: pgAgain } = await import('pg');
      const client = new pg.Client({ connectionString: ${JSON.stringify(POSTGRES_SERVER_URL)} });
      await client.connect();
      const { rows } = await client.query('SELECT 1 AS one');
      await client.end();
      console.log(JSON.stringify({ undici, navigatorBefore, navigatorAfter: typeof navigator, same: pg === pgAgain, one: rows[0].one }));
    `);
    expect(run.stderr).toBe('');
    const seen = JSON.parse(run.stdout) as { undici: boolean; navigatorBefore: string; navigatorAfter: string; same: boolean; one: number };
    expect(seen).toMatchObject({ undici: false, same: true, one: 1 });
    expect(seen.navigatorAfter).toBe(seen.navigatorBefore);
  });
});

describe('PostgreSQL "char" columns', () => {
  test('upstream: Prisma\'s pg adapter on a plain pg.Pool fails devDiagnostic on the catalog\'s "char" columns', async () => {
    await withDatabase(async (db) => {
      const pool = new pg.Pool({ connectionString: db.url });
      const upstream = await openUpstreamEngine(new PrismaPg(pool));
      try {
        await upstream.engine.applyMigrations({ migrationsList: EMPTY_PG, filters: NO_FILTER });
        await expect(upstream.engine.devDiagnostic({ migrationsList: EMPTY_PG, filters: NO_FILTER })).rejects.toThrow(/Column type 'char' could not be deserialized/);
      } finally {
        await upstream.dispose();
        await pool.end().catch(() => undefined);
      }
    });
  });

  test('ours: devDiagnostic and diagnoseMigrationHistory (with a shadow database) read the catalog', async () => {
    await withDatabase(async (db) => {
      const connection = resolveConnection({ provider: 'postgresql', url: db.url, baseDir: PACKAGE_DIR });
      await withEngine(await openEngine(connection), async (engine) => {
        await engine.applyMigrations({ migrationsList: EMPTY_PG, filters: NO_FILTER });
        await expect(engine.devDiagnostic({ migrationsList: EMPTY_PG, filters: NO_FILTER })).resolves.toEqual({ action: { tag: 'createMigration' } });
        const diagnosis = await engine.diagnoseMigrationHistory({ migrationsList: EMPTY_PG, optInToShadowDatabase: true, filters: NO_FILTER });
        expect(diagnosis).toMatchObject({ hasMigrationsTable: true, history: null, failedMigrationNames: [], editedMigrationNames: [] });
      });
    });
  });
});

describe('PostgreSQL scripts are sent whole', () => {
  // Each has a `;` where splitting on `;` breaks the statement.
  const DOLLAR_QUOTED = `CREATE FUNCTION "set_updated"() RETURNS trigger AS $$\nBEGIN\n  NEW."updated" := now();\n  RETURN NEW;\nEND;\n$$ LANGUAGE plpgsql;\n`;
  const COMMENT = `-- notes; free text written by people\nCREATE TABLE "note" ("id" INTEGER PRIMARY KEY, "body" TEXT, "updated" TIMESTAMP(3));\n`;
  const STRING_LITERAL = `CREATE TABLE "setting" ("key" TEXT PRIMARY KEY, "value" TEXT NOT NULL DEFAULT 'a;b');\n`;

  test.each([
    ['a dollar-quoted function body', DOLLAR_QUOTED, /unterminated dollar-quoted string/],
    ['a comment', COMMENT, /syntax error at or near "free"/],
    ['a string literal', STRING_LITERAL, /unterminated quoted string/],
  ])('upstream: Prisma\'s pg adapter splits a migration with a `;` in %s and fails half way', async (_what, script, failure) => {
    await withDatabase(async (db) => {
      const pool = new pg.Pool({ connectionString: db.url });
      const upstream = await openUpstreamEngine(new PrismaPg(pool));
      try {
        const migrationsList = migrationList('postgresql', [['20240101000000_split', script]]);
        await expect(upstream.engine.applyMigrations({ migrationsList, filters: NO_FILTER })).rejects.toThrow(failure);
      } finally {
        await upstream.dispose();
        await pool.end().catch(() => undefined);
      }
    });
  });

  test('ours: the same migration, all three at once plus a trigger, applies and does what it says', async () => {
    await withDatabase(async (db) => {
      const script = `${COMMENT}${STRING_LITERAL}${DOLLAR_QUOTED}CREATE TRIGGER "note_updated" BEFORE UPDATE ON "note" FOR EACH ROW EXECUTE FUNCTION "set_updated"();\n`;
      const connection = resolveConnection({ provider: 'postgresql', url: db.url, baseDir: PACKAGE_DIR });
      await withEngine(await openEngine(connection), async (engine) => {
        const applied = await engine.applyMigrations({ migrationsList: migrationList('postgresql', [['20240101000000_whole', script]]), filters: NO_FILTER });
        expect(applied.appliedMigrationNames).toEqual(['20240101000000_whole']);
      });
      await db.query(`INSERT INTO "setting" ("key") VALUES ('k')`);
      expect(await db.query(`SELECT "value" FROM "setting"`)).toEqual([{ value: 'a;b' }]);
      await db.query(`INSERT INTO "note" ("id", "body") VALUES (1, 'x')`);
      await db.query(`UPDATE "note" SET "body" = 'y'`);
      const [note] = await db.query<{ updated: Date | null }>(`SELECT "updated" FROM "note"`);
      expect(note?.updated).toBeInstanceOf(Date);
      const rows = await db.query(`SELECT migration_name, finished_at IS NOT NULL AS finished, applied_steps_count FROM _prisma_migrations`);
      expect(rows).toEqual([{ migration_name: '20240101000000_whole', finished: true, applied_steps_count: 1 }]);
    });
  });
});

describe('the `_prisma_migrations` rows of a PostgreSQL deploy', () => {
  const MIGRATIONS: [string, string][] = [
    ['20240101000000_create_a', 'CREATE TABLE "A" ("id" INTEGER PRIMARY KEY);\n'],
    ['20240101000001_fill_a', 'INSERT INTO "A" VALUES (1);\n'],
  ];
  type Row = { id: string; checksum: string; migration_name: string; logs: string | null; rolled_back_at: Date | null; applied_steps_count: number; started: number; finished: number };
  const rowsOf = (db: TestPostgresDatabase) =>
    db.query<Row>(
      `SELECT "id", "checksum", "migration_name", "logs", "rolled_back_at", "applied_steps_count", extract(epoch FROM "started_at")::float8 AS "started", extract(epoch FROM "finished_at")::float8 AS "finished" FROM "_prisma_migrations" ORDER BY "started_at"`,
    );
  /** A row with its times made relative to the moment the deploy began (seconds), the id to its shape. */
  const comparable = (row: Row, began: number) => ({
    ...row,
    id: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(row.id),
    started: Math.round(row.started - began),
    finished: Math.round(row.finished - began),
  });
  const deployWith = async (db: TestPostgresDatabase, upstream: boolean) => {
    const migrationsList = migrationList('postgresql', MIGRATIONS);
    if (!upstream) {
      await withEngine(await openEngine(resolveConnection({ provider: 'postgresql', url: db.url, baseDir: PACKAGE_DIR })), (engine) => engine.applyMigrations({ migrationsList, filters: NO_FILTER }));
      return;
    }
    const pool = new pg.Pool({ connectionString: db.url });
    const engine = await openUpstreamEngine(new PrismaPg(pool));
    try {
      await engine.engine.applyMigrations({ migrationsList, filters: NO_FILTER });
    } finally {
      await engine.dispose();
      await pool.end().catch(() => undefined);
    }
  };

  test('ours (each row written in its script\'s transaction) are the rows the engine writes on Prisma\'s pg adapter', async () => {
    const written = await Promise.all(
      [true, false].map((upstream) =>
        withDatabase(async (db) => {
          const began = Date.now() / 1000;
          await deployWith(db, upstream);
          return (await rowsOf(db)).map((r) => comparable(r, began));
        }),
      ),
    );
    expect(written[0]).toHaveLength(2);
    expect(written[1]).toEqual(written[0]);
    expect(written[0]?.map((r) => [r.migration_name, r.applied_steps_count, r.logs, r.rolled_back_at, r.id, r.started, r.finished])).toEqual([
      [MIGRATIONS[0]![0], 1, null, null, true, 0, 0],
      [MIGRATIONS[1]![0], 1, null, null, true, 0, 0],
    ]);
  });

  test('upstream: on a server whose TimeZone is not UTC, Prisma\'s pg adapter writes started_at (and finished_at) hours off; ours is the engine\'s instant', async () => {
    const skews = await Promise.all(
      [true, false].map((upstream) =>
        withDatabase(async (db) => {
          await db.query(`ALTER DATABASE "${new URL(db.url).pathname.slice(1)}" SET timezone = 'America/New_York'`);
          const began = Date.now() / 1000;
          await deployWith(db, upstream);
          return (await rowsOf(db)).map((r) => Math.round((r.started - began) / 3600));
        }),
      ),
    );
    expect(skews[0]?.every((hours) => Math.abs(hours) >= 4)).toBe(true);
    expect(skews[1]).toEqual([0, 0]);
  });
});

describe('SQLite shadow replay of multi-statement migrations', () => {
  const HISTORY: [string, string][] = [
    ['20240101000000_init', `CREATE TABLE "User" ("id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, "email" TEXT NOT NULL);\nCREATE UNIQUE INDEX "User_email_key" ON "User"("email");\n`],
    ['20240102000000_post', `CREATE TABLE "Post" ("id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, "title" TEXT NOT NULL);\nCREATE INDEX "Post_title_idx" ON "Post"("title");\n`],
  ];
  const list = migrationList('sqlite', HISTORY);

  test('upstream: better-sqlite3 refuses the whole migration the engine sends through executeRaw (devDiagnostic, diff from migrations)', async () => {
    const file = join(createProjectDir(), 'dev.db');
    const upstream = await openUpstreamEngine(new PrismaBetterSqlite3({ url: file }, { shadowDatabaseUrl: ':memory:' }));
    try {
      // Applying to the main database goes through executeScript, which takes many statements.
      await expect(upstream.engine.applyMigrations({ migrationsList: list, filters: NO_FILTER })).resolves.toEqual({ appliedMigrationNames: HISTORY.map(([name]) => name) });
      // Replaying them on the shadow database goes through executeRaw, which does not; better-sqlite3
      // throws a plain RangeError, which the engine only knows as `External error id#N`.
      const diagnostic = await upstream.engine.devDiagnostic({ migrationsList: list, filters: NO_FILTER }).catch((e: unknown) => e);
      expect((diagnostic as Error).message).toMatch(/^Migration `20240101000000_init` failed to apply cleanly to the shadow database\.\s+Error:\s+External error id#\d+/);
      expect(upstream.underlyingError(diagnostic)?.message).toMatch(/contains more than one statement/);
      const diff = await upstream.engine
        .diff({ from: { tag: 'migrations', ...list }, to: { tag: 'empty' }, script: true, exitCode: true, filters: NO_FILTER })
        .catch((e: unknown) => e);
      expect((diff as Error).message).toMatch(/External error id#\d+/);
      expect(upstream.underlyingError(diff)?.message).toMatch(/contains more than one statement/);
    } finally {
      await upstream.dispose();
    }
  });

  test('ours: devDiagnostic, diagnoseMigrationHistory and diff from migrations replay the same history', async () => {
    const file = join(createProjectDir(), 'dev.db');
    const connection = resolveConnection({ provider: 'sqlite', url: `file:${file}`, baseDir: PACKAGE_DIR });
    await withEngine(await openEngine(connection), async (engine) => {
      await engine.applyMigrations({ migrationsList: list, filters: NO_FILTER });
      await expect(engine.devDiagnostic({ migrationsList: list, filters: NO_FILTER })).resolves.toEqual({ action: { tag: 'createMigration' } });
      const diagnosis = await engine.diagnoseMigrationHistory({ migrationsList: list, optInToShadowDatabase: true, filters: NO_FILTER });
      expect(diagnosis).toMatchObject({ history: null, failedMigrationNames: [], editedMigrationNames: [] });
      const diff = await engine.diff({ from: { tag: 'migrations', ...list }, to: { tag: 'empty' }, script: true, exitCode: true, filters: NO_FILTER });
      expect(diff.stdout).toMatch(/DROP TABLE "User"/);
      expect(diff.stdout).toMatch(/DROP TABLE "Post"/);
    });
  });
});

describe('errors are readable', () => {
  test('upstream: an exception thrown by an adapter reaches us as a bare "External error id#N"', async () => {
    const file = join(createProjectDir(), 'no-such-folder', 'dev.db');
    await expect(openUpstreamEngine(new PrismaBetterSqlite3({ url: file }))).rejects.toThrow(/^External error id#\d+$/);
  });

  test('ours: the same failure is a MigrateError with the underlying message', async () => {
    const file = join(createProjectDir(), 'no-such-folder', 'dev.db');
    const error = await openEngine(resolveConnection({ provider: 'sqlite', url: `file:${file}`, baseDir: PACKAGE_DIR })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrateError);
    expect((error as MigrateError).message).toMatch(/directory does not exist/);
    expect((error as MigrateError).message).not.toMatch(/External error/);
  });

  const UNREACHABLE = 'postgresql://postgres@127.0.0.1:1/mk_compat_unreachable';
  const UNKNOWN_DATABASE = postgresUrl('mk_compat_no_such_database');

  test.each([
    ['an unreachable server', UNREACHABLE, /^Can't reach database server at `127\.0\.0\.1:1`/],
    ['an unknown database', UNKNOWN_DATABASE, /^Database `mk_compat_no_such_database` does not exist/],
  ])('upstream: %s is reported with Prisma\'s message but without its P-code', async (_what, url, message) => {
    // The engine connects when it starts.
    const error = await openUpstreamEngine(new PrismaPg({ connectionString: url })).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(message);
    expect((error as { code?: unknown }).code).toBeUndefined();
  });

  test.each([
    ['an unreachable server', UNREACHABLE, 'P1001', /Can't reach database server at `127\.0\.0\.1:1`/],
    ['an unknown database', UNKNOWN_DATABASE, 'P1003', /Database `mk_compat_no_such_database` does not exist/],
  ])('ours: %s is a MigrateError %s', async (_what, url, code, message) => {
    const error = await openEngine(resolveConnection({ provider: 'postgresql', url, baseDir: PACKAGE_DIR })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrateError);
    expect(error).toMatchObject({ code, message: expect.stringMatching(message) });
  });

  // A panic leaves the Wasm instance unusable, so each runs in a process of its own.
  const PANIC_SETUP = `
    import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
    import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
    const factory = bindMigrationAwareSqlAdapterFactory(new PrismaBetterSqlite3({ url: ':memory:' }));
  `;

  test('upstream: without the panic registry a Rust panic surfaces as an unrelated TypeError', async () => {
    const run = await runNodeScript(`${PANIC_SETUP}
      import { readFileSync } from 'node:fs';
      import * as glue from '@prisma/schema-engine-wasm/schema_engine_bg';
      const wasmUrl = new URL('schema_engine_bg.wasm', import.meta.resolve('@prisma/schema-engine-wasm/schema_engine_bg'));
      const instance = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(wasmUrl)), { './schema_engine_bg.js': glue });
      glue.__wbg_set_wasm(instance.exports);
      instance.exports.__wbindgen_start();
      const engine = await glue.SchemaEngine.new({}, () => {}, factory);
      try { engine.debugPanic(); } catch (error) { console.log(JSON.stringify({ name: error.constructor.name, message: error.message })); }
    `);
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ name: 'TypeError', message: "Cannot read properties of undefined (reading 'set_message')" });
  });

  test('ours: a Rust panic is a MigrateError MK_ENGINE_PANIC that quotes the panic', async () => {
    const run = await runNodeScript(`${PANIC_SETUP}
      import { loadSchemaEngineWasm } from './dist/engine/wasm-module.js';
      import { translateError } from './dist/engine/wasm-engine.js';
      const engine = await loadSchemaEngineWasm().SchemaEngine.new({}, () => {}, factory);
      try { engine.debugPanic(); } catch (error) { const e = translateError(error, factory); console.log(JSON.stringify({ name: e.name, code: e.code, message: e.message })); }
    `);
    expect(run.stderr).toBe('');
    const error = JSON.parse(run.stdout) as { name: string; code: string; message: string };
    expect(error).toMatchObject({ name: 'MigrateError', code: 'MK_ENGINE_PANIC' });
    expect(error.message).toMatch(/^The Prisma schema engine crashed: panicked at .*This is the debugPanic artificial panic/s);
  });

  test('upstream: a MySQL adapter makes the engine panic inside a callback, and the call never settles', async () => {
    // No MySQL adapter is installed: Prisma's pg adapter, relabelled, is what the engine sees as one.
    const run = await runNodeScript(`
      import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
      import { PrismaPg } from '@prisma/adapter-pg';
      import { loadSchemaEngineWasm } from './dist/engine/wasm-module.js';
      const pgFactory = new PrismaPg({ connectionString: ${JSON.stringify(POSTGRES_SERVER_URL)} });
      const asMysql = {
        provider: 'mysql',
        adapterName: 'relabelled-pg',
        connect: async () => Object.assign(Object.create(await pgFactory.connect()), { provider: 'mysql' }),
        connectToShadowDb: () => pgFactory.connectToShadowDb(),
      };
      process.on('uncaughtException', (error) => {
        console.log(JSON.stringify({ uncaught: error.constructor.name + ': ' + error.message, panic: globalThis.PRISMA_WASM_PANIC_REGISTRY.message }));
        process.exit(0);
      });
      setTimeout(() => { console.log(JSON.stringify({ settled: false })); process.exit(0); }, 5000);
      loadSchemaEngineWasm().SchemaEngine.new({}, () => {}, bindMigrationAwareSqlAdapterFactory(asMysql)).then(
        () => { console.log(JSON.stringify({ settled: 'resolved' })); process.exit(0); },
        (error) => { console.log(JSON.stringify({ settled: 'rejected', message: error.message })); process.exit(0); },
      );
    `);
    const outcome = JSON.parse(run.stdout) as { uncaught?: string; panic?: string };
    expect(outcome.uncaught).toBe('RuntimeError: unreachable');
    expect(outcome.panic).toMatch(/Unsupported adapter provider: Mysql/);
  });

  test('ours: a MySQL datasource is refused before the engine starts, with MK_UNSUPPORTED_PROVIDER and the reason', async () => {
    expect(() => resolveConnection({ provider: 'mysql', url: 'mysql://root@127.0.0.1:3306/app', baseDir: PACKAGE_DIR })).toThrow(
      expect.objectContaining({ code: 'MK_UNSUPPORTED_PROVIDER', message: expect.stringMatching(/only drives PostgreSQL and SQLite.*native schema-engine binary/) }),
    );
    const project = await createTestProject('sqlite');
    project.setModels('model User {\n  id Int @id\n}');
    writeFileSync(project.schemaPath, readFileSync(project.schemaPath, 'utf8').replace('provider = "sqlite"', 'provider = "mysql"'));
    const run = await project.cli(['deploy', '--json'], { env: { DATABASE_URL: 'mysql://root@127.0.0.1:3306/app' } });
    expect(run.code).toBe(1);
    const body = JSON.parse(run.stdout) as { ok: boolean; error: { code: string; message: string; hint: string } };
    expect(body).toMatchObject({ ok: false, error: { code: 'MK_UNSUPPORTED_PROVIDER' } });
    expect(body.error.message).toMatch(/"mysql" provider is not supported yet.*native schema-engine binary/);
    expect(body.error.hint).toMatch(/prisma migrate/);
  });
});

describe('the process exits as soon as the command is done', () => {
  // Opened with the schema (as the CLI does), evaluateDataLoss arms a 60 s setTimeout, and the
  // engine has no clearTimeout import.
  const ENGINE_STEPS = `
    const list = { baseDir: dir, lockfile: { path: 'migration_lock.toml', content: null }, shadowDbInitScript: '', migrationDirectories: [] };
    const filters = { externalTables: [], externalEnums: [] };
    await engine.applyMigrations({ migrationsList: list, filters });
    await engine.devDiagnostic({ migrationsList: list, filters });
    await engine.evaluateDataLoss({ migrationsList: list, schema: { files: [{ path: 'schema.prisma', content: schema }] }, filters });
  `;
  const TEMP_DIR = `
    import { mkdtempSync } from 'node:fs';
    import { tmpdir } from 'node:os';
    import { join } from 'node:path';
    const dir = mkdtempSync(join(tmpdir(), 'mk-timers-'));
    const schema = 'datasource db {\\n  provider = "sqlite"\\n}\\n\\nmodel User {\\n  id Int @id\\n}\\n';
  `;

  test('upstream: after evaluateDataLoss a 60 s timer keeps the process alive, engine freed and connections closed', async () => {
    const run = await runNodeScript(`${TEMP_DIR}
      import { readFileSync } from 'node:fs';
      import * as glue from '@prisma/schema-engine-wasm/schema_engine_bg';
      import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
      import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
      globalThis.PRISMA_WASM_PANIC_REGISTRY = { message: undefined, set_message(m) { this.message = m; } };
      const armed = [];
      const imports = { ...glue };
      for (const key of Object.keys(imports)) {
        if (!key.startsWith('__wbg_setTimeout_')) continue;
        const original = imports[key];
        imports[key] = (callback, ms) => { armed.push(ms); return original(callback, ms); };
      }
      const wasmUrl = new URL('schema_engine_bg.wasm', import.meta.resolve('@prisma/schema-engine-wasm/schema_engine_bg'));
      const instance = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(wasmUrl)), { './schema_engine_bg.js': imports });
      glue.__wbg_set_wasm(instance.exports);
      instance.exports.__wbindgen_start();
      const adapters = [];
      const upstream = new PrismaBetterSqlite3({ url: join(dir, 'dev.db') });
      const factory = { provider: 'sqlite', adapterName: 'upstream', connect: async () => { const a = await upstream.connect(); adapters.push(a); return a; }, connectToShadowDb: async () => { const a = await upstream.connectToShadowDb(); adapters.push(a); return a; } };
      const engine = await glue.SchemaEngine.new({ datamodels: [['schema.prisma', schema]] }, () => {}, bindMigrationAwareSqlAdapterFactory(factory));
      ${ENGINE_STEPS}
      engine.free();
      for (const a of adapters) await a.dispose();
      console.log(JSON.stringify({ armed, timersHoldingTheProcess: process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length }));
      process.exit(0);
    `);
    expect(run.stderr).toBe('');
    const outcome = JSON.parse(run.stdout) as { armed: number[]; timersHoldingTheProcess: number };
    expect(outcome.armed).toContain(60_000);
    expect(outcome.timersHoldingTheProcess).toBeGreaterThan(0);
  });

  test('ours: the same calls leave no timer holding the process', async () => {
    const run = await runNodeScript(`${TEMP_DIR}
      import { openEngine } from './dist/engine/wasm-engine.js';
      import { resolveConnection } from './dist/engine/connection.js';
      const connection = resolveConnection({ provider: 'sqlite', url: 'file:' + join(dir, 'dev.db'), baseDir: dir });
      const engine = await openEngine(connection, { schemaFiles: [{ path: 'schema.prisma', content: schema }] });
      ${ENGINE_STEPS}
      await engine.dispose();
      console.log(JSON.stringify({ timersHoldingTheProcess: process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length }));
      process.exit(0);
    `);
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ timersHoldingTheProcess: 0 });
  });

  test('ours: `dev` creating a migration exits in well under the engine\'s 60 s', async () => {
    const project = await createTestProject('sqlite');
    const started = performance.now();
    const run = await project.cli(['dev', '--name', 'init']);
    const elapsedMs = performance.now() - started;
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/_init\//);
    expect(elapsedMs).toBeLessThan(20_000);
  });
});

describe('pinned versions', () => {
  const PINNED = ['@prisma/schema-engine-wasm', '@prisma/adapter-pg', '@prisma/adapter-better-sqlite3', '@prisma/driver-adapter-utils', 'pg', 'better-sqlite3'];

  test.each(PINNED)('%s is pinned to an exact version, and that version is the one installed', (name) => {
    const declared = dependencyVersion(name);
    expect(declared).toMatch(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/);
    expect(installedVersion(name)).toBe(declared);
  });
});

function dependencyVersion(name: string): string {
  const manifest = JSON.parse(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  const version = manifest.dependencies[name];
  if (!version) throw new Error(`${name} is not a dependency of migrate-core`);
  return version;
}

function installedVersion(name: string): string {
  const require = createRequire(join(PACKAGE_DIR, 'package.json'));
  // Some packages do not export their package.json: find it beside the resolved entry point.
  let dir = require.resolve(name);
  for (;;) {
    dir = join(dir, '..');
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version: string };
      if (manifest.name === name) return manifest.version;
    } catch {
      // no package.json at this level
    }
    if (dir === '/') throw new Error(`no package.json found for ${name}`);
  }
}
