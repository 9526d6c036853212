/**
 * A configured shadow database is emptied before every replay: when its URL names the main
 * database under another spelling, check/dev/diff must refuse (exit non-zero, both URLs named with
 * their passwords redacted) and leave the main database, its rows and `_prisma_migrations`, as
 * they were. A genuinely different shadow database still works. Real PostgreSQL and SQLite files,
 * the built `migrate-kit` CLI.
 */
import { linkSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describeRun } from '@migrate-kit/test-support';
import { describe, expect, test } from 'vitest';
import { createMigration } from '../src/index.js';
import { createPostgresDatabase, type TestPostgresDatabase } from './helpers/databases.js';
import { execute, migrationRows, projectsFor, USER_WITH_NAME } from './helpers/lifecycle.js';
import type { CliRun, TestProject } from './helpers/project.js';

const MAIN_SECRET = 'MainSecret4711';
const SHADOW_SECRET = 'ShadowSecret0815';

/** A project whose database holds one applied migration and two rows. */
async function projectWithData(newProject: () => Promise<TestProject>): Promise<TestProject> {
  const project = await newProject();
  await createMigration(project.source(), { name: 'init' });
  await execute(project, `INSERT INTO "User" ("email") VALUES ('a@example.com'), ('b@example.com')`);
  // A schema change, so that check has something to report and dev something to create.
  project.setModels(USER_WITH_NAME);
  return project;
}

async function mainIsIntact(project: TestProject): Promise<void> {
  expect((await project.query(`SELECT email FROM "User" ORDER BY email`)).map((r) => r.email)).toEqual(['a@example.com', 'b@example.com']);
  expect((await migrationRows(project)).map((r) => [r.migration_name.replace(/^\d+_/, ''), r.finished])).toEqual([['init', true]]);
}

function refusedNamingBoth(run: CliRun, mainShown: string, shadowShown: string): void {
  expect(run.code, describeRun(run)).not.toBe(0);
  expect(run.stderr).toContain('MK_INVALID_URL');
  expect(run.stderr).toContain(`names the main database "${mainShown}"`);
  expect(run.stderr).toContain(`The shadow database URL "${shadowShown}"`);
  expect(`${run.stdout}${run.stderr}`).not.toContain(MAIN_SECRET);
  expect(`${run.stdout}${run.stderr}`).not.toContain(SHADOW_SECRET);
}

const VERBS: Record<string, string[]> = {
  check: ['check'],
  dev: ['dev', '--name', 'next'],
  diff: ['diff', '--from-migrations', 'prisma/migrations', '--to-schema', 'prisma/schema.prisma', '--script'],
};

