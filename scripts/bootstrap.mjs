#!/usr/bin/env node
// Makes a fresh clone runnable with nothing but Node and npm: installs the workspace with the
// pinned pnpm (through npx when pnpm is not on the PATH) unless node_modules is already current.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const lockfile = join(root, 'pnpm-lock.yaml');
const marker = join(root, 'node_modules', '.modules.yaml');
const { packageManager } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

const upToDate = existsSync(marker) && existsSync(lockfile) && statSync(marker).mtimeMs >= statSync(lockfile).mtimeMs;
if (!upToDate) {
  const args = ['install', ...(existsSync(lockfile) ? ['--frozen-lockfile'] : [])];
  console.log(`> ${packageManager} ${args.join(' ')}`);
  const result = spawnSync('npx', ['--yes', packageManager, ...args], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`Installing the workspace failed (exit ${result.status}). Run \`npx ${packageManager} install\` to see why.`);
    process.exit(result.status ?? 1);
  }
}
