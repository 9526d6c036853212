import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { test } from 'vitest';
import { WasmEngine, type ClosableAdapterFactory, openEngine } from '../src/engine/wasm-engine.js';
import { resolveConnection } from '../src/engine/connection.js';
import { createPostgresDatabase, listShadowDatabases } from './helpers/databases.js';

const lockPg = 'provider = "postgresql"\n';
const list = (lock: string, migs: [string, string][]) => ({ baseDir: '/tmp/x', lockfile: { path: 'migration_lock.toml', content: lock }, shadowDbInitScript: '',
  migrationDirectories: migs.map(([n, s]) => ({ path: n, migrationFile: { path: 'migration.sql', content: { tag: 'ok' as const, value: s } } })) });
const filters = { externalTables: [], externalEnums: [] };
const fnMig = `-- a comment; with a semicolon
CREATE TABLE "T" ("id" INTEGER PRIMARY KEY, "note" TEXT DEFAULT 'a;b');
CREATE FUNCTION touch() RETURNS trigger AS $$
BEGIN
  NEW."note" := 'x;y';
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
`;

test('pg raw', async () => {
  const db = await createPostgresDatabase();
  const pool = new pg.Pool({ connectionString: db.url });
  const raw = new PrismaPg(pool);
  const f = Object.assign(raw, { close: async () => { await pool.end().catch(() => {}); } }) as unknown as ClosableAdapterFactory;
  const engine = await WasmEngine.open(f);
  const empty = list(lockPg, []);
  for (const [name, fn] of [
    ['applyEmpty', () => engine.applyMigrations({ migrationsList: empty, filters })],
    ['devDiagnostic', () => engine.devDiagnostic({ migrationsList: empty, filters })],
    ['diagnose', () => engine.diagnoseMigrationHistory({ migrationsList: empty, optInToShadowDatabase: false, filters })],
    ['applyFn', () => engine.applyMigrations({ migrationsList: list(lockPg, [['20200101000000_fn', fnMig]]), filters })],
  ] as const) {
    console.log('=====', name);
    try { const r = await (fn as any)(); console.log('OK', JSON.stringify(r).slice(0, 300)); } catch (e: any) { console.log('ERR', e.code, e.message.slice(0, 300)); }
  }
  await engine.dispose();
  console.log(await db.query('select migration_name, finished_at, logs from _prisma_migrations').catch(e => e.message));
  console.log('shadows', await listShadowDatabases());
  const r = await db.query(`select datname from pg_database where datname like 'prisma_migrate_shadow%'`);
  console.log(r);
  await db.drop();
});
