import { dirname, resolve } from 'node:path';
import type { SchemaSource } from '../source.js';
import { extractDatasource, resolveUrlSetting } from './datasource.js';
import { readPrismaSchema } from './load.js';

export interface PrismaSchemaSourceOptions {
  /** A schema file or a folder of .prisma files. */
  schemaPath: string;
  /** Overrides the datasource url (a `--url` flag, a config file). */
  url?: string | undefined;
  shadowDatabaseUrl?: string | undefined;
  /** Defaults to `migrations/` beside the schema (Prisma's layout). */
  migrationsDir?: string | undefined;
  env?: NodeJS.ProcessEnv;
}

/**
 * A SchemaSource from a Prisma schema on disk. Prisma 6-style connection settings in the
 * datasource (`url = env("DATABASE_URL")`) are honoured, and removed from what the engine sees.
 */
export function loadPrismaSchemaSource(options: PrismaSchemaSourceOptions): SchemaSource {
  const env = options.env ?? process.env;
  const schemaPath = resolve(options.schemaPath);
  const raw = readPrismaSchema(schemaPath);
  const { datasource, files } = extractDatasource(raw);
  const schemaDir = raw.length === 1 && raw[0]!.path === schemaPath ? dirname(schemaPath) : schemaPath;
  const url = options.url ?? resolveUrlSetting(datasource.directUrl ?? datasource.url, env, 'url');
  const shadowDatabaseUrl = options.shadowDatabaseUrl ?? resolveUrlSetting(datasource.shadowDatabaseUrl, env, 'shadowDatabaseUrl');
  return {
    schemaPath,
    files,
    provider: datasource.provider,
    url,
    shadowDatabaseUrl,
    migrationsDir: resolve(options.migrationsDir ?? resolve(schemaDir, 'migrations')),
    baseDir: schemaDir,
  };
}
