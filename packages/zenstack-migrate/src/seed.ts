import { spawn } from 'node:child_process';
import { MigrateError } from '@migrate-kit/migrate-core/cli';
import type { Ui } from '@migrate-kit/migrate-core/cli';
import { packageJsonConfig } from './source.js';

/**
 * Runs the project's seed script (`zenstack.seed` in package.json) after `migrate reset`, as zen
 * does unless `--skip-seed`: in the working folder of the command (not package.json's), the
 * command line split on spaces (a backslash keeps a space) and run without a shell, like zen's
 * `execaCommand`. A failing seed fails the command with zen's message, exit code 1.
 */
export async function runSeed(ui: Ui, cwd = process.cwd()): Promise<number> {
  const { seed } = packageJsonConfig(cwd);
  if (!seed) return 0;
  ui.warn(ui.colors.dim(`Running seed script "${seed}"...`));
  const [file, ...args] = splitCommand(seed);
  // With --json, stdout carries only the JSON document: the seed's output goes to stderr.
  const failure = await new Promise<string | undefined>((resolve) => {
    const child = spawn(file!, args, { cwd, stdio: ['ignore', ui.json ? 2 : 'inherit', 'inherit'] });
    child.on('error', (error: NodeJS.ErrnoException) => resolve(`Command failed with ${error.code ?? error.message}: ${seed}`));
    child.on('close', (status, signal) => resolve(status === 0 ? undefined : `Command failed with ${signal ? `signal ${signal}` : `exit code ${status}`}: ${seed}`));
  });
  if (failure) {
    throw new MigrateError('MK_SEED_FAILED', `${failure}\n\nFailed to seed the database. Please check the error message above for details.`, {
      hint: 'The database was reset and the migrations applied; fix the seed script (`zenstack.seed` in package.json) and run it again with `zen-migrate db seed`.',
    });
  }
  return 0;
}

/** `a b\ c` -> ['a', 'b c']: the command string as execa's `execaCommand` splits it (runs of spaces separate, `\ ` is a space). */
export function splitCommand(command: string): string[] {
  const tokens: string[] = [];
  for (const token of command.trim().split(/ +/)) {
    const previous = tokens.at(-1);
    if (previous?.endsWith('\\')) tokens[tokens.length - 1] = `${previous.slice(0, -1)} ${token}`;
    else tokens.push(token);
  }
  return tokens;
}
