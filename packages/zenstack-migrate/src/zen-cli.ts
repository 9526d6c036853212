import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findProjectPackage, MigrateError, runProjectScript } from '@migrate-kit/migrate-core/cli';

/** The ZenStack version this package generates with: the `@zenstackhq/cli` to suggest installing. */
const zenstackVersion = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { dependencies: Record<string, string> }).dependencies[
  '@zenstackhq/language'
];

/**
 * Where the project's own `zen` CLI is: `node_modules/@zenstackhq/cli` in the project folder or one
 * of its parents (walked by hand, not with NODE_PATH, so only what the project has counts).
 */
export function resolveProjectZen(cwd: string): string {
  const installed = findProjectPackage(cwd, '@zenstackhq/cli');
  if (installed) return join(installed.dir, installed.bin?.zen ?? 'bin/cli');
  throw new MigrateError('MK_ZEN_NOT_INSTALLED', "This command is handed to ZenStack's `zen` CLI, and the project has no `@zenstackhq/cli` package installed.", {
    hint: `Add it: \`npm install --save-dev @zenstackhq/cli@${zenstackVersion}\` (or pnpm add -D / yarn add -D), or run \`zen-migrate --help\` for the verbs zen-migrate runs itself.`,
  });
}

const PRELOAD = new URL('./groupby-preload.js', import.meta.url).href;

/**
 * Runs the project's `zen` with the given arguments (`generate`, `db pull`, `db seed`, `check`,
 * ...) as a child Node (runProjectScript: no shell, signals forwarded, its exit code returned).
 * `--import` installs `Object.groupBy` first, which zen needs on Node 20.
 */
export function runProjectZen(argv: string[], cwd = process.cwd(), env = process.env): Promise<number> {
  return runProjectScript(resolveProjectZen(cwd), argv, { cwd, env, nodeArgs: ['--import', PRELOAD] });
}
