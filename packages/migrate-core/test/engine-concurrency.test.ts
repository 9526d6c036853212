/**
 * Several deploys at once on one database (replicas starting together, parallel CI jobs): each
 * migration is applied exactly once and every process succeeds. PostgreSQL serialises them with
 * the engine's advisory lock; SQLite with the engine's `locking_mode=EXCLUSIVE`, the write lock we
 * take as soon as it is set (adapters/sqlite-lock.ts) and the 30 s busy timeout (adapters/sqlite.ts).
 */
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { createProjectDir } from './helpers/databases.js';
import { generatedHistory, pollFor, startNodeScript, writeHistory } from './helpers/engine.js';
import { createTestProject, PROVIDERS } from './helpers/project.js';

const PROCESSES = 6;
const HISTORY = generatedHistory(20);
const NAMES = HISTORY.map(([name]) => name);

describe.each(PROVIDERS)('%s', (provider) => {
  test(`${PROCESSES} concurrent deploys apply each of ${HISTORY.length} migrations exactly once, and all exit 0`, async () => {
    const project = await createTestProject(provider);
    try {
      writeHistory(project.migrationsDir, provider, HISTORY);
      const runs = await Promise.all(Array.from({ length: PROCESSES }, () => project.cli(['deploy', '--json'])));

      const applied: string[] = [];
      for (const run of runs) {
        // A deploy that waits a second for another's migration lock says so (and by whom); nothing else.
        expect(run.stderr.replace(/^Waiting for the migration lock, held by PostgreSQL session \d+ \(application "migrate-kit".*\n/gm, '')).toBe('');
        expect(run.code).toBe(0);
        const body = JSON.parse(run.stdout) as { ok: boolean; found: number; applied: { name: string }[] };
        expect(body).toMatchObject({ ok: true, found: HISTORY.length });
        applied.push(...body.applied.map((m) => m.name));
      }
      // Between them the processes applied every migration, none twice.
      expect([...applied].sort()).toEqual(NAMES);

      const rows = await project.query('SELECT migration_name, finished_at, rolled_back_at, applied_steps_count, logs FROM _prisma_migrations ORDER BY migration_name');
      expect(rows.map((r) => r.migration_name)).toEqual(NAMES);
      for (const row of rows) {
        expect(row.finished_at).not.toBeNull();
        expect(row.rolled_back_at).toBeNull();
        expect(Number(row.applied_steps_count)).toBe(1);
        expect(row.logs).toBeNull();
      }
      const tables =
        provider === 'sqlite'
          ? await project.query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 't%'`)
          : await project.query(`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 't%'`);
      expect(tables).toHaveLength(HISTORY.length);
    } finally {
      await project.cleanup();
    }
  });
});

/**
 * applyMigrations in a child process, held after its first read under the engine's exclusive
 * locking mode (it prints `paused`) until a line arrives on stdin. A real engine and adapter:
 * the hold only forces the interleaving that six processes hit now and then.
 */
const HELD_DEPLOY = `
  import { once } from 'node:events';
  import { createInterface } from 'node:readline';
  import { WasmEngine } from './dist/engine/wasm-engine.js';
  import { SqliteAdapterFactory } from './dist/engine/adapters/sqlite.js';
  import { readMigrationsFolder, toEngineMigrationList } from './dist/history/migrations-folder.js';
  const lines = createInterface({ input: process.stdin });
  const goOn = once(lines, 'line').then(() => lines.close());
  const migrationsList = toEngineMigrationList(readMigrationsFolder(process.env.MK_MIGRATIONS));
  const factory = new SqliteAdapterFactory({ file: process.env.MK_DATABASE });
  const holding = {
    provider: 'sqlite',
    adapterName: 'holding',
    close: () => factory.close(),
    connectToShadowDb: () => factory.connectToShadowDb(),
    async connect() {
      const adapter = await factory.connect();
      let exclusive = false;
      let held = false;
      return new Proxy(adapter, {
        get(target, prop) {
          const value = Reflect.get(target, prop);
          if (typeof value !== 'function') return value;
          if (prop === 'executeRaw') return async (query) => {
            const result = await value.call(target, query);
            if (/locking_mode\\s*=\\s*EXCLUSIVE/i.test(query.sql)) exclusive = true;
            return result;
          };
          if (prop === 'queryRaw') return async (query) => {
            const result = await value.call(target, query);
            if (exclusive && !held) { held = true; console.log('paused'); await goOn; }
            return result;
          };
          return value.bind(target);
        },
      });
    },
  };
  const engine = await WasmEngine.open(holding);
  try {
    const { appliedMigrationNames } = await engine.applyMigrations({ migrationsList, filters: { externalTables: [], externalEnums: [] } });
    console.log(JSON.stringify({ applied: appliedMigrationNames.length }));
  } catch (error) {
    console.log(JSON.stringify({ error: error.code + ': ' + error.message }));
  } finally {
    await engine.dispose();
  }
`;

describe('sqlite, under the engine\'s exclusive locking mode', () => {
  test('two deploys that have both read under exclusive locking mode before either writes: the second waits its turn instead of failing with SQLITE_BUSY', async () => {
    const dir = createProjectDir();
    const migrationsDir = join(dir, 'migrations');
    writeHistory(migrationsDir, 'sqlite', HISTORY);
    const env = { ...process.env, MK_DATABASE: join(dir, 'dev.db'), MK_MIGRATIONS: migrationsDir };
    const deploys = [0, 1].map(() => startNodeScript(['--input-type=module', '-e', HELD_DEPLOY], env));
    try {
      await pollFor('a deploy to hold', async () => (deploys.some((d) => d.output().includes('paused')) ? true : undefined), 20_000);
      // Give the other one time to get there too (without the fix it does, and both then fail).
      await pollFor('both deploys to hold', async () => (deploys.every((d) => d.output().includes('paused')) ? true : undefined), 1500).catch(() => undefined);
      for (const { child } of deploys) child.stdin.write('go\n');
      expect(await Promise.all(deploys.map((d) => d.exited))).toEqual([0, 0]);
      const outcomes = deploys.map((d) => JSON.parse(d.output().split('\n').find((l) => l.startsWith('{')) ?? '{}') as { applied?: number; error?: string });
      expect(outcomes.map((o) => o.error)).toEqual([undefined, undefined]);
      expect(outcomes.map((o) => o.applied).sort()).toEqual([0, HISTORY.length]);
    } finally {
      for (const { child } of deploys) child.kill('SIGKILL');
    }
  });
});
