/**
 * status and deploy answer an up-to-date database without starting the engine
 * (lifecycle/up-to-date.ts). That shortcut may only ever say "up to date" when the engine's own
 * diagnostic says so: checked here state by state on real databases, and case by case on the
 * pure decision.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MigrationsTableRow } from '../src/engine/migrations-table.js';
import { migrationChecksum } from '../src/history/checksum.js';
import type { MigrationsFolder } from '../src/history/migrations-folder.js';
import { deploy, resolve, status } from '../src/index.js';
import { withSession } from '../src/lifecycle/session.js';
import { diagnoseHistory } from '../src/lifecycle/status.js';
import { isUpToDate, upToDateWithoutEngine } from '../src/lifecycle/up-to-date.js';
import { execute, laterMigrationName, projectsFor, writeMigrationByHand } from './helpers/lifecycle.js';
import { PROVIDERS, type TestProject } from './helpers/project.js';

const A = laterMigrationName(1, 'a');
const B = laterMigrationName(2, 'b');
const SQL_A = 'CREATE TABLE "A" ("id" INTEGER PRIMARY KEY);\n';
const SQL_B = 'CREATE TABLE "B" ("id" INTEGER PRIMARY KEY);\n';

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

describe('isUpToDate', () => {
  it.each([
    ['no migrations, an empty table', folder(), [], true],
    ['every migration applied in order', folder([A, SQL_A], [B, SQL_B]), [row(A, SQL_A), row(B, SQL_B)], true],
    ['a migration rolled back, then applied again', folder([A, SQL_A]), [row(A, SQL_A, { finished: false, rolledBack: true }), row(A, SQL_A)], true],
    ['applied with CRLF line endings, LF on disk (Prisma tolerates it)', folder([A, SQL_A]), [row(A, SQL_A.replace(/\n/g, '\r\n'))], true],
    ['one pending', folder([A, SQL_A], [B, SQL_B]), [row(A, SQL_A)], false],
    ['one failed', folder([A, SQL_A]), [row(A, SQL_A, { finished: false })], false],
    ['one edited after it was applied', folder([A, `${SQL_A}-- edited\n`]), [row(A, SQL_A)], false],
    ['one applied but missing from the folder', folder([A, SQL_A]), [row(A, SQL_A), row(B, SQL_B)], false],
    ['applied in another order', folder([A, SQL_A], [B, SQL_B]), [row(B, SQL_B), row(A, SQL_A)], false],
    ['a folder without migration.sql', folder([A, null]), [row(A, SQL_A)], false],
  ])('%s: %s', (_what, local, rows, expected) => {
    expect(isUpToDate(local, rows)).toBe(expected);
  });
});

describe.each(PROVIDERS)('the shortcut agrees with the engine on %s', (provider) => {
  const newProject = projectsFor(provider);

  /** [the shortcut's answer, the engine's]: "up to date" means no history difference, nothing failed or edited. */
  async function answers(project: TestProject): Promise<[boolean, boolean]> {
    const quick = (await upToDateWithoutEngine(project.source())).upToDate;
    const engine = await withSession(project.source(), {}, (session) => diagnoseHistory(session));
    const clean = engine.hasMigrationsTable && engine.history === null && engine.failedMigrationNames.length === 0 && engine.editedMigrationNames.length === 0;
    return [quick, clean];
  }

  it('in every state a history goes through, and status and deploy say the same either way', async () => {
    const project = await newProject();
    const seen: string[] = [];
    const check = async (state: string, expected: boolean) => {
      expect(await answers(project), state).toEqual([expected, expected]);
      seen.push(state);
    };

    await project.query('SELECT 1'); // the database exists (SQLite: an empty file; a missing one is P1003)
    await check('a database never migrated (no table)', false);
    writeMigrationByHand(project, A, SQL_A);
    await deploy(project.source());
    await check('up to date', true);
    expect((await status(project.source())).exitCode).toBe(0);
    expect(await deploy(project.source())).toEqual({ found: 1, applied: [], edited: [], interruptedRolledBack: [], integrity: { state: 'absent' } });

    // Fails at its first statement: SQLite would keep what ran before it.
    writeMigrationByHand(project, B, 'SELECT * FROM "no_such_table";\nCREATE TABLE "B" ("id" INTEGER PRIMARY KEY);\n');
    await check('one pending', false);
    await deploy(project.source()).catch(() => undefined);
    await check('one failed', false);
    await resolve(project.source(), { rolledBack: B });
    await check('the failed one rolled back, so pending again', false);
    writeMigrationByHand(project, B, SQL_B);
    await deploy(project.source());
    await check('applied again after the roll back', true);

    writeFileSync(join(project.migrationsDir, A, 'migration.sql'), `${SQL_A}-- edited\n`);
    await check('an applied migration edited', false);
    writeFileSync(join(project.migrationsDir, A, 'migration.sql'), SQL_A);
    rmSync(join(project.migrationsDir, B), { recursive: true });
    await check('an applied migration missing from the folder', false);
    writeMigrationByHand(project, B, SQL_B);
    await execute(project, `UPDATE "_prisma_migrations" SET "finished_at" = NULL WHERE "migration_name" = '${B}'`);
    await check('a migration left unfinished', false);
    expect(seen).toHaveLength(9);
  });
});
