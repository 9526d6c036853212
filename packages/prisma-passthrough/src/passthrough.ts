import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MigrateError } from '@migrate-kit/migrate-core';

/**
 * Where the project's own `prisma` CLI is: `node_modules/prisma` in the project folder or one of
 * its parents. Walked by hand rather than with require.resolve, which also honours NODE_PATH (set
 * by package-manager shims) and could pick up a prisma the project does not have.
 */
export function resolveProjectPrisma(cwd: string): string {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const pkgJson = join(dir, 'node_modules', 'prisma', 'package.json');
    if (existsSync(pkgJson)) {
      const bin = (JSON.parse(readFileSync(pkgJson, 'utf8')) as { bin?: { prisma?: string } }).bin?.prisma ?? 'build/index.js';
      return join(dirname(pkgJson), bin);
    }
    if (dirname(dir) === dir) break;
  }
  throw new MigrateError('MK_PRISMA_NOT_INSTALLED', 'This command is handed to the Prisma CLI, and the project has no `prisma` package installed.', {
    hint: 'Add it: `npm install --save-dev prisma` (or pnpm add -D prisma / yarn add -D prisma).',
  });
}

/**
 * Stands in for the native schema engine in passed-through commands. Prisma 7 downloads the
 * native `schema-engine` binary before any command unless PRISMA_SCHEMA_ENGINE_BINARY names
 * one; `format`, `validate`, `generate` and friends never run it (they use Prisma's Wasm), so a
 * stand-in that explains itself is enough and avoids the download.
 */
export const SCHEMA_ENGINE_STAND_IN = fileURLToPath(new URL('../bin/no-native-schema-engine.js', import.meta.url));

const FORWARDED_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Runs the project's `prisma` with the given arguments: spawned with an argument array (never
 * through a shell), stdio inherited, signals forwarded, and its exit code (or signal) returned.
 */
export async function runProjectPrisma(argv: string[], cwd = process.cwd(), env = process.env): Promise<number> {
  const bin = resolveProjectPrisma(cwd);
  const child = spawn(process.execPath, [bin, ...argv], {
    cwd,
    stdio: 'inherit',
    env: { ...env, PRISMA_SCHEMA_ENGINE_BINARY: env.PRISMA_SCHEMA_ENGINE_BINARY ?? SCHEMA_ENGINE_STAND_IN },
  });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);
  try {
    return await new Promise<number>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code, signal) => resolve(code ?? 128 + signalNumber(signal)));
    });
  } finally {
    for (const signal of FORWARDED_SIGNALS) process.off(signal, forward);
  }
}

function signalNumber(signal: NodeJS.Signals | null): number {
  return signal ? (constants.signals[signal] ?? 1) : 1;
}
