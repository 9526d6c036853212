import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The package folder. */
export const PACKAGE_DIR = fileURLToPath(new URL('../..', import.meta.url));

/** The `prisma-migrate` bin as installed (it runs dist/, so build before testing). */
export const BIN = fileURLToPath(new URL('../../bin/prisma-migrate.js', import.meta.url));

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

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
  const { DATABASE_URL: _url, NODE_PATH: _nodePath, ...inherited } = process.env;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
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
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

export interface JsonDocument {
  ok: boolean;
  exitCode?: number;
  error?: { code: string; message: string; hint?: string };
  [key: string]: unknown;
}

/** The one JSON document a `--json` run prints on stdout. */
export function jsonOf(run: CliRun): JsonDocument {
  try {
    return JSON.parse(run.stdout) as JsonDocument;
  } catch {
    throw new Error(`stdout is not one JSON document (exit ${run.code}):\n${run.stdout}\n--- stderr ---\n${run.stderr}`);
  }
}

/** stdout and stderr together: what a person reads. */
export function output(run: CliRun): string {
  return `${run.stdout}\n${run.stderr}`;
}

/** A readable failure message for an unexpected exit code. */
export function describeRun(run: CliRun): string {
  return `exit ${run.code}\n--- stdout ---\n${run.stdout}\n--- stderr ---\n${run.stderr}`;
}
