import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { ErrorCodes, extractDatasource, type LoadedConfig, loadPrismaConfig, MigrateError, readPrismaSchema, resolveUrlSetting, type SchemaSource } from '@migrate-kit/migrate-core/cli';
import { config as loadDotenv } from 'dotenv';
import { projectPrismaVersion } from './passthrough.js';


export interface PrismaSourceFlags {
  schema?: string | undefined;
  config?: string | undefined;
  url?: string | undefined;
}

/**
 * The rules of the project's Prisma version that decide where its schema and migrations are.
 * Why: Prisma changed them twice (read from prisma/prisma `packages/internals/src/cli/getSchema.ts`
 * and `directoryConfig.ts` at each tag): up to 6.5 the `prisma/schema` folder was a default location
 * when the `prismaSchemaFolder` preview feature was on, and migrations sat beside the schema file
 * or folder (`prisma/migrations` for `prisma/schema`); 6.6 dropped the folder default and put
 * migrations beside the file with the datasource block; 7 puts them in the schema's root folder
 * and reads no `package.json` `prisma.schema`. `prisma.config.ts` `migrations.path` wins where set.
 * Test: test/schema-discovery.test.ts.
 */
export type PrismaLayoutRules = 'preview-folder' | 'datasource-folder' | 'prisma7';

/** The rules for a `prisma` version; without an installed `prisma`, Prisma 7's, with the 6.5 folder default (see findSchema). */
export function layoutRulesFor(version: { major: number; minor: number } | undefined): PrismaLayoutRules {
  if (!version || version.major >= 7) return 'prisma7';
  return version.major < 6 || version.minor <= 5 ? 'preview-folder' : 'datasource-folder';
}

/**
 * The schema source of a Prisma project, found the way the project's `prisma` finds it
 * (PrismaLayoutRules): `--config` / `prisma.config.ts`; the schema from `--schema`, the config's
 * `schema`, the `package.json` `prisma.schema` field (before Prisma 7), then `./schema.prisma`,
 * `./prisma/schema.prisma` and (up to 6.5) the `prisma/schema` folder; the URLs from `--url`,
 * the config's `datasource`, or (Prisma 6 style) the schema's datasource.
 */
export async function loadPrismaProjectSource(flags: PrismaSourceFlags, cwd = process.cwd(), env = process.env): Promise<SchemaSource> {
  const config = await loadPrismaConfig(cwd, flags.config);
  // Prisma 7 loads no .env itself (the config file does, with dotenv); a project without a
  // config file is a Prisma 6 project, whose CLI loaded `.env` from the project root.
  if (!config.path) loadDotenv({ path: join(cwd, '.env'), quiet: true, processEnv: env as Record<string, string> });
  const version = projectPrismaVersion(cwd);
  const { path: schemaPath, rules } = findSchema(flags, config, cwd, version);
  const isFolder = statSync(schemaPath).isDirectory();
  if (!config.path && !isFolder) loadDotenv({ path: join(dirname(schemaPath), '.env'), quiet: true, processEnv: env as Record<string, string> });

  const { datasource, files } = extractDatasource(readPrismaSchema(schemaPath));
  const schemaDir = isFolder ? schemaPath : dirname(schemaPath);
  const configured = config.config.datasource ?? {};
  const schemaUrl = resolveUrlSetting(datasource.directUrl ?? datasource.url, env, 'url');
  const url = flags.url ?? configured.url ?? schemaUrl;
  // Relative SQLite paths: against the folder of whatever named them (as Prisma resolves them: a
  // schema's URL against the file that holds the datasource).
  const baseDir = flags.url ? cwd : configured.url ? config.dir : dirname(datasource.file);
  const migrationsPath = config.config.migrations?.path;
  return {
    schemaPath,
    files,
    provider: datasource.provider,
    url,
    shadowDatabaseUrl: configured.shadowDatabaseUrl ?? resolveUrlSetting(datasource.shadowDatabaseUrl, env, 'shadowDatabaseUrl'),
    migrationsDir: migrationsPath ? resolve(config.dir, migrationsPath) : defaultMigrationsDir(rules, schemaPath, schemaDir, datasource.file),
    baseDir,
    filter: { externalTables: config.config.tables?.external ?? [], externalEnums: config.config.enums?.external ?? [] },
    shadowDbInitScript: config.config.migrations?.initShadowDb ?? '',
  };
}

