import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import pg from 'pg';
import { join } from 'node:path';
import { test } from 'vitest';
import { WasmEngine, type ClosableAdapterFactory } from '../src/engine/wasm-engine.js';
import { createPostgresDatabase, createProjectDir } from './helpers/databases.js';

function closable(f: any): ClosableAdapterFactory {
  const adapters: any[] = [];
  return new Proxy(f, {
    get(o, p) {
      if (p === 'close') return async () => { for (const a of adapters) await a.dispose().catch(() => {}); };
      if (p === 'connect' || p === 'connectToShadowDb') return async () => { const a = await o[p](); 
        const wrapped = new Proxy(a, { get(x, q) { const v = Reflect.get(x, q, x); if (typeof v !== 'function') return v; return (...args: any[]) => { if (q==='executeRaw'||q==='executeScript'||q==='queryRaw') console.log(p, String(q), JSON.stringify(args[0]).slice(0,200)); return v.apply(x, args); }; } });
        adapters.push(a); return wrapped; };
      const v = Reflect.get(o, p, o); return typeof v === 'function' ? v.bind(o) : v;
    },
  });
}

const lockPg = 'provider = "postgresql"\n';
const lockSqlite = 'provider = "sqlite"\n';
const list = (lock: string, migs: [string, string][]) => ({ baseDir: '/tmp/x', lockfile: { path: 'migration_lock.toml', content: lock }, shadowDbInitScript: '',
  migrationDirectories: migs.map(([n, s]) => ({ path: n, migrationFile: { path: 'migration.sql', content: { tag: 'ok' as const, value: s } } })) });
const filters = { externalTables: [], externalEnums: [] };

test('sqlite raw', async () => {
  const dir = createProjectDir();
  const file = join(dir, 'dev.db');
  const f = closable(new PrismaBetterSqlite3({ url: file }, { shadowDatabaseUrl: ':memory:' }));
  const engine = await WasmEngine.open(f, { schemaFiles: [{ path: 'schema.prisma', content: 'datasource db {\n provider = "sqlite"\n}\nmodel A { id Int @id\n name String }\n' }] });
  const migs = list(lockSqlite, [['20200101000000_a', 'CREATE TABLE "A" ("id" INTEGER NOT NULL PRIMARY KEY);\nCREATE TABLE "B" ("id" INTEGER NOT NULL PRIMARY KEY);\n'], ['20200101000001_b', 'ALTER TABLE "A" ADD COLUMN "x" TEXT;\nCREATE INDEX "i" ON "A"("x");\n']]);
  for (const [name, fn] of [
    ['apply', () => engine.applyMigrations({ migrationsList: migs, filters })],
    ['devDiagnostic', () => engine.devDiagnostic({ migrationsList: migs, filters })],
    ['diagnose', () => engine.diagnoseMigrationHistory({ migrationsList: migs, optInToShadowDatabase: true, filters })],
    ['evaluateDataLoss', () => engine.evaluateDataLoss({ migrationsList: migs, schema: { files: [{ path: 's', content: 'datasource db {\n provider = "sqlite"\n}\nmodel A { id Int @id\n name String }\n' }] }, filters })],
    ['createMigration', () => engine.createMigration({ migrationsList: migs, draft: false, migrationName: 'c', schema: { files: [{ path: 's', content: 'datasource db {\n provider = "sqlite"\n}\nmodel A { id Int @id\n name String }\n' }] }, filters })],
    ['diff', () => engine.diff({ from: { tag: 'migrations', ...migs }, to: { tag: 'empty' }, script: true, exitCode: true, filters } as any)],
  ] as const) {
    console.log('=====', name);
    try { const r = await (fn as any)(); console.log('OK', JSON.stringify(r).slice(0, 300)); } catch (e: any) { console.log('ERR', e.code, e.message.slice(0, 300)); }
  }
  await engine.dispose();
});
