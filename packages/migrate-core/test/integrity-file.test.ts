import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeRun, jsonOf, writeFile } from '@migrate-kit/test-support';
import { describe, expect, it } from 'vitest';
import { check, createMigration, deploy, hash, readMigrationsFolder, SUM_FILE_NAME, status, verifyIntegrity, writeMigration } from '../src/index.js';
import { databaseSnapshot, laterMigrationName, POST_MODEL, projectsFor, USER_MODEL, USER_WITH_NAME, writeMigrationByHand } from './helpers/lifecycle.js';
import { PROVIDERS, type TestProject } from './helpers/project.js';

const CREATE_A = 'CREATE TABLE "A" ("id" INTEGER NOT NULL PRIMARY KEY);\n';
const CREATE_B = 'CREATE TABLE "B" ("id" INTEGER NOT NULL PRIMARY KEY);\n';
const CREATE_C = 'CREATE TABLE "C" ("id" INTEGER NOT NULL PRIMARY KEY);\n';

const sumPath = (project: TestProject) => join(project.migrationsDir, SUM_FILE_NAME);
const integrityOf = (project: TestProject) => verifyIntegrity(readMigrationsFolder(project.migrationsDir));

/** Two migrations written through writeMigration (as dev does), so the integrity file lists them. */
function twoRecordedMigrations(project: TestProject): [string, string] {
  const first = laterMigrationName(1, 'create_a');
  const second = laterMigrationName(2, 'create_b');
  writeMigration(project.migrationsDir, first, CREATE_A, project.provider);
  writeMigration(project.migrationsDir, second, CREATE_B, project.provider);
  return [first, second];
}

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } });
}

