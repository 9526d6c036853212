import { createPostgresDatabase, POSTGRES_SERVER_URL } from '@migrate-kit/test-support';
import { describe, expect, test } from 'vitest';
import { runNodeScript } from './helpers/engine.js';

// A real trap: Prisma's pg adapter on our pool (the `"char"` catalog columns reported as text, as
// before test/check-constraints.test.ts was fixed) in front of a database with a CHECK constraint.
// The engine reads `pg_constraint.contype` as a char only, panics while describing the database, and
// the panic is a Wasm `unreachable` trap in a microtask the engine's glue queued: before, an uncaught
// exception that ended the process with a Wasm stack trace, the call never settling.
function trapScript(url: string, steps: string): string {
  return `
    import { PrismaPg } from '@prisma/adapter-pg';
    import pg from 'pg';
    import { WasmEngine } from './dist/engine/wasm-engine.js';
    import { PostgresAdapterFactory } from './dist/engine/adapters/postgres.js';
    import { createPool } from './dist/engine/adapters/postgres-types.js';
    import { overrideMethods } from './dist/engine/adapters/override.js';
    const url = ${JSON.stringify(url)};
    const ours = new PostgresAdapterFactory({ url });
    let upstream;
    const charAsTextOnly = overrideMethods(ours, {
      connect: async () => (upstream = await new PrismaPg(createPool(url), { disposeExternalPool: true }).connect()),
      close: async () => { await upstream?.dispose(); await ours.close(); },
    });
    const migrationsList = { baseDir: '/nonexistent', lockfile: { path: 'migration_lock.toml', content: null }, shadowDbInitScript: '', migrationDirectories: [] };
    const filters = { externalTables: [], externalEnums: [] };
    const execute = async (sql) => { const client = new pg.Client({ connectionString: url }); await client.connect(); await client.query(sql); await client.end(); };
    const report = (what, error) => console.log(JSON.stringify({ what, name: error.name, code: error.code, message: error.message, hint: error.hint, details: error.details }));
    ${steps}
  `;
}

const CHECKED_TABLE = 'CREATE TABLE "User" ("id" INTEGER PRIMARY KEY, CONSTRAINT "one" CHECK ("id" = 1))';
const USER_SCHEMA = 'datasource db {\n  provider = "postgresql"\n}\n\nmodel User {\n  id Int @id\n}\n';

async function databaseWithCheckConstraint() {
  const db = await createPostgresDatabase();
  await db.query(CHECKED_TABLE);
  return db;
}

async function shadowDatabasesOf(pid: number | undefined): Promise<string[]> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: POSTGRES_SERVER_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'migrate\\_kit\\_shadow\\_' || $1 || '\\_%'`, [String(pid)]);
    return rows.map((r) => r.datname);
  } finally {
    await client.end();
  }
}

describe('a trap inside the engine', () => {
  test('is a MigrateError MK_ENGINE_PANIC naming the operation and the panic; the process ends by itself, its shadow database dropped', async () => {
    const db = await createPostgresDatabase();
    try {
      const run = await runNodeScript(
        trapScript(
          db.url,
          `
          console.log(JSON.stringify({ pid: process.pid }));
          const engine = await WasmEngine.open(charAsTextOnly, {});
          try {
            await engine.applyMigrations({ migrationsList, filters });
            await execute(${JSON.stringify(CHECKED_TABLE)});
            await engine.devDiagnostic({ migrationsList, filters });
            console.log(JSON.stringify({ what: 'no trap' }));
          } catch (error) { report('trap', error); }
          try { await engine.diagnoseMigrationHistory({ migrationsList, optInToShadowDatabase: false, filters }); }
          catch (error) { report('after', error); }
          await engine.dispose();
        `,
        ),
      );
      expect(run.timedOut).toBe(false);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).not.toMatch(/RuntimeError|wasm-function/);
      const [started, trap, after] = run.stdout.trim().split('\n').map((line) => JSON.parse(line));
      expect(trap).toMatchObject({ what: 'trap', name: 'MigrateError', code: 'MK_ENGINE_PANIC', details: { operation: 'devDiagnostic' } });
      expect(trap.message).toMatch(/^The Prisma schema engine crashed during devDiagnostic: panicked at .*constraint_type/s);
      expect(trap.hint).toMatch(/report it .*engine version \([0-9a-f]{40}\)/);
      // The instance that trapped is never called again.
      expect(after).toMatchObject({ what: 'after', code: 'MK_ENGINE_PANIC', message: expect.stringMatching(/crashed earlier in this process/) });
      expect(await shadowDatabasesOf(started.pid)).toEqual([]);
    } finally {
      await db.drop();
    }
  });

  test('after a trap, the next engine in the process works on a fresh instance', async () => {
    const db = await databaseWithCheckConstraint();
    try {
      const run = await runNodeScript(
        trapScript(
          db.url,
          `
          const schema = { files: [{ path: 'schema.prisma', content: ${JSON.stringify(USER_SCHEMA)} }] };
          const trapped = await WasmEngine.open(charAsTextOnly, {});
          try { await trapped.schemaPush({ schema, force: false, filters }); }
          catch (error) { report('trap', error); }
          await trapped.dispose();
          const fresh = await WasmEngine.open(new PostgresAdapterFactory({ url }), {});
          const pushed = await fresh.schemaPush({ schema, force: false, filters });
          console.log(JSON.stringify({ what: 'fresh', executedSteps: pushed.executedSteps }));
          await fresh.dispose();
        `,
        ),
      );
      expect(run.code, run.stderr).toBe(0);
      const lines = run.stdout.trim().split('\n').map((line) => JSON.parse(line));
      expect(lines).toEqual([
        expect.objectContaining({ what: 'trap', code: 'MK_ENGINE_PANIC', details: expect.objectContaining({ operation: 'schemaPush' }) }),
        { what: 'fresh', executedSteps: 0 },
      ]);
      expect((await db.query(`SELECT conname FROM pg_constraint WHERE conname = 'one'`)).length).toBe(1);
    } finally {
      await db.drop();
    }
  });
});
