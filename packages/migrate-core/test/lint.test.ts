import { join } from 'node:path';
import { describeRun, jsonOf, writeFile } from '@migrate-kit/test-support';
import { describe, expect, it } from 'vitest';
import { type LintFinding, lint } from '../src/index.js';
import { laterMigrationName, projectsFor, writeMigrationByHand } from './helpers/lifecycle.js';

const byRule = (findings: LintFinding[], rule: string, table: string) => findings.find((f) => f.rule === rule && f.table === table);

describe('lint on a real PostgreSQL database', () => {
  const newProject = projectsFor('postgresql');

  it('weighs findings by the live tables: empty is info, large (by the configured threshold) is an error, with the counted rows', async () => {
    const project = await newProject();
    await project.query(`CREATE TABLE "Big" ("id" INTEGER NOT NULL, "name" TEXT); INSERT INTO "Big" SELECT g, 'n' || g FROM generate_series(1, 2000) g;
      CREATE TABLE "Empty" ("id" INTEGER NOT NULL, "name" TEXT); CREATE TABLE "Small" ("id" INTEGER NOT NULL, "name" TEXT); INSERT INTO "Small" VALUES (1, 'a')`);
    writeFile(join(project.dir, 'migrate-kit.lint.json'), JSON.stringify({ largeTable: { rows: 1000 } }));
    writeMigrationByHand(
      project,
      laterMigrationName(1, 'indexes'),
      ['Big', 'Empty', 'Small'].map((t) => `CREATE INDEX "${t}_name_idx" ON "${t}"("name");\nALTER TABLE "${t}" DROP COLUMN "name";\n`).join(''),
    );

    const result = await lint(project.source(), { cwd: project.dir });
    expect(result.tableSizes).toEqual({ state: 'live' });
    expect(result.config).toBe(join(project.dir, 'migrate-kit.lint.json'));
    const big = byRule(result.findings, 'index-not-concurrent', 'Big')!;
    expect([big.severity, big.tableSize?.rows, big.tableSize?.estimated, big.severityReason]).toEqual(['error', 2000, false, 'the table is large (2000 rows)']);
    expect(byRule(result.findings, 'index-not-concurrent', 'Small')!.severity).toBe('warning');
    expect(byRule(result.findings, 'index-not-concurrent', 'Empty')!).toMatchObject({ severity: 'info', severityReason: 'the table is empty in the database' });
    // Data loss does not grow with size, but an empty table loses nothing.
    expect(byRule(result.findings, 'drop-column', 'Big')!.severity).toBe('error');
    expect(byRule(result.findings, 'drop-column', 'Empty')!.severity).toBe('info');

    // A table too big to count quickly: the planner's estimate, said to be one.
    await project.query(`CREATE TABLE "Huge" ("id" INTEGER NOT NULL, "pad" TEXT); INSERT INTO "Huge" SELECT g, repeat('x', 200) FROM generate_series(1, 90000) g; ANALYZE "Huge"`);
    writeMigrationByHand(project, laterMigrationName(2, 'huge'), 'ALTER TABLE "Huge" ALTER COLUMN "pad" SET NOT NULL;\n');
    const huge = (await lint(project.source(), { cwd: project.dir })).findings.find((f) => f.rule === 'set-not-null')!;
    expect(huge.tableSize).toMatchObject({ exists: true, estimated: true });
    expect(huge.tableSize!.bytes).toBeGreaterThan(16 * 1024 * 1024);
    expect(Math.abs(huge.tableSize!.rows! - 90000)).toBeLessThan(9000);
    expect(huge.severityReason).toMatch(/^the table is large \(\d+ rows, estimated\)$/);

    // Without the database, the rules' own severities, and the reason.
    const offline = await lint(project.source(), { cwd: project.dir, live: false, all: true });
    expect(byRule(offline.findings, 'index-not-concurrent', 'Big')!.severity).toBe('warning');
    expect(offline.findings.every((f) => f.tableSize === undefined)).toBe(true);
  });
});

describe('migrate-kit lint (CLI)', () => {
  const newProject = projectsFor('sqlite');

  it('lints the newest migration, exits 1 on an error and 0 once it is ignored; --all and --since choose migrations', async () => {
    const project = await newProject();
    const first = laterMigrationName(1, 'init');
    const second = laterMigrationName(2, 'drop_name');
    writeMigrationByHand(project, first, 'CREATE TABLE "User" ("id" INTEGER NOT NULL PRIMARY KEY, "email" TEXT NOT NULL, "name" TEXT);\nCREATE UNIQUE INDEX "User_email_key" ON "User"("email");\n');
    writeMigrationByHand(project, second, '-- AlterTable\nALTER TABLE "User" DROP COLUMN "name";\n');

    const run = await project.cli(['lint', '--json']);
    expect(run.code, describeRun(run)).toBe(1);
    const json = jsonOf(run);
    expect(json.migrations).toEqual([second]);
    expect(json.findings).toEqual([
      expect.objectContaining({ rule: 'drop-column', severity: 'error', line: 2, file: join('prisma', 'migrations', second, 'migration.sql'), table: 'User' }),
    ]);

    const human = await project.cli(['lint']);
    expect(human.code).toBe(1);
    expect(human.stdout).toContain(`prisma/migrations/${second}/migration.sql\n  2  error   drop-column  Column "name" of "User" is dropped, with its data.`);
    expect(human.stdout).toContain('1 migration linted: 1 error, 0 warnings, 0 info.');

    expect(jsonOf(await project.cli(['lint', '--all', '--json'])).migrations).toEqual([first, second]);
    expect(jsonOf(await project.cli(['lint', '--since', first, '--json'])).migrations).toEqual([second]);
    const unknown = await project.cli(['lint', '--since', 'nope', '--json']);
    expect([unknown.code, (jsonOf(unknown).error as { code: string }).code]).toEqual([1, 'MK_LINT']);

    writeMigrationByHand(project, second, '-- migrate-kit-lint-ignore drop-column\nALTER TABLE "User" DROP COLUMN "name";\n');
    const ignored = await project.cli(['lint', '--json']);
    expect(ignored.code, describeRun(ignored)).toBe(0);
    expect(jsonOf(ignored).counts).toEqual({ error: 0, warning: 0, info: 0, ignored: 1 });
  });

  it('dev --create-only prints the findings of the migration it wrote (not fatal), and deploy --dry-run lists them per pending migration', async () => {
    const project = await newProject();
    expect((await project.cli(['dev', '--name', 'init'])).code).toBe(0);
    project.setModels('model User {\n  id Int @id @default(autoincrement())\n  email String @unique\n  name String\n}');

    const created = await project.cli(['dev', '--create-only', '--name', 'required_name']);
    expect(created.code, describeRun(created)).toBe(0);
    expect(created.stdout).toContain('Lint findings for the new migration');
    expect(created.stdout).toMatch(/redefine-table {2}Table "User" is rebuilt/);

    const dry = await project.cli(['deploy', '--dry-run', '--json']);
    expect(dry.code, describeRun(dry)).toBe(0);
    const plan = jsonOf(dry) as { pending: string[]; lint: { findings: LintFinding[] } };
    expect(plan.pending).toHaveLength(1);
    expect(plan.lint.findings.map((f) => [f.migration, f.rule])).toContainEqual([plan.pending[0], 'redefine-table']);
    // The live table is empty: the copy loses nothing.
    expect(plan.lint.findings.find((f) => f.rule === 'redefine-table')!.severity).toBe('info');
  });
});