describe('PostgreSQL: a shadow URL naming the main database under another spelling', () => {
  const newProject = projectsFor('postgresql');
  const withPassword = (url: string, secret: string) => url.replace('postgres@', `postgres:${secret}@`);
  const redacted = (url: string) => url.replace(/:[^:@/]+@/, ':***@');
  const spellings: [string, (name: string) => string][] = [
    ['localhost for 127.0.0.1', (name) => `postgresql://postgres@localhost:5432/${name}`],
    ['the database name percent-encoded', (name) => `postgresql://postgres@127.0.0.1:5432/${[...name].map((c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).join('')}`],
    ['postgres:// for postgresql://', (name) => `postgres://postgres@127.0.0.1:5432/${name}`],
    ['the default port left out', (name) => `postgresql://postgres@127.0.0.1/${name}`],
    ['a host= unix socket parameter', (name) => `postgresql://postgres@localhost/${name}?host=/var/run/postgresql`],
  ];

  for (const [how, spell] of spellings) {
    test(`check refuses ${how}, and the main database keeps its rows and _prisma_migrations`, async () => {
      const project = await projectWithData(newProject);
      const main = withPassword(project.url, MAIN_SECRET);
      const shadow = withPassword(spell(new URL(project.url).pathname.slice(1)), SHADOW_SECRET);
      const run = await project.cli([...VERBS.check!, '--shadow-database-url', shadow], { env: { DATABASE_URL: main } });
      refusedNamingBoth(run, redacted(main), redacted(shadow));
      await mainIsIntact(project);
    });
  }

  for (const verb of ['dev', 'diff']) {
    for (const [how, spell] of spellings.slice(0, 2)) {
      test(`${verb} refuses ${how}`, async () => {
        const project = await projectWithData(newProject);
        const main = withPassword(project.url, MAIN_SECRET);
        const shadow = withPassword(spell(new URL(project.url).pathname.slice(1)), SHADOW_SECRET);
        const run = await project.cli([...VERBS[verb]!, '--shadow-database-url', shadow], { env: { DATABASE_URL: main } });
        refusedNamingBoth(run, redacted(main), redacted(shadow));
        await mainIsIntact(project);
      });
    }
  }

  test('diff --from-url another database refuses a shadow that is the configured database under another spelling', async () => {
    const project = await projectWithData(newProject);
    const other = await createPostgresDatabase('mk_other');
    try {
      const main = withPassword(project.url, MAIN_SECRET);
      const shadow = withPassword(project.url.replace('127.0.0.1', 'localhost'), SHADOW_SECRET);
      const run = await project.cli(['diff', '--from-url', other.url, '--to-migrations', 'prisma/migrations', '--script', '--shadow-database-url', shadow], {
        env: { DATABASE_URL: main },
      });
      refusedNamingBoth(run, redacted(main), redacted(shadow));
      await mainIsIntact(project);
    } finally {
      await other.drop();
    }
  });

  test('a shadow database of its own on the same server is still used, and the main database is untouched', async () => {
    const project = await projectWithData(newProject);
    const shadowDb: TestPostgresDatabase = await createPostgresDatabase('mk_shadow');
    try {
      await shadowDb.execute('CREATE TABLE leftover (id int)');
      const shadow = shadowDb.url.replace('127.0.0.1', 'localhost');
      const run = await project.cli(['check', '--shadow-database-url', shadow]);
      expect(run.code, describeRun(run)).toBe(1);
      expect(run.stdout).toContain('Added column `name`');
      // The shadow database was emptied and the history replayed on it.
      const tables = (await shadowDb.query<{ tablename: string }>(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`)).map((r) => r.tablename);
      expect(tables).not.toContain('leftover');
      await mainIsIntact(project);
    } finally {
      await shadowDb.drop();
    }
  });
});

describe('SQLite: a shadow file that is the main file under another name', () => {
  const newProject = projectsFor('sqlite');
  const mainFile = (project: TestProject) => project.url.slice('file:'.length);
  const spellings: [string, (project: TestProject) => string][] = [
    ['the same path', (project) => project.url],
    ['a path relative to the schema', () => 'file:./dev.db'],
    ['a path with ..', () => 'file:../prisma/./dev.db'],
    [
      'a symlink to the file',
      (project) => {
        symlinkSync(mainFile(project), join(project.dir, 'link.db'));
        return `file:${join(project.dir, 'link.db')}`;
      },
    ],
    [
      'a path through a symlinked folder',
      (project) => {
        symlinkSync(join(project.dir, 'prisma'), join(project.dir, 'alias'));
        return `file:${join(project.dir, 'alias', 'dev.db')}`;
      },
    ],
    [
      'a hard link',
      (project) => {
        mkdirSync(join(project.dir, 'other'), { recursive: true });
        linkSync(mainFile(project), join(project.dir, 'other', 'hard.db'));
        return `file:${join(project.dir, 'other', 'hard.db')}`;
      },
    ],
  ];

  for (const [how, spell] of spellings) {
    test(`check refuses ${how}, and the main file keeps its rows and _prisma_migrations`, async () => {
      const project = await projectWithData(newProject);
      const shadow = spell(project);
      const run = await project.cli(['check', '--shadow-database-url', shadow]);
      refusedNamingBoth(run, project.url, shadow);
      await mainIsIntact(project);
    });
  }

  for (const verb of ['dev', 'diff']) {
    test(`${verb} refuses a path relative to the schema`, async () => {
      const project = await projectWithData(newProject);
      const run = await project.cli([...VERBS[verb]!, '--shadow-database-url', 'file:./dev.db']);
      refusedNamingBoth(run, project.url, 'file:./dev.db');
      await mainIsIntact(project);
    });
  }

  test('diff --from-url another file refuses a shadow that is the configured file under another path', async () => {
    const project = await projectWithData(newProject);
    const { default: Database } = await import('better-sqlite3');
    new Database(join(project.dir, 'other.db')).exec('CREATE TABLE other (id INTEGER)').close();
    const run = await project.cli(['diff', '--from-url', `file:${join(project.dir, 'other.db')}`, '--to-migrations', 'prisma/migrations', '--script', '--shadow-database-url', 'file:./dev.db']);
    refusedNamingBoth(run, project.url, 'file:./dev.db');
    await mainIsIntact(project);
  });

  test('a shadow file of its own is still used, and the main file is untouched', async () => {
    const project = await projectWithData(newProject);
    const run = await project.cli(['check', '--shadow-database-url', 'file:./shadow.db']);
    expect(run.code, describeRun(run)).toBe(1);
    expect(run.stdout).toContain('Added column `name`');
    await mainIsIntact(project);
  });
});
