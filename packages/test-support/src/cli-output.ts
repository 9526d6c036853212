import type { CliRun } from './spawn-cli.js';

/** stdout and stderr together: what a person reads. */
export function output(run: CliRun): string {
  return `${run.stdout}\n${run.stderr}`;
}

/** A readable account of a run, for assertion messages. */
export function describeRun(run: CliRun): string {
  return `exit ${run.code}${run.signal ? ` (${run.signal})` : ''}${run.timedOut ? ' TIMED OUT' : ''} after ${Math.round(run.durationMs)} ms\n--- stdout ---\n${run.stdout}\n--- stderr ---\n${run.stderr}`;
}

/** The document the CLIs print on stdout with `--json`. */
export interface JsonDocument {
  ok: boolean;
  exitCode?: number;
  error?: { code: string; message: string; hint?: string; flag?: string };
  [key: string]: unknown;
}

/** The one JSON document a `--json` run prints on stdout; throws with the whole run when stdout is anything else. */
export function jsonOf<T = JsonDocument>(run: CliRun): T {
  try {
    return JSON.parse(run.stdout) as T;
  } catch {
    throw new Error(`stdout is not one JSON document:\n${describeRun(run)}`);
  }
}
