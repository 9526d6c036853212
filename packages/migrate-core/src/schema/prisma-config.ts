import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
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
 * Reads `prisma.config.ts` (or the file given with `--config`) with Prisma's own loader,
 * `@prisma/config`, so that `defineConfig`, `env()` and every supported file name and extension
 * behave exactly as under `prisma`.
 */
export async function loadPrismaConfig(cwd: string, configFile: string | undefined): Promise<LoadedConfig> {
  if (configFile && !existsSync(resolve(cwd, configFile))) {
    throw new MigrateError(ErrorCodes.schemaNotFound, `Config file not found at ${configFile}.`, { hint: 'Check the path given to --config.' });
  }
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
