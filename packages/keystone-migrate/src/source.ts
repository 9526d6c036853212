import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ErrorCodes, extractDatasource, loadPrismaConfig, MigrateError, normalizeProvider, type SchemaSource } from '@migrate-kit/migrate-core';
import { type KeystoneConfigLike, loadKeystoneProject } from './load-keystone.js';

export interface KeystoneSourceFlags {
  entry?: string | undefined;
}

/**
 * The schema source of a Keystone 8 project: the Prisma schema Keystone prints for `keystone.ts`,
 * the provider from `db.provider`, the URLs from the project's `prisma.config.ts` (which Keystone
 * 8 generates) or DATABASE_URL / SHADOW_DATABASE_URL, and the migrations folder from the
 * config's `migrations.path`, defaulting to `migrations/` beside keystone.ts.
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
  const prismaConfig = existsSync(join(projectDir, 'prisma.config.ts')) || existsSync(join(projectDir, 'prisma.config.js')) ? await loadPrismaConfig(projectDir, undefined) : undefined;
  const datasource = prismaConfig?.config.datasource ?? {};
  const url = datasource.url || env.DATABASE_URL || undefined;
  const migrationsPath = prismaConfig?.config.migrations?.path;
  return {
    schemaPath,
    files,
    provider,
    url,
    shadowDatabaseUrl: datasource.shadowDatabaseUrl || env.SHADOW_DATABASE_URL || undefined,
    migrationsDir: migrationsPath ? resolve(prismaConfig!.dir, migrationsPath) : join(projectDir, 'migrations'),
    baseDir: prismaConfig?.dir ?? projectDir,
    filter: { externalTables: prismaConfig?.config.tables?.external ?? [], externalEnums: prismaConfig?.config.enums?.external ?? [] },
  };
}
