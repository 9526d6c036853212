import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { PROCESS_BOUND_MS } from './mode.js';

/** The four CLIs, as their packages install them (each bin runs its package's dist/). */
export const BINS = {
  'migrate-kit': fileURLToPath(new URL('../../../packages/migrate-core/bin/migrate-kit.js', import.meta.url)),
  'prisma-migrate': fileURLToPath(new URL('../../../packages/prisma-passthrough/bin/prisma-migrate.js', import.meta.url)),
  'zen-migrate': fileURLToPath(new URL('../../../packages/zenstack-migrate/bin/zen-migrate.js', import.meta.url)),
  'keystone-migrate': fileURLToPath(new URL('../../../packages/keystone-migrate/bin/keystone-migrate.js', import.meta.url)),
} as const;

export type CliName = keyof typeof BINS;

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Killed by us after PROCESS_BOUND_MS (a hang). */
  timedOut: boolean;
  durationMs: number;
}

export interface RunOptions {
  cwd: string;
  /** On top of the test's environment, minus the machine's DATABASE_URL (undefined removes a variable). */
  env?: Record<string, string | undefined>;
  /** Written to stdin, which is then closed: never a TTY, so nothing may wait for an answer. */
  input?: string;
  timeoutMs?: number;
}

export interface RunningCli {
  child: ChildProcessWithoutNullStreams;
  startedAt: number;
  exited: Promise<CliRun>;
}

function childEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const { DATABASE_URL: _db, SHADOW_DATABASE_URL: _shadow, FORCE_COLOR: _color, ...inherited } = process.env;
  const env: NodeJS.ProcessEnv = { ...inherited, NO_COLOR: '1' };
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

/** Starts `node <bin> <args>` with an argument array (no shell); SIGKILLed if it outlives the bound. */
export function spawnCli(cli: CliName, args: string[], options: RunOptions): RunningCli {
  const startedAt = performance.now();
  const child = spawn(process.execPath, [BINS[cli], ...args], { cwd: options.cwd, env: childEnv(options.env), stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let timedOut = false;
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, options.timeoutMs ?? PROCESS_BOUND_MS);
  const exited = new Promise<CliRun>((resolve, reject) => {
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut, durationMs: performance.now() - startedAt });
    });
  });
  child.stdin.on('error', () => undefined);
  child.stdin.end(options.input ?? '');
  return { child, startedAt, exited };
}

export function runCli(cli: CliName, args: string[], options: RunOptions): Promise<CliRun> {
  return spawnCli(cli, args, options).exited;
}

/** stdout and stderr together: what a person reads. */
export function output(run: CliRun): string {
  return `${run.stdout}\n${run.stderr}`;
}

/** A readable account of a run, for assertion messages. */
export function describeRun(run: CliRun): string {
  return `exit ${run.code}${run.signal ? ` (${run.signal})` : ''}${run.timedOut ? ' TIMED OUT' : ''} after ${Math.round(run.durationMs)} ms\n--- stdout ---\n${run.stdout}\n--- stderr ---\n${run.stderr}`;
}

/** The one JSON document a `--json` run prints on stdout. */
export function jsonOf<T = Record<string, unknown>>(run: CliRun): T {
  try {
    return JSON.parse(run.stdout) as T;
  } catch {
    throw new Error(`stdout is not one JSON document:\n${describeRun(run)}`);
  }
}
