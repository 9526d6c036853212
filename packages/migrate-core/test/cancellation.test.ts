/**
 * Exit codes of a run that did not finish: 130 for Ctrl-C (at a prompt, or SIGINT during a run),
 * reported as cancelled; 1 for a question nobody can answer (no TTY), as Prisma's non-interactive errors.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMigration } from '../src/index.js';
import { generatedHistory, pollFor, serverClient, shadowDatabasesOf, spawnBin, writeHistory } from './helpers/engine.js';
import { databaseSnapshot, execute, folderSnapshot, output, projectsFor, USER_MODEL, USER_WITH_NAME } from './helpers/lifecycle.js';
import { BIN, type TestProject } from './helpers/project.js';

const shellQuoted = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;

interface TerminalRun {
  child: ChildProcessWithoutNullStreams;
  /** Everything the program wrote to its terminal so far. */
  screen(): string;
  exited: Promise<number | null>;
}

/**
 * Runs the CLI on a real pseudo-terminal (util-linux `script`), so that stdin and stdout are TTYs
 * and it prompts; what is written to `child.stdin` is typed on that terminal. The command line is
 * made of fixed paths and fixed words only.
 */
function runOnTerminal(project: TestProject, args: string[]): TerminalRun {
  const command = [process.execPath, BIN, ...args].map(shellQuoted).join(' ');
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: project.url, TERM: 'xterm', NO_COLOR: '1' };
  for (const name of ['CI', 'MIGRATE_KIT_NON_INTERACTIVE', 'FORCE_COLOR']) delete env[name];
  const child = spawn('script', ['-qfec', command, '/dev/null'], { cwd: project.dir, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let screen = '';
  child.stdout.on('data', (d) => {
    screen += d;
  });
  child.stderr.on('data', (d) => {
    screen += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, screen: () => screen, exited };
}

describe('Ctrl-C at a prompt (a real terminal)', () => {
  const newProject = projectsFor('sqlite');

  it.each([
    ['the reset question', ['reset'], 'Are you sure you want to reset your database?'],
    ['the migration name question', ['dev'], 'Enter a name for the new migration'],
  ])('at %s: "cancelled", exit 130, nothing changed', async (_, args, question) => {
    const project = await newProject();
    await createMigration(project.source(), { name: 'init' });
    await execute(project, `INSERT INTO "User" ("email") VALUES ('ada@example.com')`);
    project.setModels(`${USER_MODEL}\n\nmodel Post {\n  id Int @id\n}`);
    const database = await databaseSnapshot(project);
    const folder = folderSnapshot(project.migrationsDir);
    const run = runOnTerminal(project, args);
    try {
      await pollFor(`the question "${question}"`, async () => (run.screen().includes(question) ? true : undefined), 30_000, 20);
      run.child.stdin.write('\x03'); // what Ctrl-C types
      const code = await run.exited;

      expect(code, run.screen()).toBe(130);
      expect(run.screen()).toMatch(/cancelled/i);
      expect(run.screen()).not.toContain('MK_UNEXPECTED');
      expect(await databaseSnapshot(project)).toEqual(database);
      expect(folderSnapshot(project.migrationsDir)).toEqual(folder);
    } finally {
      run.child.kill('SIGKILL');
    }
  });
});

describe('a question without a TTY', () => {
  const newProject = projectsFor('sqlite');

  it('the data-loss question fails at once naming --accept-data-loss, exit 1 (as Prisma)', async () => {
    const project = await newProject();
    project.setModels(USER_WITH_NAME);
    await createMigration(project.source(), { name: 'init' });
    await execute(project, `INSERT INTO "User" ("email", "name") VALUES ('ada@example.com', 'Ada')`);
    project.setModels(USER_MODEL);

    const run = await project.cli(['dev', '--name', 'drop_name']);

    expect(run.code, output(run)).toBe(1);
    expect(run.stderr).toContain('MK_NON_INTERACTIVE');
    expect(run.stderr).toContain('--accept-data-loss');
  });

  it('the reset question fails at once naming --force, exit 1', async () => {
    const project = await newProject();
    await createMigration(project.source(), { name: 'init' });

    const run = await project.cli(['reset']);

    expect(run.code, output(run)).toBe(1);
    expect(run.stderr).toContain('--force');
  });
});

describe('SIGINT during a shadow replay (150 migrations, PostgreSQL)', () => {
  const newProject = projectsFor('postgresql');
  let client: pg.Client;
  beforeAll(async () => {
    client = await serverClient();
  });
  afterAll(async () => {
    await client.end();
  });

  it.each([['check'], ['dev']])('`%s` reports "cancelled" with 130, and blames no migration (no P3006)', async (command) => {
    const project = await newProject();
    writeHistory(project.migrationsDir, 'postgresql', generatedHistory(150));
    const { child, exited } = spawnBin([command], { cwd: project.dir, env: { DATABASE_URL: project.url, MIGRATE_KIT_HISTORY_CACHE: 'off' } });
    try {
      await pollFor(`a shadow database of process ${child.pid}`, async () => ((await shadowDatabasesOf(client, child.pid!)).length ? true : undefined), 30_000);
      child.kill('SIGINT');
      const run = await exited;

      expect({ code: run.code, signal: run.signal }, output(run)).toEqual({ code: 130, signal: null });
      expect(run.stderr).toContain('Cancelled (SIGINT)');
      expect(output(run)).not.toMatch(/P3006|failed to apply cleanly/);
      expect(await shadowDatabasesOf(client, child.pid!)).toEqual([]);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
