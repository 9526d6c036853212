import { spawn } from 'node:child_process';
import type { Ui } from '@migrate-kit/migrate-core/cli';
import { packageJsonConfig } from './source.js';

/**
 * Runs the project's seed script (`zenstack.seed` in package.json), as `zen migrate reset` does
 * unless `--skip-seed`. The script is a command line the project wrote, like an npm script, so it
 * runs through the shell the way npm runs scripts; nothing from our own command line goes into it.
 */
export async function runSeed(ui: Ui, cwd = process.cwd()): Promise<number> {
  const { seed, dir } = packageJsonConfig(cwd);
  if (!seed) return 0;
  ui.warn(`Running seed script "${seed}"...`);
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn(seed, { cwd: dir ?? cwd, shell: true, stdio: ui.json ? ['ignore', 'ignore', 'inherit'] : 'inherit' });
    child.on('error', reject);
    child.on('close', (status) => resolve(status ?? 1));
  });
  if (code !== 0) ui.warn(`The seed script failed with exit code ${code}.`);
  return code;
}