describe.each(PROVIDERS)('migrations/migrate-kit.sum on %s', (provider) => {
  const newProject = projectsFor(provider);

  it('dev writes it with a line per migration and a total, the folder reader ignores it, and deploy, status and check verify it', async () => {
    const project = await newProject();
    const first = await createMigration(project.source(), { name: 'init' });
    project.setModels(`${USER_MODEL}\n${POST_MODEL}`);
    const second = await createMigration(project.source(), { name: 'post' });

    const lines = readFileSync(sumPath(project), 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^h1:\S+$/);
    expect(lines.slice(1).map((l) => l.split(' ')[0])).toEqual([first.created!.name, second.created!.name]);
    expect(readMigrationsFolder(project.migrationsDir).migrations.map((m) => m.name)).toEqual([first.created!.name, second.created!.name]);
    expect(second.integrity).toEqual({ state: 'ok', migrations: 2 });
    expect((await deploy(project.source())).integrity).toEqual({ state: 'ok', migrations: 2 });
    const report = await status(project.source());
    expect([report.exitCode, report.integrity.state]).toEqual([0, 'ok']);
    expect((await check(project.source())).integrity.state).toBe('ok');
  });

  it('a project without the file keeps working: deploy, status and check neither fail nor create it; the next dev creates it', async () => {
    const project = await newProject();
    writeMigrationByHand(project, laterMigrationName(1, 'create_a'), CREATE_A);

    for (const args of [['deploy'], ['status'], ['check']]) {
      const run = await project.cli([...args, '--json']);
      expect(run.code, describeRun(run)).toBe(args[0] === 'check' ? 1 : 0); // check: table A is not in the schema
      expect(jsonOf(run).integrity).toEqual({ state: 'absent' });
    }
    expect(existsSync(sumPath(project))).toBe(false);

    const dev = await project.cli(['dev', '--name', 'user']);
    expect(dev.code, describeRun(dev)).toBe(0);
    expect(integrityOf(project)).toEqual({ state: 'ok', migrations: 2 });
  });

  it('an edited migration: deploy refuses before applying anything, naming it and the hash verb; status and check exit 1; hash accepts it', async () => {
    const project = await newProject();
    const [first] = twoRecordedMigrations(project);
    writeFileSync(join(project.migrationsDir, first, 'migration.sql'), `${CREATE_A}-- edited\n`);
    const before = await databaseSnapshot(project);

    const run = await project.cli(['deploy']);
    expect(run.code, describeRun(run)).toBe(1);
    expect(run.stderr).toContain('MK_INTEGRITY');
    expect(run.stderr).toContain(`\`${first}\` was edited`);
    expect(run.stderr).toContain('migrate-kit hash');
    expect(await databaseSnapshot(project)).toEqual(before);

    const json = jsonOf(await project.cli(['deploy', '--json']));
    expect(json.error).toMatchObject({ code: 'MK_INTEGRITY', integrity: { state: 'mismatch', edited: [first] } });

    const statusRun = await project.cli(['status', '--json']);
    expect(statusRun.code).toBe(1);
    expect(jsonOf(statusRun).integrity).toMatchObject({ state: 'mismatch', edited: [first], deleted: [], unlisted: [], reordered: [] });
    const checkRun = await project.cli(['check']);
    expect(checkRun.code).toBe(1);
    expect(checkRun.stderr).toContain(`\`${first}\` was edited`);

    const hashRun = await project.cli(['hash']);
    expect(hashRun.code, describeRun(hashRun)).toBe(0);
    expect(integrityOf(project)).toEqual({ state: 'ok', migrations: 2 });
    expect((await deploy(project.source())).applied).toHaveLength(2);
  });

  it('an edit of the first migration names only that one, not the ones after it', async () => {
    const project = await newProject();
    const [first] = twoRecordedMigrations(project);
    writeMigration(project.migrationsDir, laterMigrationName(3, 'create_c'), CREATE_C, project.provider);
    writeFileSync(join(project.migrationsDir, first, 'migration.sql'), 'CREATE TABLE "A2" ("id" INTEGER NOT NULL PRIMARY KEY);\n');
    expect(integrityOf(project)).toMatchObject({ state: 'mismatch', edited: [first] });
  });

  it('a line-ending conversion (git autocrlf) is not an edit', async () => {
    const project = await newProject();
    const [first] = twoRecordedMigrations(project);
    writeFileSync(join(project.migrationsDir, first, 'migration.sql'), CREATE_A.replace(/\n/g, '\r\n'));
    expect(integrityOf(project).state).toBe('ok');
  });

  it('a deleted migration is named, and deploy refuses', async () => {
    const project = await newProject();
    const [, second] = twoRecordedMigrations(project);
    rmSync(join(project.migrationsDir, second), { recursive: true });

    expect(integrityOf(project)).toMatchObject({ state: 'mismatch', deleted: [second], edited: [] });
    await expect(deploy(project.source())).rejects.toMatchObject({ code: 'MK_INTEGRITY', message: expect.stringContaining(`\`${second}\` is listed in ${SUM_FILE_NAME} but missing from the folder`) });
    expect(await databaseSnapshot(project)).toEqual({ columns: [], rows: [] });
  });

  it('reordered migrations (a folder renamed to sort earlier) are named', async () => {
    const project = await newProject();
    const [first, second] = twoRecordedMigrations(project);
    const renamed = `${laterMigrationName(0, 'create_b')}`;
    renameSync(join(project.migrationsDir, second), join(project.migrationsDir, renamed));
    // The rename is a deletion plus an unlisted migration; a real reorder keeps the names:
    expect(integrityOf(project)).toMatchObject({ state: 'mismatch', deleted: [second], unlisted: [renamed] });

    const sum = readFileSync(sumPath(project), 'utf8').split('\n');
    writeFileSync(sumPath(project), [sum[0], sum[2], sum[1], ...sum.slice(3)].join('\n'));
    renameSync(join(project.migrationsDir, renamed), join(project.migrationsDir, second));
    const result = integrityOf(project);
    expect(result).toMatchObject({ state: 'mismatch', reordered: [first, second] });
    await expect(deploy(project.source())).rejects.toMatchObject({ code: 'MK_INTEGRITY', message: expect.stringContaining('in another order') });
  });

  it('two branches that each added a migration: the git merge conflicts in the file and both sides are named with the fix; taking one side names the other as unlisted', async () => {
    const project = await newProject();
    const base = laterMigrationName(1, 'base');
    writeMigration(project.migrationsDir, base, CREATE_A, project.provider);
    git(project.dir, 'init', '-q', '-b', 'main');
    git(project.dir, 'add', '-A');
    git(project.dir, 'commit', '-q', '-m', 'base');
    git(project.dir, 'checkout', '-q', '-b', 'theirs');
    const theirs = laterMigrationName(2, 'theirs');
    writeMigration(project.migrationsDir, theirs, CREATE_B, project.provider);
    git(project.dir, 'add', '-A');
    git(project.dir, 'commit', '-q', '-m', 'theirs');
    git(project.dir, 'checkout', '-q', 'main');
    const ours = laterMigrationName(3, 'ours');
    writeMigration(project.migrationsDir, ours, CREATE_C, project.provider);
    git(project.dir, 'add', '-A');
    git(project.dir, 'commit', '-q', '-m', 'ours');
    expect(() => git(project.dir, 'merge', '-q', 'theirs')).toThrow();

    const conflicted = integrityOf(project);
    expect(conflicted).toMatchObject({ state: 'mismatch', conflict: { ours: [ours], theirs: [theirs] } });
    const deployRun = await project.cli(['deploy']);
    expect(deployRun.code, describeRun(deployRun)).toBe(1);
    expect(deployRun.stderr).toContain(`\`${ours}\` on one side, \`${theirs}\` on the other`);
    expect(deployRun.stderr).toContain('delete your migration folder, pull, and run dev again');
    expect(await databaseSnapshot(project)).toEqual({ columns: [], rows: [] });

    // The user resolves the file by taking theirs: their migration is listed, ours is not.
    git(project.dir, 'checkout', '--theirs', '--', join('prisma', 'migrations', SUM_FILE_NAME));
    const statusRun = await project.cli(['status']);
    expect(statusRun.code).toBe(1);
    expect(statusRun.stderr).toContain(`\`${ours}\` is in the folder but not in ${SUM_FILE_NAME} (whose last migration is \`${theirs}\`)`);
    expect(statusRun.stderr).toContain('delete your migration folder, pull, and run dev again');

    // The fix: delete ours (theirs is now what the file lists), and the folder verifies again.
    rmSync(join(project.migrationsDir, ours), { recursive: true });
    expect(integrityOf(project)).toEqual({ state: 'ok', migrations: 2 });
  });

  /** A project with an applied `init` and a `post` migration drafted by dev --create-only. */
  async function withDraftedPost() {
    const project = await newProject();
    await createMigration(project.source(), { name: 'init' });
    project.setModels(`${USER_MODEL}\n${POST_MODEL}`);
    return { project, draft: await createMigration(project.source(), { name: 'post', createOnly: true }) };
  }

  /** Takes a migration's line out of migrate-kit.sum (what a dev killed before recording it leaves). */
  function unlistFromSum(project: TestProject, name: string): void {
    writeFileSync(sumPath(project), readFileSync(sumPath(project), 'utf8').split('\n').filter((l) => !l.startsWith(name)).join('\n'));
  }

  it('dev --create-only, an edit, then dev: the dev that applies the edited migration records the edit', async () => {
    const { project, draft } = await withDraftedPost();
    const post = draft.created!.name;
    writeFileSync(draft.created!.path, `${readFileSync(draft.created!.path, 'utf8')}\n-- reviewed\n`);
    expect(integrityOf(project)).toMatchObject({ state: 'mismatch', edited: [post] });

    const run = await project.cli(['dev']);
    expect(run.code, describeRun(run)).toBe(0);
    expect(run.stdout).toContain(`migrate-kit.sum now records your edit of \`${post}\``);
    expect(integrityOf(project)).toEqual({ state: 'ok', migrations: 2 });
  });

  it('a dev stopped between writing its migration folder and recording it: the next dev applies that migration and records it, also when it writes another', async () => {
    const { project, draft } = await withDraftedPost();
    const post = draft.created!.name;
    // What the kill leaves: the folder whole, the sum file as it was before that dev.
    unlistFromSum(project, post);
    expect(integrityOf(project)).toMatchObject({ state: 'mismatch', unlisted: [post] });

    project.setModels(`${USER_WITH_NAME}\n${POST_MODEL}`);
    const run = await project.cli(['dev', '--name', 'again']);
    expect(run.code, describeRun(run)).toBe(0);
    expect(run.stdout).toContain(`migrate-kit.sum now records \`${post}\``);
    expect(integrityOf(project)).toEqual({ state: 'ok', migrations: 3 });
  });

  it('the same when the migration it writes sorts before the one it recovers (both made in the same second)', async () => {
    const { project, draft } = await withDraftedPost();
    // Same second, and "again" < "post": the folder dev writes next sorts before this one.
    const post = `${draft.created!.name.slice(0, 14)}_zpost`;
    renameSync(join(project.migrationsDir, draft.created!.name), join(project.migrationsDir, post));
    unlistFromSum(project, draft.created!.name);
    expect(integrityOf(project)).toMatchObject({ state: 'mismatch', unlisted: [post] });

    project.setModels(`${USER_WITH_NAME}\n${POST_MODEL}`);
    const run = await project.cli(['dev', '--name', 'again']);
    expect(run.code, describeRun(run)).toBe(0);
    expect(run.stdout).toContain(`migrate-kit.sum now records \`${post}\``);
    expect(integrityOf(project)).toEqual({ state: 'ok', migrations: 3 });
    // The new migration sorts last: the second after the last one, whatever the clock said.
    const names = readMigrationsFolder(project.migrationsDir).migrations.map((m) => m.name);
    expect(names.slice(0, 2)).toEqual([expect.stringMatching(/_init$/), post]);
    expect(names[2]).toMatch(/^\d{14}_again$/);
    expect(Number(names[2]!.slice(0, 14))).toBeGreaterThan(Number(post.slice(0, 14)));
  });

  it('dev records its own migration without accepting an edit that comes with another change (a migration added by hand), and warns', async () => {
    const project = await newProject();
    const [first] = twoRecordedMigrations(project);
    writeFileSync(join(project.migrationsDir, first, 'migration.sql'), `${CREATE_A}-- edited\n`);
    // Sorts between the two recorded ones: not a migration a stopped dev left at the end.
    const byHand = laterMigrationName(1, 'create_c');
    writeFile(join(project.migrationsDir, byHand, 'migration.sql'), CREATE_C);
    const run = await project.cli(['dev', '--name', 'user']);
    expect(run.code, describeRun(run)).toBe(0);
    expect(run.stderr).toContain(`\`${byHand}\` is in the folder but not in`);
    expect(integrityOf(project)).toMatchObject({ state: 'mismatch', edited: [first], unlisted: [byHand], deleted: [] });
  });

  it('hash on a folder without the file creates it, and deploy --json reports it verified', async () => {
    const project = await newProject();
    writeMigrationByHand(project, laterMigrationName(1, 'create_a'), CREATE_A);
    const result = await hash(project.source());
    expect(result.previous).toEqual({ state: 'absent' });
    expect(result.migrations).toEqual([laterMigrationName(1, 'create_a')]);
    const run = await project.cli(['deploy', '--json']);
    expect(jsonOf(run).integrity, describeRun(run)).toEqual({ state: 'ok', migrations: 1 });
  });
});
