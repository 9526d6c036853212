import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findProjectPackage, MigrateError, runProjectScript } from '@migrate-kit/migrate-core/cli';

/**
 * Where the project's own `prisma` CLI is: `node_modules/prisma` in the project folder or one of
 * its parents. Walked by hand rather than with require.resolve, which also honours NODE_PATH (set
 * by package-manager shims) and could pick up a prisma the project does not have.
 */
export function resolveProjectPrisma(cwd: string): string {
  const installed = findProjectPackage(cwd, 'prisma');
  if (installed) return join(installed.dir, installed.bin?.prisma ?? 'build/index.js');
  throw new MigrateError('MK_PRISMA_NOT_INSTALLED', 'This command is handed to the Prisma CLI, and the project has no `prisma` package installed.', {
    hint: 'Add it: `npm install --save-dev prisma` (or pnpm add -D prisma / yarn add -D prisma).',
  });
}

/** The major and minor version of the project's installed `prisma` package; undefined when none is installed (or it cannot be read). */
export function projectPrismaVersion(cwd: string): { major: number; minor: number } | undefined {
  const match = /^(\d+)\.(\d+)\./.exec(findProjectPackage(cwd, 'prisma')?.version ?? '');
  return match ? { major: Number(match[1]), minor: Number(match[2]) } : undefined;
}

/**
 * Stands in for the native schema engine in passed-through commands. Prisma 7 downloads the
 * native `schema-engine` binary before any command unless PRISMA_SCHEMA_ENGINE_BINARY names
 * one; `format`, `validate`, `generate` and friends never run it (they use Prisma's Wasm), so a
 * stand-in that explains itself is enough and avoids the download.
 */
export const SCHEMA_ENGINE_STAND_IN = fileURLToPath(new URL('../bin/no-native-schema-engine.js', import.meta.url));


/**
 * Runs the project's `prisma` with the given arguments: spawned with an argument array (never
 * through a shell), stdio inherited, signals forwarded, and its exit code (or signal) returned.
 */
export function runProjectPrisma(argv: string[], cwd = process.cwd(), env = process.env): Promise<number> {
  return runProjectScript(resolveProjectPrisma(cwd), argv, {
    cwd,
    env: { ...env, PRISMA_SCHEMA_ENGINE_BINARY: env.PRISMA_SCHEMA_ENGINE_BINARY ?? SCHEMA_ENGINE_STAND_IN },
  });
}