function defaultMigrationsDir(rules: PrismaLayoutRules, schemaPath: string, schemaDir: string, datasourceFile: string): string {
  if (rules === 'preview-folder') return join(dirname(schemaPath), 'migrations');
  if (rules === 'datasource-folder') return join(dirname(datasourceFile), 'migrations');
  return join(schemaDir, 'migrations');
}

const SCHEMA_FOLDER = join('prisma', 'schema');

function findSchema(flags: PrismaSourceFlags, config: LoadedConfig, cwd: string, version: { major: number; minor: number } | undefined): { path: string; rules: PrismaLayoutRules } {
  let rules = layoutRulesFor(version);
  const fromPackageJson = rules === 'prisma7' && version ? undefined : packageJsonSchema(cwd);
  const given = flags.schema ? resolve(cwd, flags.schema) : config.config.schema ? resolve(config.dir, config.config.schema) : fromPackageJson;
  if (given) {
    if (!existsSync(given)) {
      throw new MigrateError(ErrorCodes.schemaNotFound, `Could not load the schema from the provided path ${given}: the file or folder does not exist.`, {
        hint: flags.schema ? 'Check the path given to --schema.' : 'Check the `schema` path in your prisma.config.ts or package.json.',
      });
    }
    return { path: given, rules };
  }
  const defaults = ['prisma/schema.prisma', 'schema.prisma'].map((p) => join(cwd, p)).filter((p) => existsSync(p));
  // Up to 6.5, and when no `prisma` is installed to say otherwise: the folder of a project on the
  // `prismaSchemaFolder` preview (Prisma only took it with the preview feature on).
  const folder = join(cwd, SCHEMA_FOLDER);
  const previewFolder = (rules === 'preview-folder' || !version) && enablesSchemaFolderPreview(folder);
  if (previewFolder) {
    rules = 'preview-folder';
    const file = join(cwd, 'prisma', 'schema.prisma');
    if (existsSync(file)) {
      throw new MigrateError(ErrorCodes.usage, `Found Prisma Schemas at both ${relative(cwd, file)} and ${SCHEMA_FOLDER}. Please remove one.`, {
        hint: `Pass --schema to say which one to use, or remove the other (Prisma ${version ? `${version.major}.${version.minor}` : '6.5'} refuses both too).`,
      });
    }
    if (defaults.length === 0) return { path: folder, rules };
  }
  if (defaults.length === 0) {
    const folderHint = existsSync(folder)
      ? ` The folder ${SCHEMA_FOLDER} is not looked into by itself${version ? ` by Prisma ${version.major}.${version.minor}` : ''} (only Prisma 5.15-6.5 did, with the prismaSchemaFolder preview feature): pass --schema ${SCHEMA_FOLDER}${rules === 'prisma7' ? ' or set `schema` in prisma.config.ts' : ', set "prisma": { "schema": "prisma/schema" } in package.json, or set `schema` in prisma.config.ts'}.`
      : '';
    throw new MigrateError(ErrorCodes.schemaNotFound, `Could not find Prisma Schema that is required for this command.\nChecked following paths:\n\nschema.prisma: file not found\nprisma/schema.prisma: file not found${folderHint ? `\n${SCHEMA_FOLDER}: not a default location` : ''}`, {
      hint: folderHint ? folderHint.trim() : 'Pass --schema <file or folder>, set `schema` in prisma.config.ts, or create prisma/schema.prisma.',
    });
  }
  if (defaults.length > 1) {
    throw new MigrateError(ErrorCodes.usage, `Found two Prisma schemas: ${defaults.join(' and ')}.`, {
      hint: 'Pass --schema to say which one to use (or set `schema` in prisma.config.ts), or remove the other.',
    });
  }
  return { path: defaults[0]!, rules };
}

/** Whether a folder holds .prisma files whose generator turns on the `prismaSchemaFolder` preview feature. */
function enablesSchemaFolderPreview(folder: string): boolean {
  if (!existsSync(folder) || !statSync(folder).isDirectory()) return false;
  try {
    return readPrismaSchema(folder).some((f) => /previewFeatures\s*=\s*\[[^\]]*"prismaSchemaFolder"/.test(f.content));
  } catch {
    return false;
  }
}

/** `package.json` `prisma.schema` of the nearest package.json at or above the folder (Prisma 6 reads it with read-package-up), resolved against that file. */
function packageJsonSchema(cwd: string): string | undefined {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        const schema = (JSON.parse(readFileSync(file, 'utf8')) as { prisma?: { schema?: string } }).prisma?.schema;
        return typeof schema === 'string' && schema ? resolve(dir, schema) : undefined;
      } catch {
        return undefined;
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}
