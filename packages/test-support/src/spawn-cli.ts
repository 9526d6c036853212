import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';

/** How a child process ended, and everything it printed. */
export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Killed by us after `timeoutMs` (a hang). */
  timedOut: boolean;
  durationMs: number;
}

export interface CliRunOptions {
  cwd: string;
  /** Variables on top of the test process's environment; `undefined` removes one. */
  env?: Record<string, string | undefined>;
  /** Variables of the test process the child must not inherit (say, the machine's DATABASE_URL). */
  notInherited?: readonly string[];
  /** Written to stdin, which is then closed: stdin is a pipe, never a TTY, so nothing can prompt. */
  input?: string;
  /** SIGKILLed after this long, so that a hang fails the test instead of the run. No limit by default. */
  timeoutMs?: number;
}

/** A child process still running, and the promise of its run. */
export interface RunningCli {
  child: ChildProcessWithoutNullStreams;
  startedAt: number;
  exited: Promise<CliRun>;
}

/**
 * The environment of a child process: the test's, minus `notInherited` and FORCE_COLOR (which
 * would override NO_COLOR, and make Node warn about it on stderr), with NO_COLOR=1, then `env`.
 */
function childEnv(env: Record<string, string | undefined> = {}, notInherited: readonly string[] = []): NodeJS.ProcessEnv {
  const result: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  for (const name of ['FORCE_COLOR', ...notInherited]) delete result[name];
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete result[name];
    else result[name] = value;
  }
  return result;
}

/** Starts `node <nodeArgs>` (no shell), collecting stdout and stderr; see CliRunOptions. */
export function spawnNodeCli(nodeArgs: string[], options: CliRunOptions): RunningCli {
  const startedAt = performance.now();
  const child = spawn(process.execPath, nodeArgs, { cwd: options.cwd, env: childEnv(options.env, options.notInherited), stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let timedOut = false;
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const timer =
    options.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          child.kill('SIGKILL');
        }, options.timeoutMs);
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
  // A child that exits before reading its input must not fail the test with EPIPE.
  child.stdin.on('error', () => undefined);
  child.stdin.end(options.input ?? '');
  return { child, startedAt, exited };
}

/** Runs `node <nodeArgs>` to the end; see spawnNodeCli. */
export function runNodeCli(nodeArgs: string[], options: CliRunOptions): Promise<CliRun> {
  return spawnNodeCli(nodeArgs, options).exited;
}
