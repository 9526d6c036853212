import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { ErrorCodes, extractDatasource, type LoadedConfig, loadPrismaConfig, MigrateError, readPrismaSchema, resolveUrlSetting, type SchemaSource } from '@migrate-kit/migrate-core';
import { config as loadDotenv } from 'dotenv';


export interface PrismaSourceFlags {
  schema?: string | undefined;
  config?: string | undefined;
  url?: string | undefined;
}

/**
 * The schema source of a Prisma project, found the way `prisma` 7 finds it:
 * `--config` / `prisma.config.ts`; the schema from `--schema`, the config's `schema`, the
 * `package.json` `prisma.schema` field, then `./prisma/schema.prisma` and `./schema.prisma`;
 * the URLs from `--url`, the config's `datasource`, or (Prisma 6 style) the schema's datasource.
 */
export async function loadPrismaProjectSource(flags: PrismaSourceFlags, cwd = process.cwd(), env = process.env): Promise<SchemaSource> {
  const config = await loadPrismaConfig(cwd, flags.config);
  // Prisma 7 loads no .env itself (the config file does, with dotenv); a project without a
  // config file is a Prisma 6 project, whose CLI loaded `.env` from the project root.
  if (!config.path) loadDotenv({ path: join(cwd, '.env'), quiet: true, processEnv: env as Record<string, string> });
  const schemaPath = findSchema(flags, config, cwd);
  if (!config.path && statSync(schemaPath).isFile()) loadDotenv({ path: join(dirname(schemaPath), '.env'), quiet: true, processEnv: env as Record<string, string> });

  const { datasource, files } = extractDatasource(readPrismaSchema(schemaPath));
  const schemaDir = statSync(schemaPath).isDirectory() ? schemaPath : dirname(schemaPath);
  const configured = config.config.datasource ?? {};
  const schemaUrl = resolveUrlSetting(datasource.directUrl ?? datasource.url, env, 'url');
  const url = flags.url ?? configured.url ?? schemaUrl;
  // Relative SQLite paths: against the folder of whatever named them (as Prisma resolves them).
  const baseDir = flags.url ? cwd : configured.url ? config.dir : schemaDir;
  const migrationsPath = config.config.migrations?.path;
  return {
    schemaPath,
    files,
    provider: datasource.provider,
    url,
    shadowDatabaseUrl: configured.shadowDatabaseUrl ?? resolveUrlSetting(datasource.shadowDatabaseUrl, env, 'shadowDatabaseUrl'),
    migrationsDir: migrationsPath ? resolve(config.dir, migrationsPath) : join(schemaDir, 'migrations'),
    baseDir,
    filter: { externalTables: config.config.tables?.external ?? [], externalEnums: config.config.enums?.external ?? [] },
    shadowDbInitScript: config.config.migrations?.initShadowDb ?? '',
  };
}

function findSchema(flags: PrismaSourceFlags, config: LoadedConfig, cwd: string): string {
  const given = flags.schema ? resolve(cwd, flags.schema) : config.config.schema ? resolve(config.dir, config.config.schema) : packageJsonSchema(cwd);
  if (given) {
    if (!existsSync(given)) {
      throw new MigrateError(ErrorCodes.schemaNotFound, `Could not load the schema from the provided path ${given}: the file or folder does not exist.`, {
        hint: flags.schema ? 'Check the path given to --schema.' : 'Check the `schema` path in your prisma.config.ts or package.json.',
      });
    }
    return given;
  }
  const defaults = ['prisma/schema.prisma', 'schema.prisma'].map((p) => join(cwd, p)).filter((p) => existsSync(p));
  if (defaults.length === 0) {
    throw new MigrateError(ErrorCodes.schemaNotFound, 'Could not find Prisma Schema that is required for this command.\nChecked following paths:\n\nschema.prisma: file not found\nprisma/schema.prisma: file not found', {
      hint: 'Pass --schema <file or folder>, set `schema` in prisma.config.ts, or create prisma/schema.prisma.',
    });
  }
  if (defaults.length > 1) {
    throw new MigrateError(ErrorCodes.usage, `Found two Prisma schemas: ${defaults.join(' and ')}.`, {
      hint: 'Pass --schema to say which one to use (or set `schema` in prisma.config.ts), or remove the other.',
    });
  }
  return defaults[0]!;
}

function packageJsonSchema(cwd: string): string | undefined {
  const file = join(cwd, 'package.json');
  if (!existsSync(file)) return undefined;
  try {
    const schema = (JSON.parse(readFileSync(file, 'utf8')) as { prisma?: { schema?: string } }).prisma?.schema;
    return schema ? (isAbsolute(schema) ? schema : resolve(cwd, schema)) : undefined;
  } catch {
    return undefined;
  }
}
