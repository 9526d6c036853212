import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { ErrorCodes, extractDatasource, MigrateError, resolveUrlSetting, type SchemaSource } from '@migrate-kit/migrate-core/cli';
import { config as loadDotenv } from 'dotenv';
import { type DroppedDatasourceFields, zmodelToPrismaSchema } from './zmodel.js';

export interface ZenSourceFlags {
  schema?: string | undefined;
  migrations?: string | undefined;
}

/**
 * The schema source of a ZenStack project, found as `zen` finds it: `--schema`, then
 * `package.json` `zenstack.schema` (a file, or a folder holding `schema.zmodel`), then
 * `./schema.zmodel`, then `./zenstack/schema.zmodel`. The URL comes from the ZModel datasource
 * (with `env()` and `.env` honoured); a relative SQLite path is resolved against the ZModel
 * file's folder, as the user wrote it (zen's temp-file detour moved it: ZenStack #2471).
 * Migrations live beside the schema (`zenstack/migrations`), as under `zen`.
 */
export async function loadZenStackSource(flags: ZenSourceFlags, cwd = process.cwd(), env = process.env): Promise<SchemaSource> {
  const zmodelPath = findZModel(flags.schema, cwd);
  const zmodelDir = dirname(zmodelPath);
  // zen hands its commands to the prisma 6 CLI, which loads `.env` from the project root and from
  // the schema's folder; existing variables win.
  for (const dir of new Set([cwd, zmodelDir])) loadDotenv({ path: join(dir, '.env'), quiet: true, processEnv: env as Record<string, string> });

  const { prismaSchema, warnings, dropped } = await zmodelToPrismaSchema(zmodelPath);
  const { datasource, files } = extractDatasource([{ path: zmodelPath.replace(/\.zmodel$/, '.prisma'), content: prismaSchema }]);
  // Prisma 6 datasource rules, which the ZModel datasource inherits: migrations connect through
  // `directUrl` when set; `url` may be a pooler (PgBouncer, Accelerate) for the app.
  const url = resolveUrlSetting(datasource.directUrl ?? datasource.url, env, 'url');
  if (!url) {
    throw new MigrateError(ErrorCodes.missingUrl, `The datasource in ${zmodelPath} has no url.`, {
      hint: "Add one, e.g. url = env('DATABASE_URL') (postgresql) or url = 'file:./dev.db' (sqlite).",
    });
  }
  return {
    schemaPath: zmodelPath,
    files,
    provider: datasource.provider,
    url,
    shadowDatabaseUrl: resolveUrlSetting(datasource.shadowDatabaseUrl, env, 'shadowDatabaseUrl'),
    migrationsDir: flags.migrations ? zenMigrationsDir(flags.migrations, cwd, warnings) : join(zmodelDir, 'migrations'),
    baseDir: zmodelDir,
    warnings: [...warnings, ...droppedFieldWarnings(dropped, datasource.provider, url)],
  };
}

/**
 * The folder `zen migrate --migrations <path>` uses: zen writes its temporary Prisma schema into
 * `dirname(<path>)` (resolved against the working folder) and Prisma 6 then takes the `migrations`
 * folder beside that schema. So `db/migrations` means `db/migrations`, and `db/history` also
 * means `db/migrations` (said in a warning, as zen says nothing).
 */
function zenMigrationsDir(given: string, cwd: string, warnings: string[]): string {
  const dir = join(dirname(resolve(cwd, given)), 'migrations');
  if (basename(resolve(cwd, given)) !== 'migrations') {
    warnings.push(`--migrations ${given}: zen takes this as a path whose folder holds the "migrations" directory, so the migrations are in ${relative(cwd, dir)} (where \`zen migrate\` keeps them).`);
  }
  return dir;
}

/**
 * ZenStack's generator drops the datasource's `defaultSchema` (PostgreSQL): without `schemas`,
 * the tables are created in the URL's schema (`public` unless `?schema=`) while ZenStack's ORM
 * queries `defaultSchema`, so the app finds no tables.
 */
function droppedFieldWarnings(dropped: DroppedDatasourceFields, provider: string, url: string): string[] {
  if (!dropped.defaultSchema || dropped.hasSchemas) return [];
  if (provider !== 'postgresql') {
    return [`Warning: the datasource's defaultSchema = '${dropped.defaultSchema}' has no effect on ${provider}; ZenStack's generator leaves it out.`];
  }
  const urlSchema = urlSearchParam(url, 'schema') ?? 'public';
  if (urlSchema === dropped.defaultSchema) return [];
  return [
    `Warning: the datasource's defaultSchema = '${dropped.defaultSchema}' is not passed on by ZenStack's generator: the tables are created in schema "${urlSchema}" while ZenStack's ORM queries "${dropped.defaultSchema}". Add schemas = ['${dropped.defaultSchema}'] to the datasource (ZenStack then puts every model in it), or point the url at it with ?schema=${dropped.defaultSchema}.`,
  ];
}

function urlSearchParam(url: string, name: string): string | undefined {
  try {
    return new URL(url).searchParams.get(name) ?? undefined;
  } catch {
    return undefined;
  }
}

export function findZModel(given: string | undefined, cwd: string): string {
  if (given) {
    const path = resolve(cwd, given);
    if (!existsSync(path)) throw notFound(`Schema file not found: ${given}`, 'Check the path given to --schema.');
    return path;
  }
  const configured = packageJsonConfig(cwd).schema;
  if (configured) {
    if (!existsSync(configured)) throw notFound(`Schema file not found: ${configured}`, 'Check `zenstack.schema` in package.json.');
    if (statSync(configured).isDirectory()) {
      const inside = join(configured, 'schema.zmodel');
      if (!existsSync(inside)) throw notFound(`Schema file not found: ${inside}`, 'Check `zenstack.schema` in package.json.');
      return inside;
    }
    return configured;
  }
  for (const candidate of ['schema.zmodel', 'zenstack/schema.zmodel']) {
    const path = join(cwd, candidate);
    if (existsSync(path)) return path;
  }
  throw notFound('Schema file not found in default locations ("./schema.zmodel" or "./zenstack/schema.zmodel").', 'Pass --schema <file>, or set `zenstack.schema` in package.json.');
}

function notFound(message: string, hint: string): MigrateError {
  return new MigrateError(ErrorCodes.schemaNotFound, message, { hint });
}

/** `zenstack` settings of the nearest package.json (paths resolved against its folder). */
export function packageJsonConfig(cwd: string): { schema?: string; seed?: string; dir?: string } {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        const config = (JSON.parse(readFileSync(file, 'utf8')) as { zenstack?: { schema?: unknown; seed?: unknown } }).zenstack;
        return {
          schema: typeof config?.schema === 'string' ? resolve(dir, config.schema) : undefined,
          seed: typeof config?.seed === 'string' && config.seed ? config.seed : undefined,
          dir,
        };
      } catch {
        return {};
      }
    }
    if (dirname(dir) === dir) return {};
  }
}
