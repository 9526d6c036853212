#!/usr/bin/env node
// Makes sure the database servers the tests need are up: PostgreSQL on 127.0.0.1:5432.
// Starts it with the machine's own cluster tools when it is down, and fails loudly when it
// cannot be reached: the database tests are never skipped.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';

function reachable(port, host = '127.0.0.1', timeoutMs = 1000) {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function waitFor(port, seconds) {
  for (let i = 0; i < seconds * 4; i++) {
    if (await reachable(port)) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

async function ensurePostgres() {
  if (await reachable(5432)) return;
  console.log('PostgreSQL is not running on 127.0.0.1:5432; starting it.');
  const versions = existsSync('/etc/postgresql') ? readdirSync('/etc/postgresql') : [];
  if (versions.length === 0) throw new Error('PostgreSQL is not installed here (/etc/postgresql is missing); the tests need a server on 127.0.0.1:5432.');
  const result = spawnSync('pg_ctlcluster', ['--skip-systemctl-redirect', versions[0], 'main', 'start'], { stdio: 'inherit' });
  if (result.status !== 0) console.error(`pg_ctlcluster exited with ${result.status}`);
  if (!(await waitFor(5432, 30))) throw new Error('PostgreSQL did not come up on 127.0.0.1:5432 within 30 s.');
}

try {
  await ensurePostgres();
} catch (error) {
  console.error(`\n✖ ${error.message}\n`);
  process.exit(1);
}
