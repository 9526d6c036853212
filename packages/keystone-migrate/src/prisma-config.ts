import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMigrateError, type LoadedConfig, loadPrismaConfig } from '@migrate-kit/migrate-core/cli';
import { createJiti } from 'jiti';

const CONFIG_NAMES = ['prisma.config.ts', 'prisma.config.mts', 'prisma.config.cts', 'prisma.config.js', 'prisma.config.mjs', 'prisma.config.cjs'];

/** The project's `prisma.config.*` (Keystone 8 writes `prisma.config.ts`), or undefined when it has none. */
export function findProjectPrismaConfig(projectDir: string): string | undefined {
  return CONFIG_NAMES.map((name) => join(projectDir, name)).find((path) => existsSync(path));
}

/**
 * The project's `prisma.config.ts`, read with Prisma's own loader.
 *
 * Why: that file imports `defineConfig` from `prisma/config`, and Keystone projects keep `prisma`
 * in devDependencies (Keystone's own examples do): after a production install, `keystone start`
 * with withMigrations failed with "Cannot find module 'prisma/config'". `prisma/config` only
 * re-exports `@prisma/config`, which migrate-core depends on: the file is then loaded with
 * `prisma/config` resolved to that copy.
 * Test: test/plugin-runtime.test.ts ("... where the prisma package is not installed ...").
 */
export async function loadProjectPrismaConfig(projectDir: string, configFile: string): Promise<LoadedConfig> {
  try {
    return await loadPrismaConfig(projectDir, undefined);
  } catch (error) {
    const cause = isMigrateError(error) ? (error.cause as Error | undefined)?.message : undefined;
    if (!/Cannot find (module|package) '?prisma(\/config)?'?/.test(`${(error as Error).message} ${cause ?? ''}`)) throw error;
    const prismaConfig = createRequire(fileURLToPath(import.meta.resolve('@migrate-kit/migrate-core'))).resolve('@prisma/config');
    const jiti = createJiti(configFile, { interopDefault: true, moduleCache: false, alias: { 'prisma/config': prismaConfig } });
    const config = (await jiti.import(configFile, { default: true })) as LoadedConfig['config'];
    return { config, path: configFile, dir: projectDir };
  }
}
