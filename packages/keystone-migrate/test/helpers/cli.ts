import { fileURLToPath } from 'node:url';
import { type CliRun, type CliRunOptions, runNodeCli } from '@migrate-kit/test-support';

export { type CliRun as ProcessRun, describeRun, type JsonDocument, jsonOf, output } from '@migrate-kit/test-support';

/** The `keystone-migrate` bin as installed (it runs dist/, so build before testing). */
export const BIN = fileURLToPath(new URL('../../bin/keystone-migrate.js', import.meta.url));

/** Where to run, extra variables (DATABASE_URL is never inherited), and the time limit (default 60 s). */
export type RunOptions = Pick<CliRunOptions, 'cwd' | 'env' | 'timeoutMs'>;

/** Runs `node <script> <args>` as its own process, stdin empty and not a TTY, so nothing can prompt. */
export function runNode(script: string, args: string[], options: RunOptions): Promise<CliRun> {
  return runNodeCli([script, ...args], { ...options, notInherited: ['DATABASE_URL'], timeoutMs: options.timeoutMs ?? 60_000 });
}

/** Runs `node bin/keystone-migrate.js <args>` the way a user's shell (or CI) does. */
export function keystoneMigrate(args: string[], options: RunOptions): Promise<CliRun> {
  return runNode(BIN, args, options);
}
