import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ErrorCodes, extractDatasource, MigrateError, normalizeProvider, type SchemaSource } from '@migrate-kit/migrate-core/cli';
import { type KeystoneConfigLike, loadKeystoneProject } from './load-keystone.js';
import { findProjectPrismaConfig, loadProjectPrismaConfig } from './prisma-config.js';

export interface KeystoneSourceFlags {
  entry?: string | undefined;
}

/**
 * The schema source of a Keystone 8 project: the Prisma schema Keystone prints for `keystone.ts`,
 * the provider from `db.provider`, the database URL Keystone uses (databaseUrls), and the
 * migrations folder from the config's `migrations.path`, defaulting to `migrations/` beside keystone.ts.
 */
export async function loadKeystoneSource(flags: KeystoneSourceFlags, cwd = process.cwd(), env = process.env): Promise<SchemaSource> {
  const project = await loadKeystoneProject(cwd, flags.entry);
  return sourceFromSchema(project.config, project.prismaSchema, dirname(project.entry), env, project.entry);
}

/**
 * The same source inside a running Keystone server (the withMigrations plugin): the schema is the
 * `schema.prisma` that `keystone build` / `keystone dev` just wrote, so nothing is loaded twice.
 */
export async function loadRuntimeSource(config: KeystoneConfigLike, cwd = process.cwd(), env = process.env): Promise<SchemaSource> {
  const schemaPath = resolve(cwd, config.db?.prismaSchemaPath ?? 'schema.prisma');
  if (!existsSync(schemaPath)) {
    throw new MigrateError(ErrorCodes.schemaNotFound, `Keystone's generated Prisma schema is missing at ${schemaPath}.`, {
      hint: 'Run `keystone build` (or start with `keystone dev`) so that Keystone writes it.',
    });
  }
  return sourceFromSchema(config, readFileSync(schemaPath, 'utf8'), cwd, env, schemaPath);
}

async function sourceFromSchema(config: KeystoneConfigLike, prismaSchema: string, projectDir: string, env: NodeJS.ProcessEnv, schemaPath: string): Promise<SchemaSource> {
  const provider = normalizeProvider(String(config.db?.provider ?? ''));
  const { files } = extractDatasource([{ path: join(projectDir, 'schema.prisma'), content: prismaSchema }]);
  const configFile = findProjectPrismaConfig(projectDir);
  const prismaConfig = configFile ? await loadProjectPrismaConfig(projectDir, configFile) : undefined;
  const urls = databaseUrls(config, prismaConfig?.config.datasource ?? {}, env);
  const migrationsPath = prismaConfig?.config.migrations?.path;
  return {
    schemaPath,
    files,
    provider,
    ...urls,
    migrationsDir: migrationsPath ? resolve(prismaConfig!.dir, migrationsPath) : join(projectDir, 'migrations'),
    baseDir: prismaConfig?.dir ?? projectDir,
    filter: { externalTables: prismaConfig?.config.tables?.external ?? [], externalEnums: prismaConfig?.config.enums?.external ?? [] },
    missingUrlHint: MISSING_URL_HINT,
  };
}

/** Where a Keystone project keeps its database URL (keystone-migrate has no `--url`). */
const MISSING_URL_HINT =
  "Set DATABASE_URL (the prisma.config.ts Keystone 8 writes reads it), or set datasource.url in prisma.config.ts, or db.url in keystone.ts.";

/**
 * The database Keystone itself connects to, first found of:
 * - `db.url` / `db.shadowDatabaseUrl` in keystone.ts (Keystone 6.1-7's settings, which projects
 *   that moved to 8 often keep);
 * - `datasource.url` / `shadowDatabaseUrl` of the project's prisma.config.ts (which Keystone 8
 *   writes with `process.env.DATABASE_URL`);
 * - the connection string of the PostgreSQL adapter `db.prismaClientOptions()` returns (what
 *   Keystone 8's server uses; a SQLite adapter keeps its URL private);
 * - DATABASE_URL / SHADOW_DATABASE_URL.
 * Test: test/database-url.test.ts.
 */
export function databaseUrls(
  config: KeystoneConfigLike,
  datasource: { url?: string | undefined; shadowDatabaseUrl?: string | undefined },
  env: NodeJS.ProcessEnv,
): { url: string | undefined; shadowDatabaseUrl: string | undefined } {
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  return {
    url: text(config.db?.url) ?? text(datasource.url) ?? adapterConnectionString(config) ?? text(env.DATABASE_URL),
    shadowDatabaseUrl: text(config.db?.shadowDatabaseUrl) ?? text(datasource.shadowDatabaseUrl) ?? text(env.SHADOW_DATABASE_URL),
  };
}

/** `new PrismaPg({ connectionString })` (or a pg Pool) keeps its settings as `config`; building the adapter connects nothing. */
function adapterConnectionString(config: KeystoneConfigLike): string | undefined {
  const options = config.db?.prismaClientOptions;
  if (typeof options !== 'function') return undefined;
  try {
    const adapter = (options() as { adapter?: { config?: { connectionString?: unknown } } } | undefined)?.adapter;
    const url = adapter?.config?.connectionString;
    return typeof url === 'string' && url !== '' ? url : undefined;
  } catch {
    // The project's own code decides at connect time; DATABASE_URL is the fallback.
    return undefined;
  }
}
