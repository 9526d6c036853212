import { existsSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { ErrorCodes, MigrateError } from '../errors.js';
import { redactSecrets } from '../redact.js';
import type { PrismaConfigInternal } from '@prisma/config';

export interface LoadedConfig {
  config: PrismaConfigInternal;
  /** The config file, or null when the project has none (Prisma's defaults apply). */
  path: string | null;
  /** Folder that the config's relative paths are resolved against. */
  dir: string;
}

/**
 * Reads `prisma.config.ts` (or the file given with `--config`) as Prisma's own loader,
 * `@prisma/config`, reads it, so that `defineConfig`, `env()` and every supported file name and
 * extension behave exactly as under `prisma`.
 *
 * Why two ways: loading `@prisma/config` costs about 0.6 s (the `effect` library), which made a
 * no-op `prisma-migrate migrate deploy` 2.6x `migrate-kit deploy`. The common cases (no config
 * file, or one plain config file whose settings Prisma's shapes accept) are answered by
 * prisma-config-quick.ts with the same result; everything else, errors included, by Prisma's
 * loader. Test: test/prisma-config-loader.test.ts (each case against Prisma's loader).
 */
export async function loadPrismaConfig(cwd: string, configFile: string | undefined): Promise<LoadedConfig> {
  if (configFile && !existsSync(resolve(cwd, configFile))) {
    throw new MigrateError(ErrorCodes.schemaNotFound, `Config file not found at ${configFile}.`, { hint: 'Check the path given to --config.' });
  }
  const quick = await loadQuickly(cwd, configFile);
  return quick ?? loadWithPrismasLoader(cwd, configFile);
}

/** The quick loader's answer, or undefined when Prisma's loader must answer. */
async function loadQuickly(cwd: string, configFile: string | undefined): Promise<LoadedConfig | undefined> {
  const { findConfigFileQuickly, loadConfigQuickly, QUICK_EXTENSIONS } = await import('./prisma-config-quick.js');
  const file = configFile ? resolve(cwd, configFile) : findConfigFileQuickly(cwd);
  if (file === null) return { config: { loadedFromFile: null } as PrismaConfigInternal, path: null, dir: cwd };
  if (file === undefined || !QUICK_EXTENSIONS.includes(extname(file))) return undefined;
  const config = await loadConfigQuickly(file).catch(() => undefined);
  return config && { config, path: file, dir: dirname(file) };
}

async function loadWithPrismasLoader(cwd: string, configFile: string | undefined): Promise<LoadedConfig> {
  // Imported on use: @prisma/config costs ~0.6 s to load, which commands without a config should not pay.
  const { loadConfigFromFile } = await import('@prisma/config');
  const loaded = await loadConfigFromFile({ configFile: configFile ? resolve(cwd, configFile) : undefined, configRoot: cwd });
  if (loaded.error) {
    const file = loaded.resolvedPath ?? configFile ?? 'prisma.config.ts';
    if (loaded.error._tag === 'ConfigFileNotFound') {
      throw new MigrateError(ErrorCodes.schemaNotFound, `Config file not found at ${file}.`, { hint: 'Check the path given to --config.' });
    }
    const cause = loaded.error.error;
    const missingEnv = /Cannot resolve environment variable: (\w+)/.exec(cause?.message ?? '');
    throw new MigrateError(
      missingEnv ? ErrorCodes.missingUrl : ErrorCodes.usage,
      `Failed to load the config file ${file}: ${redactSecrets(cause?.message ?? loaded.error._tag)}`,
      {
        hint: missingEnv
          ? `Set ${missingEnv[1]} in your environment, or load your .env file in the config (\`import 'dotenv/config'\`).`
          : 'Fix the error in the config file; it must `export default defineConfig({ ... })`.',
        cause,
      },
    );
  }
  const path = loaded.resolvedPath;
  return { config: loaded.config, path, dir: path ? dirname(path) : cwd };
}
