import { randomUUID } from 'node:crypto';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeRun, jsonOf, output } from './helpers/cli.js';
import { databaseSnapshot, migrationRows, type Provider, type TestDatabase, tableNames } from './helpers/database.js';
import { folderSnapshot, type ProjectStyle, projectsFor, sha256, STYLE_NAMES, type TestProject } from './helpers/project.js';

// A project whose history stock `prisma migrate` wrote: the fixture folders are what
// `prisma migrate dev` writes for these schemas, and `_prisma_migrations` is filled the way the
// native schema engine fills it (prisma-engines, sql-schema-connector): uuid v4 ids, SHA-256
// checksums, on SQLite timestamps as integer milliseconds (quaint's DateTime), on PostgreSQL
// timestamptz. The history holds an applied migration, one that failed and was resolved with
// `resolve --applied` (its failed row rolled back, then a row finished when it started), one that
// failed and is still failed, and one never applied.
const FIXTURES = fileURLToPath(new URL('./fixtures/stock-prisma-history/', import.meta.url));
const INIT = '20240101000000_init';
const ADD_POST = '20240102000000_add_post';
const ADD_PROFILE = '20240103000000_add_profile';
const ADD_TAG = '20240104000000_add_tag';

/** The DDL the native engine runs to create the table (prisma-engines, the sqlite and postgres flavours). */
const MIGRATIONS_TABLE: Record<Provider, string> = {
  sqlite: `CREATE TABLE "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`,
  postgresql: `CREATE TABLE "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`,
};

/** What the native engine writes to `logs` when a script fails (the error, then the span trace). */
function failureLog(provider: Provider, migration: string, error: string): string {
  const database = provider === 'postgresql' ? `Database error code: 42P01\n\nDatabase error:\nERROR: ${error}` : `SQLite database error\n${error}`;
  return `${database}\n\n   0: sql_schema_connector::apply_migration::apply_script\n           with migration_name="${migration}"\n             at schema-engine/connectors/sql-schema-connector/src/apply_migration.rs:106\n   1: schema_core::commands::apply_migrations::Applying migration\n           with migration_name="${migration}"\n             at schema-engine/core/src/commands/apply_migrations.rs:91`;
}

interface StockRow {
  migration_name: string;
  checksum: string;
  started_at: Date;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  logs: string | null;
  applied_steps_count: number;
}

async function insertStockRows(db: TestDatabase, rows: StockRow[]): Promise<void> {
  await db.exec(MIGRATIONS_TABLE[db.provider]);
  const sqlite = db.provider === 'sqlite';
  const time = (d: Date | null) => (d === null ? null : sqlite ? d.getTime() : d.toISOString());
  const insert = sqlite
    ? 'INSERT INTO "_prisma_migrations" ("id", "checksum", "finished_at", "migration_name", "logs", "rolled_back_at", "started_at", "applied_steps_count") VALUES (?, ?, ?, ?, ?, ?, ?, ?)'
    : 'INSERT INTO "_prisma_migrations" ("id", "checksum", "finished_at", "migration_name", "logs", "rolled_back_at", "started_at", "applied_steps_count") VALUES ($1, $2, $3, $4, $5, $6, $7, $8)';
  for (const r of rows) {
    await db.query(insert, [randomUUID(), r.checksum, time(r.finished_at), r.migration_name, r.logs, time(r.rolled_back_at), time(r.started_at), r.applied_steps_count]);
  }
}

// One provider per project style, so that each runs on both databases and both styles are covered.
const CASES: { provider: Provider; style: ProjectStyle; kind: string }[] = [
  { provider: 'sqlite', style: 'config', kind: STYLE_NAMES.config },
  { provider: 'postgresql', style: 'env', kind: STYLE_NAMES.env },
];

