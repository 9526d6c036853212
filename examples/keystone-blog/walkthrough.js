#!/usr/bin/env node
// Walks the loop of the README on a copy of this example, so the example itself stays clean:
// create the first migration, apply it, change a list, create the next, deploy it, then build the
// project and start it through withMigrations on an empty "production" database, which gets every
// migration before the GraphQL API answers.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const here = dirname(fileURLToPath(import.meta.url));
const bin = (name) => join(here, 'node_modules', '.bin', name);
const work = mkdtempSync(join(here, '.walkthrough-'));
for (const file of ['package.json', 'keystone.ts', 'prisma.config.ts', 'esbuild.keystone.ts']) cpSync(join(here, file), join(work, file));

const devUrl = process.env.DATABASE_URL ?? 'file:./keystone.db';
const provider = devUrl.startsWith('postgres') ? 'postgresql' : 'sqlite';
// `prisma generate` (inside keystone build) tries to download the native schema engine unless this
// points at a file; it does not run it. keystone-migrate needs no engine binary at all.
const offline = { PRISMA_SCHEMA_ENGINE_BINARY: join(work, 'package.json'), KEYSTONE_TELEMETRY_DISABLED: '1' };

function run(command, args, env = {}) {
  console.log(`\n$ ${[command, ...args].join(' ')}`);
  const result = spawnSync(bin(command), args, { cwd: work, stdio: 'inherit', env: { ...process.env, ...offline, DATABASE_URL: devUrl, ...env } });
  return result.status;
}

function expect(status, wanted, what) {
  if (status !== wanted) throw new Error(`${what}: exit code ${status}, expected ${wanted}`);
}

/** Runs one statement on the PostgreSQL server of DATABASE_URL, connected to its `postgres` database. */
async function onPostgresServer(statement) {
  const admin = new URL(devUrl);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    return (await client.query(statement)).rows;
  } finally {
    await client.end();
  }
}

/** keystone-migrate does not create a missing database (Prisma's `migrate dev` does): create the dev one if needed. */
async function ensureDevDatabase() {
  const name = new URL(devUrl).pathname.slice(1);
  const found = await onPostgresServer(`SELECT 1 FROM pg_database WHERE datname = '${name.replace(/'/g, "''")}'`);
  if (found.length === 0) await onPostgresServer(`CREATE DATABASE "${name}"`);
}

/** A database nobody has migrated yet, for `keystone start`: a new SQLite file, or a new PostgreSQL database beside the dev one. */
async function productionDatabase() {
  if (provider === 'sqlite') return { url: 'file:./production.db', drop: async () => {} };
  const url = new URL(devUrl);
  const name = `${url.pathname.slice(1) || 'keystone'}_production`;
  await onPostgresServer(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await onPostgresServer(`CREATE DATABASE "${name}"`);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => onPostgresServer(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

async function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function graphql(port, query) {
  const response = await fetch(`http://127.0.0.1:${port}/api/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  return response.json();
}

/** `keystone start` with the plugin: waits for the first answer to a query, prints it, and stops the server. */
async function startAndQuery(url) {
  const port = await freePort();
  console.log(`\n$ PORT=${port} DATABASE_URL=${provider === 'sqlite' ? url : '<production database>'} keystone start --no-ui`);
  const server = spawn(bin('keystone'), ['start', '--no-ui'], { cwd: work, stdio: 'inherit', env: { ...process.env, ...offline, DATABASE_URL: url, PORT: String(port) } });
  const exited = new Promise((resolve) => server.on('close', resolve));
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (server.exitCode !== null) throw new Error(`keystone start exited with ${server.exitCode}`);
      if (Date.now() > deadline) throw new Error('keystone start did not answer within 60 s');
      try {
        const first = await graphql(port, '{ posts { id } }');
        console.log(`\nfirst answer: ${JSON.stringify(first)}`);
        if (first.errors) throw new Error('the first query failed');
        break;
      } catch (error) {
        if (error.message === 'the first query failed') throw error;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    const created = await graphql(
      port,
      'mutation { createPost(data: { title: "Hello", summary: "The first post", status: "published", author: { create: { name: "Ada", email: "ada@example.com" } } }) { id title summary author { name } } }',
    );
    console.log(`createPost: ${JSON.stringify(created)}`);
    if (created.errors) throw new Error('createPost failed');
  } finally {
    server.kill('SIGTERM');
    await exited;
  }
}

let production;
try {
  if (provider === 'postgresql') {
    await ensureDevDatabase();
    expect(run('keystone-migrate', ['reset', '--force']), 0, 'reset');
  }
  expect(run('keystone-migrate', ['create', '--name', 'init']), 0, 'create');
  expect(run('keystone-migrate', ['apply']), 0, 'apply');

  const keystoneTs = join(work, 'keystone.ts');
  const title = "          title: text({ validation: { isRequired: true } }),\n";
  writeFileSync(keystoneTs, readFileSync(keystoneTs, 'utf8').replace(title, `${title}          summary: text(),\n`));
  console.log('\n(added a `summary` field to the Post list)');
  // Keystone's own spellings (`keystone migrate check|generate|deploy`) name the same verbs.
  expect(run('keystone-migrate', ['migrate', 'check']), 1, 'migrate check after the list changed');
  expect(run('keystone-migrate', ['migrate', 'generate', '--name', 'add_post_summary']), 0, 'migrate generate');
  expect(run('keystone-migrate', ['status']), 1, 'status with a pending migration');
  expect(run('keystone-migrate', ['migrate', 'deploy']), 0, 'migrate deploy');
  expect(run('keystone-migrate', ['status']), 0, 'status');

  production = await productionDatabase();
  expect(run('keystone', ['build', '--no-ui']), 0, 'keystone build');
  await startAndQuery(production.url);
  expect(run('keystone-migrate', ['status'], { DATABASE_URL: production.url }), 0, 'status of the production database');

  // Adopting migrations on a database made by `keystone dev` (pushed, no migration history): one
  // command writes the first migration from the lists, checks the database matches, records it.
  rmSync(join(work, 'migrations', provider), { recursive: true, force: true });
  console.log('\n(a project that used `keystone dev`: no migrations folder yet)');
  const pushed = provider === 'sqlite' ? { DATABASE_URL: 'file:./pushed.db' } : {};
  if (provider === 'postgresql') expect(run('keystone-migrate', ['reset', '--force']), 0, 'reset');
  expect(run('keystone-migrate', ['push'], pushed), 0, 'push (what keystone dev does)');
  expect(run('keystone-migrate', ['baseline'], pushed), 0, 'baseline');
  expect(run('keystone-migrate', ['status'], pushed), 0, 'status after baseline');
  console.log('\n✅ walkthrough done');
} catch (error) {
  console.error(`\n❌ ${error.message}`);
  process.exitCode = 1;
} finally {
  await production?.drop();
  rmSync(work, { recursive: true, force: true });
}
