import { fileURLToPath } from 'node:url';
import { type CliRun, runNodeCli } from '@migrate-kit/test-support';

export { type CliRun, describeRun, type JsonDocument, jsonOf, output } from '@migrate-kit/test-support';

/** The package folder. */
export const PACKAGE_DIR = fileURLToPath(new URL('../..', import.meta.url));

/** The `prisma-migrate` bin as installed (it runs dist/, so build before testing). */
export const BIN = fileURLToPath(new URL('../../bin/prisma-migrate.js', import.meta.url));

export interface CliOptions {
  cwd: string;
  /** Variables on top of the test process's environment (DATABASE_URL and NODE_PATH are never inherited). */
  env?: Record<string, string | undefined>;
  /** What stdin carries; stdin is a pipe either way, never a TTY, so nothing can prompt. */
  input?: string;
}

/** Runs `node bin/prisma-migrate.js <args>` as its own process, the way a user's shell does. */
export function prismaMigrate(args: string[], options: CliOptions): Promise<CliRun> {
  // Not inherited: DATABASE_URL (each project says where its database is) and NODE_PATH, which
  // pnpm's bin shim for vitest points at the workspace's hoisted packages: a user's shell has
  // neither, and NODE_PATH would let `prisma` resolve from a folder where it is not installed.
  return runNodeCli([BIN, ...args], { ...options, notInherited: ['DATABASE_URL', 'NODE_PATH'] });
}
