#!/usr/bin/env node
// Walks the migrate loop of the README on a copy of this example, so the example itself stays
// clean: create the first migration, change the schema, create the next, check the status,
// deploy. SQLite (zenstack/dev.db) unless DATABASE_URL is a postgres URL.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const bin = join(here, 'node_modules', '.bin', 'zen-migrate');
// Inside the example (git-ignored), so that the policy plugin resolves from its node_modules.
const work = mkdtempSync(join(here, '.walkthrough-'));
cpSync(join(here, 'zenstack'), join(work, 'zenstack'), { recursive: true, filter: (src) => !src.includes('migrations') && !/\.db(-\w+)?$/.test(src) });

const url = process.env.DATABASE_URL || 'file:./dev.db';
const postgres = url.startsWith('postgres');
// The PostgreSQL datasource is a schema file of its own (a ZModel datasource has one provider).
const schemaArgs = postgres ? ['--schema', 'zenstack/postgresql/schema.zmodel'] : [];
const base = join(work, 'zenstack', 'base.zmodel');

function run(args, expected, env = {}) {
  const line = [...args, ...schemaArgs];
  console.log(`\n$ zen-migrate ${line.join(' ')}`);
  const result = spawnSync(bin, line, { cwd: work, stdio: 'inherit', env: { ...process.env, DATABASE_URL: url, ...env } });
  if (result.status !== expected) {
    console.error(`\nzen-migrate ${args.join(' ')} exited with ${result.status}, expected ${expected}.`);
    process.exitCode = 1;
    throw new Error('walkthrough stopped');
  }
}

try {
  // A PostgreSQL database may hold an earlier run: start it empty (it is a scratch database).
  if (postgres) run(['migrate', 'reset', '--force', '--skip-seed'], 0);
  run(['migrate', 'dev', '--name', 'init'], 0);

  writeFileSync(base, readFileSync(base, 'utf8').replace('  done  Boolean @default(false)\n', '  done  Boolean @default(false)\n  due   DateTime?\n'));
  console.log('\n(added Task.due to zenstack/base.zmodel)');
  run(['migrate', 'check'], 1); // exit 1: the migrations do not produce the schema yet
  // zen's own verbs go to the project's zen CLI (@zenstackhq/cli), on Node 20 as well.
  run(['check', '--no-version-check'], 0);
  run(['generate', '--no-version-check', '--silent'], 0);
  run(['migrate', 'dev', '--name', 'add task due date'], 0);
  run(['migrate', 'status'], 0);

  if (postgres) {
    run(['migrate', 'deploy'], 0); // nothing pending: dev applied everything
  } else {
    // Another database, as in CI or production: the same history, applied without a shadow database.
    run(['migrate', 'deploy'], 0, { DATABASE_URL: 'file:./production.db' });
    run(['migrate', 'status'], 0, { DATABASE_URL: 'file:./production.db' });
  }
  // Adopting migrations on a database made by `db push` (no migration history yet): one command
  // writes the first migration from the schema, checks the database matches it, records it.
  rmSync(join(work, 'zenstack', 'migrations'), { recursive: true, force: true });
  console.log('\n(a project that used db push: no migrations folder yet)');
  const pushed = postgres ? {} : { DATABASE_URL: 'file:./pushed.db' };
  if (postgres) run(['migrate', 'reset', '--force', '--skip-seed'], 0);
  run(['db', 'push'], 0, pushed);
  run(['migrate', 'baseline'], 0, pushed);
  run(['migrate', 'status'], 0, pushed);
  console.log('\nWalkthrough finished.');
} catch (error) {
  if (error.message !== 'walkthrough stopped') throw error;
} finally {
  rmSync(work, { recursive: true, force: true });
}
