/**
 * `reset` on SQLite empties the database file where it is, under the exclusive lock, so that a
 * process already waiting for that lock (a `deploy` started during the reset) gets a usable,
 * empty database when the reset lets go, not a deleted file (reliability/README.md, finding 12:
 * "attempt to write a readonly database", once "database disk image is malformed").
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, test } from 'vitest';
import { SqliteAdapterFactory } from '../src/engine/adapters/sqlite.js';
import { WasmEngine } from '../src/engine/wasm-engine.js';
import { readMigrationsFolder, toEngineMigrationList } from '../src/history/migrations-folder.js';
import { createProjectDir } from './helpers/databases.js';
import { generatedHistory, NO_FILTER, pollFor, startNodeScript, writeHistory } from './helpers/engine.js';

const HISTORY = generatedHistory(5);

/** A plain better-sqlite3 client that opens the file, says `waiting`, then waits for the write lock and writes. */
const WAITER = `
  const Database = require('better-sqlite3');
  const db = new Database(process.env.MK_DATABASE, { timeout: 20000 });
  console.log('waiting');
  try {
    db.exec('BEGIN EXCLUSIVE');
    db.exec('CREATE TABLE "waiter" ("id" INTEGER PRIMARY KEY); INSERT INTO "waiter" VALUES (1); COMMIT');
    console.log('wrote');
  } catch (error) {
    console.log('failed: ' + error.message);
    process.exitCode = 1;
  }
`;

const startWaiter = (file: string) => startNodeScript(['-e', WAITER], { ...process.env, MK_DATABASE: file });

describe.each(['delete', 'wal'])('sqlite reset, journal_mode=%s', (journalMode) => {
  test('a process waiting for the lock during the reset then writes to the emptied file at the same path', async () => {
    const dir = createProjectDir();
    const file = join(dir, 'dev.db');
    const migrationsDir = join(dir, 'migrations');
    writeHistory(migrationsDir, 'sqlite', HISTORY);
    if (journalMode === 'wal') {
      const db = new Database(file);
      db.pragma('journal_mode = WAL');
      db.close();
    }
    const migrationsList = toEngineMigrationList(readMigrationsFolder(migrationsDir));
    const engine = await WasmEngine.open(new SqliteAdapterFactory({ file }));
    let waiter: ReturnType<typeof startWaiter> | undefined;
    try {
      await engine.applyMigrations({ migrationsList, filters: NO_FILTER });
      // The engine's connection now holds the file exclusively; the waiter opens it and waits.
      waiter = startWaiter(file);
      const started = waiter;
      await pollFor('the waiter to open the file', async () => (started.output().includes('waiting') ? true : undefined), 20_000);
      await new Promise((r) => setTimeout(r, 300));
      await engine.reset({ filter: NO_FILTER });
      expect(await waiter.exited, waiter.output()).toBe(0);
      expect(waiter.output()).toContain('wrote');
    } finally {
      waiter?.child.kill('SIGKILL');
      await engine.dispose();
    }
    // The file at the path is the one the waiter wrote to: sound, empty of the migrated tables.
    expect(existsSync(file)).toBe(true);
    const db = new Database(file, { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const tables = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as { name: string }[]).map((t) => t.name);
      expect(tables).toEqual(['waiter']);
    } finally {
      db.close();
    }
  });
});