describe.each(CASES)('a migrations history written by stock Prisma: $kind on $provider', ({ provider, style }) => {
  const newProject = projectsFor();
  let project: TestProject;
  let script: (name: string) => string;

  beforeAll(async () => {
    project = await newProject({ provider, style });
    const fixture = join(FIXTURES, provider);
    const models = readFileSync(join(fixture, 'schema.prisma'), 'utf8').replace(/^datasource[^}]*}\s*/m, '');
    project.setModels(models);
    cpSync(join(fixture, 'migrations'), project.migrationsDir, { recursive: true });
    script = (name) => readFileSync(join(project.migrationsDir, name, 'migration.sql'), 'utf8');

    // The database as stock Prisma left it: init applied; add_post failed, was fixed by hand and
    // resolved as applied; add_profile failed (its script ran in part: nothing of it is left).
    await project.db.exec(`${script(INIT)}\n${script(ADD_POST)}`);
    const at = (minutes: number) => new Date(Date.UTC(2024, 0, 5, 12, minutes, 0, 123));
    const resolvedAt = at(20);
    await insertStockRows(project.db, [
      { migration_name: INIT, checksum: sha256(script(INIT)), started_at: at(0), finished_at: new Date(at(0).getTime() + 42), rolled_back_at: null, logs: null, applied_steps_count: 1 },
      { migration_name: ADD_POST, checksum: sha256(script(ADD_POST)), started_at: at(10), finished_at: null, rolled_back_at: resolvedAt, logs: failureLog(provider, ADD_POST, 'relation "Post" already exists'), applied_steps_count: 0 },
      { migration_name: ADD_POST, checksum: sha256(script(ADD_POST)), started_at: resolvedAt, finished_at: resolvedAt, rolled_back_at: null, logs: '', applied_steps_count: 0 },
      { migration_name: ADD_PROFILE, checksum: sha256(script(ADD_PROFILE)), started_at: at(30), finished_at: null, rolled_back_at: null, logs: failureLog(provider, ADD_PROFILE, 'relation "Usr" does not exist'), applied_steps_count: 0 },
    ]);
  });

  it('migrate status reports the failed, the resolved and the pending migrations, and exits 1', async () => {
    const human = await project.cli(['migrate', 'status']);
    expect(human.code, describeRun(human)).toBe(1);
    expect(human.stdout).toContain(ADD_PROFILE);
    expect(human.stdout).toContain(`migrate resolve --rolled-back "${ADD_PROFILE}"`);
    expect(human.stdout).toContain(`migrate resolve --applied "${ADD_PROFILE}"`);

    const json = await project.cli(['migrate', 'status', '--json']);
    expect(json.code, describeRun(json)).toBe(1);
    expect(jsonOf(json)).toMatchObject({
      ok: true,
      exitCode: 1,
      hasMigrationsTable: true,
      missing: [],
      migrations: [
        { name: INIT, state: 'applied' },
        { name: ADD_POST, state: 'applied' },
        { name: ADD_PROFILE, state: 'failed' },
        { name: ADD_TAG, state: 'pending' },
      ],
    });
  });

  it('migrate deploy stops at the failed migration with P3009 and changes nothing', async () => {
    const database = await databaseSnapshot(project.db);
    const folder = folderSnapshot(project.migrationsDir);
    const deploy = await project.cli(['migrate', 'deploy']);
    expect(deploy.code, describeRun(deploy)).toBe(1);
    expect(output(deploy)).toContain('P3009');
    expect(output(deploy)).toContain(ADD_PROFILE);
    expect(await databaseSnapshot(project.db)).toEqual(database);
    expect(folderSnapshot(project.migrationsDir)).toEqual(folder);
  });

  it('migrate resolve --rolled-back marks only the failed row; deploy then applies the rest and status exits 0', async () => {
    const before = await migrationRows(project.db);
    const resolve = await project.cli(['migrate', 'resolve', '--rolled-back', ADD_PROFILE, '--json']);
    expect(resolve.code, describeRun(resolve)).toBe(0);
    expect(jsonOf(resolve)).toMatchObject({ ok: true, exitCode: 0, migration: ADD_PROFILE, markedAs: 'rolled-back' });
    const after = await migrationRows(project.db);
    expect(after.slice(0, 3)).toEqual(before.slice(0, 3));
    expect(after[3]).toMatchObject({ ...before[3], rolled_back_at: expect.anything() });
    expect(after[3]!.rolled_back_at).not.toBeNull();

    const deploy = await project.cli(['migrate', 'deploy', '--json']);
    expect(deploy.code, describeRun(deploy)).toBe(0);
    expect(jsonOf(deploy)).toMatchObject({ ok: true, exitCode: 0, found: 4, applied: [{ name: ADD_PROFILE }, { name: ADD_TAG }] });
    expect(await tableNames(project.db)).toEqual(['Post', 'Profile', 'Tag', 'User', '_prisma_migrations']);
    const rows = await migrationRows(project.db);
    expect(rows.slice(0, 4)).toEqual(after);
    expect(rows.slice(4)).toMatchObject([
      { migration_name: ADD_PROFILE, checksum: sha256(script(ADD_PROFILE)), rolled_back_at: null, applied_steps_count: 1 },
      { migration_name: ADD_TAG, checksum: sha256(script(ADD_TAG)), rolled_back_at: null, applied_steps_count: 1 },
    ]);
    expect(rows.slice(4).every((r) => r.finished_at !== null)).toBe(true);

    const status = await project.cli(['migrate', 'status']);
    expect(status.code, describeRun(status)).toBe(0);
  });
});
