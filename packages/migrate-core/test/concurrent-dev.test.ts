import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { type CliRun, createProjectDir, describeRun, jsonOf, migrationFolders, POSTGRES_SERVER_URL, postgresUrl, withPostgresClient, writeFile } from '@migrate-kit/test-support';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConnection } from '../src/engine/connection.js';
import { createMissingDatabase } from '../src/engine/ensure-database.js';
import { datasourceBlock, runBin, type TestProvider } from './helpers/project.js';

const MODELS = 'model User {\n  id Int @id @default(autoincrement())\n  email String @unique\n}\n';
const ROUNDS = [1, 2, 3, 4];

/** Databases this file created on the server, dropped at the end whatever happened. */
const databases: string[] = [];
afterAll(async () => {
  await withPostgresClient(POSTGRES_SERVER_URL, async (c) => {
    for (const name of databases) await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });
});

/** A database name nobody has created yet (it is dropped after the file). */
function newDatabaseName(): string {
  const name = `mk_test_race_${randomBytes(5).toString('hex')}`;
  databases.push(name);
  return name;
}

/** A new project whose database does not exist yet (PostgreSQL) or whose file is not there yet (SQLite). */
function newProject(provider: TestProvider): { dir: string; url: string; migrationsDir: string } {
  const dir = createProjectDir();
  writeFile(join(dir, 'prisma', 'schema.prisma'), `${datasourceBlock(provider)}\n${MODELS}`);
  const url = provider === 'postgresql' ? postgresUrl(newDatabaseName()) : `file:${join(dir, 'prisma', 'dev.db')}`;
  return { dir, url, migrationsDir: join(dir, 'prisma', 'migrations') };
}

async function migrationRowsAt(provider: TestProvider, url: string): Promise<{ name: string; finished: boolean; rolledBack: boolean }[]> {
  const sql = 'SELECT migration_name AS name, finished_at IS NOT NULL AS finished, rolled_back_at IS NOT NULL AS "rolledBack" FROM _prisma_migrations ORDER BY started_at';
  if (provider === 'postgresql') return withPostgresClient(url, async (c) => (await c.query(sql)).rows);
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(url.slice('file:'.length), { readonly: true });
  try {
    return (db.prepare(sql).all() as { name: string; finished: number; rolledBack: number }[]).map((r) => ({ ...r, finished: Boolean(r.finished), rolledBack: Boolean(r.rolledBack) }));
  } finally {
    db.close();
  }
}

describe.each(['postgresql', 'sqlite'] as const)('two `migrate dev --name init` at once on a new %s database', (provider) => {
  it.each(ROUNDS)('round %i: both exit 0, one migration is written and applied once, and status is up to date', async () => {
    const project = newProject(provider);
    const dev = () => runBin(['dev', '--name', 'init', '--json'], { cwd: project.dir, env: { DATABASE_URL: project.url } });
    const runs: CliRun[] = await Promise.all([dev(), dev()]);
    const all = runs.map(describeRun).join('\n\n');

    for (const run of runs) expect(run.code, all).toBe(0);
    const folders = migrationFolders(project.migrationsDir);
    expect(folders, all).toHaveLength(1);
    expect(folders[0]).toMatch(/^\d{14}_init$/);
    // One run created and applied it; the other found it done.
    const created = runs.map((run) => jsonOf<{ created?: { name: string } }>(run).created?.name).filter(Boolean);
    expect(created, all).toEqual([folders[0]]);
    expect(await migrationRowsAt(provider, project.url)).toEqual([{ name: folders[0], finished: true, rolledBack: false }]);

    const status = await runBin(['status', '--json'], { cwd: project.dir, env: { DATABASE_URL: project.url } });
    expect(status.code, describeRun(status)).toBe(0);
    expect(jsonOf(status)).toMatchObject({ ok: true, migrations: [{ name: folders[0], state: 'applied' }] });
  });
});

describe('creating a PostgreSQL database that a concurrent run creates at the same moment', () => {
  it('is success for every caller, and exactly one of them created it', async () => {
    const name = newDatabaseName();
    const connection = resolveConnection({ provider: 'postgresql', url: postgresUrl(name), baseDir: process.cwd() });
    const results = await Promise.all(Array.from({ length: 6 }, () => createMissingDatabase(connection)));
    expect(results.map((r) => r?.name)).toEqual(Array(6).fill(name));
    expect(results.filter((r) => r?.created)).toHaveLength(1);
  });
});
