import { fileURLToPath } from 'node:url';
import { type CliRun, type CliRunOptions, type RunningCli, spawnNodeCli } from '@migrate-kit/test-support';
import { PROCESS_BOUND_MS } from './mode.js';

export { type CliRun, describeRun, jsonOf, output } from '@migrate-kit/test-support';

/** The four CLIs, as their packages install them (each bin runs its package's dist/). */
export const BINS = {
  'migrate-kit': fileURLToPath(new URL('../../../packages/migrate-core/bin/migrate-kit.js', import.meta.url)),
  'prisma-migrate': fileURLToPath(new URL('../../../packages/prisma-passthrough/bin/prisma-migrate.js', import.meta.url)),
  'zen-migrate': fileURLToPath(new URL('../../../packages/zenstack-migrate/bin/zen-migrate.js', import.meta.url)),
  'keystone-migrate': fileURLToPath(new URL('../../../packages/keystone-migrate/bin/keystone-migrate.js', import.meta.url)),
} as const;

export type CliName = keyof typeof BINS;

/** Starts `node <bin> <args>` with an argument array (no shell); SIGKILLed if it outlives the bound. */
export function spawnCli(cli: CliName, args: string[], options: CliRunOptions): RunningCli {
  // Not inherited: the machine's database URLs (each case says where its database is).
  return spawnNodeCli([BINS[cli], ...args], { ...options, notInherited: ['DATABASE_URL', 'SHADOW_DATABASE_URL'], timeoutMs: options.timeoutMs ?? PROCESS_BOUND_MS });
}

export function runCli(cli: CliName, args: string[], options: CliRunOptions): Promise<CliRun> {
  return spawnCli(cli, args, options).exited;
}
