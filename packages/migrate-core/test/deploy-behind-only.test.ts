/**
 * `deploy` with only pending migrations on top of a clean history (the usual production deploy)
 * skips the engine's diagnoseMigrationHistory (lifecycle/up-to-date.ts, isBehindOnly): checked
 * here that the decision only says yes where the engine's diagnosis finds nothing edited or
 * failed, that the rows written to `_prisma_migrations` are the engine's own, and that deploy
 * still refuses everything it refused (P3009, P3005, P3018) and still reports edited migrations.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { resolveConnection } from '../src/engine/connection.js';
import type { MigrationsTableRow } from '../src/engine/migrations-table.js';
import { readMigrationsTable } from '../src/engine/migrations-table.js';
import { migrationChecksum } from '../src/history/checksum.js';
import { type MigrationsFolder, readMigrationsFolder } from '../src/history/migrations-folder.js';
import { deploy } from '../src/index.js';
import { withSession } from '../src/lifecycle/session.js';
import { diagnoseHistory } from '../src/lifecycle/status.js';
import { isBehindOnly } from '../src/lifecycle/up-to-date.js';
import { execute, laterMigrationName, migrationRows, projectsFor, writeMigrationByHand } from './helpers/lifecycle.js';
import { PROVIDERS, type TestProject } from './helpers/project.js';

const A = laterMigrationName(1, 'a');
const B = laterMigrationName(2, 'b');
const C = laterMigrationName(3, 'c');
const SQL_A = 'CREATE TABLE "A" ("id" INTEGER PRIMARY KEY);\n';
const SQL_B = 'CREATE TABLE "B" ("id" INTEGER PRIMARY KEY);\nINSERT INTO "B" ("id") VALUES (1), (2);\n';
const SQL_C = 'CREATE TABLE "C" ("id" INTEGER PRIMARY KEY);\n';

function folder(...migrations: [string, string | null][]): MigrationsFolder {
  return {
    dir: '/migrations',
    lockFile: null,
    migrations: migrations.map(([name, text]) => ({ name, script: text === null ? { ok: false, error: 'ENOENT' } : { ok: true, text } })),
  };
}
const row = (name: string, script: string, state: Partial<MigrationsTableRow> = {}): MigrationsTableRow => ({
  name,
  checksum: migrationChecksum(script),
  finished: true,
  rolledBack: false,
  ...state,
});

describe('isBehindOnly', () => {
  it.each([
    ['an empty table, migrations pending', folder([A, SQL_A]), [], true],
    ['one applied, one pending', folder([A, SQL_A], [B, SQL_B]), [row(A, SQL_A)], true],
    ['everything applied (up to date is behind by nothing)', folder([A, SQL_A]), [row(A, SQL_A)], true],
    ['applied with CRLF line endings, LF on disk', folder([A, SQL_A], [B, SQL_B]), [row(A, SQL_A.replace(/\n/g, '\r\n'))], true],
    ['a failed one (or interrupted: unfinished)', folder([A, SQL_A], [B, SQL_B]), [row(A, SQL_A, { finished: false })], false],
    ['a rolled-back row', folder([A, SQL_A], [B, SQL_B]), [row(A, SQL_A, { finished: false, rolledBack: true }), row(A, SQL_A)], false],
    ['an applied one edited since', folder([A, `${SQL_A}-- edited\n`], [B, SQL_B]), [row(A, SQL_A)], false],
    ['an applied one missing from the folder', folder([B, SQL_B]), [row(A, SQL_A)], false],
    ['more rows than migrations', folder([A, SQL_A]), [row(A, SQL_A), row(B, SQL_B)], false],
    ['applied in another order', folder([A, SQL_A], [B, SQL_B], [C, SQL_C]), [row(B, SQL_B), row(A, SQL_A)], false],
    ['an applied folder without migration.sql', folder([A, null], [B, SQL_B]), [row(A, SQL_A)], false],
  ])('%s', (_what, local, rows, expected) => {
    expect(isBehindOnly(local, rows)).toBe(expected);
  });
});

describe.each(PROVIDERS)('deploy of pending migrations on a clean history on %s', (provider) => {
  const newProject = projectsFor(provider);
  afterEach(() => {
    vi.restoreAllMocks();
    delete process.env.MIGRATE_KIT_TIMING;
  });

  /** Runs deploy with timing spans on; returns its result and the spans it wrote. */
  async function deployWithSpans(project: TestProject) {
    process.env.MIGRATE_KIT_TIMING = '1';
    const spans: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      spans.push(String(chunk));
      return true;
    });
    try {
      return { result: await deploy(project.source()), spans: spans.join('') };
    } finally {
      vi.restoreAllMocks();
      delete process.env.MIGRATE_KIT_TIMING;
    }
  }

  /** The engine's diagnosis finds nothing edited or failed, wherever the shortcut says "behind only". */
  async function agreesWithEngine(project: TestProject): Promise<void> {
    const rows = await readMigrationsTable(resolveConnection(project.source()));
    const behindOnly = rows !== undefined && isBehindOnly(readMigrationsFolder(project.migrationsDir), rows);
    const engine = await withSession(project.source(), {}, (session) => diagnoseHistory(session));
    const clean = engine.failedMigrationNames.length === 0 && engine.editedMigrationNames.length === 0 && (engine.history === null || engine.history.diagnostic === 'databaseIsBehind');
    if (behindOnly) expect(clean).toBe(true);
  }

  it('skips the engine diagnosis and writes exactly the rows the engine writes on its full path', async () => {
    const fast = await newProject();
    writeMigrationByHand(fast, A, SQL_A);
    await deploy(fast.source());
    writeMigrationByHand(fast, B, SQL_B);
    writeMigrationByHand(fast, C, SQL_C);
    await agreesWithEngine(fast);
    const { result, spans } = await deployWithSpans(fast);
    expect(result.applied.map((m) => m.name)).toEqual([B, C]);
    expect(result.edited).toEqual([]);
    expect(spans).toContain('applyMigrations');
    expect(spans).not.toContain('diagnoseMigrationHistory');

    // The same three migrations deployed at once on a new database (no table yet: the engine's
    // full path, diagnosis included) write the same rows.
    const full = await newProject();
    for (const [name, sql] of [[A, SQL_A], [B, SQL_B], [C, SQL_C]] as const) writeMigrationByHand(full, name, sql);
    const { spans: fullSpans } = await deployWithSpans(full);
    expect(fullSpans).toContain('diagnoseMigrationHistory');
    expect(await migrationRows(fast)).toEqual(await migrationRows(full));
    expect((await migrationRows(fast)).map((r) => [r.migration_name, r.finished, r.applied_steps_count, r.logs])).toEqual([
      [A, true, 1, null],
      [B, true, 1, null],
      [C, true, 1, null],
    ]);
    expect(await fast.query('SELECT COUNT(*) AS n FROM "B"')).toEqual([{ n: provider === 'postgresql' ? '2' : 2 }]);
  });

  it('still stops at a failed migration (P3018, then P3009) with migrations pending after it', async () => {
    const project = await newProject();
    writeMigrationByHand(project, A, SQL_A);
    await deploy(project.source());
    writeMigrationByHand(project, B, 'SELECT * FROM "no_such_table";\n');
    await expect(deploy(project.source())).rejects.toMatchObject({ code: 'P3018' });
    writeMigrationByHand(project, C, SQL_C);
    await agreesWithEngine(project);
    const { spans } = await deployWithSpans(project).catch((error: unknown) => {
      expect(error).toMatchObject({ code: 'P3009' });
      return { spans: 'refused' };
    });
    expect(spans).toBe('refused');
    expect((await migrationRows(project)).map((r) => r.migration_name)).toEqual([A, B]);
  });

  it('still reports an edited migration (the engine diagnosis) when others are pending', async () => {
    const project = await newProject();
    writeMigrationByHand(project, A, SQL_A);
    await deploy(project.source());
    writeFileSync(join(project.migrationsDir, A, 'migration.sql'), `${SQL_A}-- edited\n`);
    writeMigrationByHand(project, B, SQL_B);
    await agreesWithEngine(project);
    const { result, spans } = await deployWithSpans(project);
    expect(spans).toContain('diagnoseMigrationHistory');
    expect(result.edited).toEqual([A]);
    expect(result.applied.map((m) => m.name)).toEqual([B]);
  });

  it('still refuses a database with tables and no history (P3005)', async () => {
    const project = await newProject();
    await execute(project, 'CREATE TABLE "Existing" ("id" INTEGER PRIMARY KEY)');
    writeMigrationByHand(project, A, SQL_A);
    await expect(deploy(project.source())).rejects.toMatchObject({ code: 'P3005' });
    expect(await migrationRows(project)).toEqual([]);

  });
});
