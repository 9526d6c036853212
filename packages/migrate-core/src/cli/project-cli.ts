import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** A package the project has installed: its folder and its package.json. */
export interface InstalledPackage {
  dir: string;
  version: string | undefined;
  bin: Record<string, string> | undefined;
}

/**
 * The project's own `node_modules/<name>` (in `cwd` or the nearest parent that has one), the way
 * the adapters find the framework CLI they hand verbs to (`prisma`, `@zenstackhq/cli`). Walked by
 * hand rather than with require.resolve, which also honours NODE_PATH (set by package-manager
 * shims) and could pick up a package the project does not have.
 */
export function findProjectPackage(cwd: string, name: string): InstalledPackage | undefined {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const packageJson = join(dir, 'node_modules', ...name.split('/'), 'package.json');
    if (existsSync(packageJson)) {
      try {
        const pkg = JSON.parse(readFileSync(packageJson, 'utf8')) as { version?: string; bin?: Record<string, string> | string };
        return { dir: dirname(packageJson), version: pkg.version, bin: typeof pkg.bin === 'string' ? undefined : pkg.bin };
      } catch {
        return { dir: dirname(packageJson), version: undefined, bin: undefined };
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}

const FORWARDED_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Runs a project's CLI script in a child Node (`node [nodeArgs] <script> ...argv`): an argument
 * array (never a shell), stdio inherited, SIGINT/SIGTERM/SIGHUP forwarded, and its exit code
 * returned (128 + the signal's number when it was killed).
 */
export async function runProjectScript(script: string, argv: string[], options: { cwd: string; env: NodeJS.ProcessEnv; nodeArgs?: string[] }): Promise<number> {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), script, ...argv], { cwd: options.cwd, env: options.env, stdio: 'inherit' });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);
  try {
    return await new Promise<number>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code, signal) => resolve(code ?? 128 + (signal ? (constants.signals[signal] ?? 1) : 1)));
    });
  } finally {
    for (const signal of FORWARDED_SIGNALS) process.off(signal, forward);
  }
}
