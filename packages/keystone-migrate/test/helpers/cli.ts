import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The `keystone-migrate` bin as installed (it runs dist/, so build before testing). */
export const BIN = fileURLToPath(new URL('../../bin/keystone-migrate.js', import.meta.url));

export interface ProcessRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd: string;
  /** Variables on top of the test process's environment (DATABASE_URL is never inherited). */
  env?: Record<string, string | undefined>;
  /** Killed after this long (a hung process fails the test instead of the whole run). */
  timeoutMs?: number;
}

/** Runs `node <script> <args>` as its own process, stdin empty and not a TTY, so nothing can prompt. */
export function runNode(script: string, args: string[], options: RunOptions): Promise<ProcessRun> {
  const { DATABASE_URL: _ignored, FORCE_COLOR: _color, ...inherited } = process.env;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      cwd: options.cwd,
      env: { ...inherited, NO_COLOR: '1', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.end();
  });
}

/** Runs `node bin/keystone-migrate.js <args>` the way a user's shell (or CI) does. */
export function keystoneMigrate(args: string[], options: RunOptions): Promise<ProcessRun> {
  return runNode(BIN, args, options);
}

export interface JsonDocument {
  ok: boolean;
  exitCode?: number;
  error?: { code: string; message: string; hint?: string; flag?: string };
  [key: string]: unknown;
}

/** The one JSON document a `--json` run prints on stdout. */
export function jsonOf(run: ProcessRun): JsonDocument {
  try {
    return JSON.parse(run.stdout) as JsonDocument;
  } catch {
    throw new Error(`stdout is not one JSON document (exit ${run.code}):\n${run.stdout}\n--- stderr ---\n${run.stderr}`);
  }
}

/** stdout and stderr together: what a person reads. */
export function output(run: ProcessRun): string {
  return `${run.stdout}\n${run.stderr}`;
}

/** A readable failure message for an unexpected exit code. */
export function describeRun(run: ProcessRun): string {
  return `exit ${run.code}\n--- stdout ---\n${run.stdout}\n--- stderr ---\n${run.stderr}`;
}
