#!/usr/bin/env node
// Walks the migrate loop of the README on a copy of this example, so the example itself stays
// clean: create the first migration, change the schema, create the next, check, pull, deploy elsewhere.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const bin = join(here, 'node_modules', '.bin', 'prisma-migrate');
const work = mkdtempSync(join(here, '.walkthrough-'));
cpSync(join(here, 'prisma.config.ts'), join(work, 'prisma.config.ts'));
cpSync(join(here, 'prisma'), join(work, 'prisma'), { recursive: true, filter: (src) => !src.includes('migrations') && !src.endsWith('.db') });
const provider = (process.env.DATABASE_URL ?? '').startsWith('postgres') ? 'postgresql' : 'sqlite';
const schema = join(work, 'prisma', provider, 'schema.prisma');

function run(args, env = {}) {
  console.log(`\n$ prisma-migrate ${args.join(' ')}`);
  const result = spawnSync(bin, args, { cwd: work, stdio: 'inherit', env: { ...process.env, ...env } });
  return result.status;
}

try {
  if (provider === 'postgresql') run(['migrate', 'reset', '--force']);
  if (run(['migrate', 'dev', '--name', 'init']) !== 0) process.exit(1);
  writeFileSync(schema, readFileSync(schema, 'utf8').replace('  name  String?\n', '  name  String?\n  bio   String?\n'));
  console.log('\n(added User.bio to the schema)');
  if (run(['migrate', 'check']) !== 1) process.exit(1);
  if (run(['migrate', 'dev', '--name', 'add user bio']) !== 0) process.exit(1);
  if (run(['migrate', 'status']) !== 0) process.exit(1);
  // Database-first: what the database describes, as a schema (printed, the schema file untouched).
  if (run(['db', 'pull', '--print']) !== 0) process.exit(1);
  if (provider === 'sqlite' && run(['migrate', 'deploy'], { DATABASE_URL: 'file:./production.db' }) !== 0) process.exit(1);
  // Adopting migrations on a database made by `db push` (no migration history yet): one command
  // writes the first migration from the schema, checks the database matches it, records it.
  rmSync(join(work, 'prisma', provider, 'migrations'), { recursive: true, force: true });
  console.log('\n(a project that used db push: no migrations folder yet)');
  const pushed = provider === 'sqlite' ? { DATABASE_URL: 'file:./pushed.db' } : {};
  if (provider === 'postgresql' && run(['migrate', 'reset', '--force']) !== 0) process.exit(1);
  if (run(['db', 'push'], pushed) !== 0) process.exit(1);
  if (run(['migrate', 'baseline'], pushed) !== 0) process.exit(1);
  if (run(['migrate', 'status'], pushed) !== 0) process.exit(1);
} finally {
  rmSync(work, { recursive: true, force: true });
}
