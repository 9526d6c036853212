import { createRequire } from 'node:module';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PrismaConfigInternal } from '@prisma/config';

/** The extensions Prisma 7's loader accepts for a config file, in the order it tries them. */
export const QUICK_EXTENSIONS = ['.js', '.ts', '.mjs', '.cjs', '.mts', '.cts'];
const EXTENSIONS = QUICK_EXTENSIONS;

/**
 * Where Prisma's loader (`@prisma/config` loadConfigFromFile, 7.10) finds a project's config
 * file, when the answer is certain without it: `prisma7.config.*` / `.config/prisma7.*` first (its
 * own search), then, through c12, `prisma.config.*` in the folder. `null` when the project surely
 * has none; `undefined` when only Prisma's loader can say (several candidates, folders named like
 * a config, a `.config/prisma*` entry, a `prisma.config` of an extension it refuses).
 */
export function findConfigFileQuickly(cwd: string): string | null | undefined {
  const isFile = (path: string) => statSync(path, { throwIfNoEntry: false })?.isFile() === true;
  for (const candidate of [...EXTENSIONS.map((e) => `prisma7.config${e}`), ...EXTENSIONS.map((e) => join('.config', `prisma7${e}`))]) {
    if (isFile(resolve(cwd, candidate))) return resolve(cwd, candidate);
  }
  const named = (folder: string, prefix: string) => {
    try {
      return readdirSync(folder).filter((entry) => entry.startsWith(prefix));
    } catch {
      return [];
    }
  };
  const inFolder = named(cwd, 'prisma.config');
  const inDotConfig = named(join(cwd, '.config'), 'prisma');
  if (inFolder.length === 0) return inDotConfig.length === 0 ? null : undefined;
  const [only] = inFolder;
  if (inFolder.length === 1 && only && EXTENSIONS.includes(extname(only)) && only === `prisma.config${extname(only)}` && isFile(join(cwd, only))) return join(cwd, only);
  return undefined;
}

/**
 * Evaluates a config file as Prisma's loader does (c12 over jiti: TypeScript, ESM or CommonJS, a
 * default export), with `prisma/config` resolved to prisma-config-shim.ts, and returns what
 * Prisma's loader returns for it: the known settings, checked against Prisma's shapes, relative
 * paths made absolute against the file's folder.
 * Returns undefined where Prisma's loader would do more or answer otherwise (an exported function,
 * `$env`-style keys, a setting of the wrong type, a feature that needs `experimental`), and throws
 * whatever evaluating the file threw: the caller then asks Prisma's loader, whose answer (or error)
 * is the one to report.
 */
export async function loadConfigQuickly(file: string): Promise<PrismaConfigInternal | undefined> {
  // Required, not imported: Node's ESM loader scans a CommonJS package for its exports first
  // (jiti's 190 kB bundle: ~20 ms of every prisma-migrate command).
  const { createJiti } = createRequire(import.meta.url)('jiti') as typeof import('jiti');
  // Built: the .js beside this file; run from source (tests): the .ts.
  const shim = ['.js', '.ts'].map((e) => fileURLToPath(new URL(`./prisma-config-shim${e}`, import.meta.url))).find((path) => existsSync(path));
  if (!shim) return undefined;
  const jiti = createJiti(file, { interopDefault: true, moduleCache: false, extensions: EXTENSIONS, alias: { 'prisma/config': shim, '@prisma/config': shim } });
  const exported: unknown = await jiti.import(file, { default: true });
  const settings = knownSettings(exported);
  if (!settings) return undefined;
  return absolutePaths({ loadedFromFile: null, ...settings } as unknown as PrismaConfigInternal, file);
}

/** Decodes one setting as Prisma's shape does; `REFUSED` when the shape refuses it (a wrong type, a key it does not know). */
type Decoder = (value: unknown) => unknown;
const REFUSED = Symbol('refused');
const string: Decoder = (value) => (typeof value === 'string' ? value : REFUSED);
const nonEmptyString: Decoder = (value) => (typeof value === 'string' && value !== '' ? value : REFUSED);
const boolean: Decoder = (value) => (typeof value === 'boolean' ? value : REFUSED);
const strings: Decoder = (value) => (Array.isArray(value) && value.every((v) => typeof v === 'string') ? [...value] : REFUSED);
const any: Decoder = (value) => value;
const struct =
  (fields: Record<string, Decoder>): Decoder =>
  (value) => {
    if (!isPlainObject(value) || Object.keys(value).some((key) => !(key in fields))) return REFUSED;
    const decoded: Record<string, unknown> = {};
    for (const [key, decode] of Object.entries(fields)) {
      if (value[key] === undefined) continue;
      const field = decode(value[key]);
      if (field === REFUSED) return REFUSED;
      decoded[key] = field;
    }
    return decoded;
  };

/** Prisma 7.10's PrismaConfigShape: the settings it keeps, and what each must be. */
const PRISMA_CONFIG = struct({
  experimental: struct({ externalTables: boolean, extensions: boolean }),
  datasource: struct({ url: string, shadowDatabaseUrl: string }),
  schema: string,
  migrations: struct({ path: string, initShadowDb: string, seed: nonEmptyString }),
  tables: struct({ external: strings }),
  enums: struct({ external: strings }),
  views: struct({ path: string }),
  typedSql: struct({ path: string }),
  extensions: any,
});

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * What Prisma makes of the export: decoded by its shape, then `defineConfig` (its
 * `experimental` checks; each setting copied when set, `datasource` always). Undefined where
 * Prisma would refuse it (an unknown key is an error there) or do more than that (`$`-keys are
 * c12's per-environment overrides, which it applies first).
 */
function knownSettings(exported: unknown): Record<string, unknown> | undefined {
  const decoded = PRISMA_CONFIG(exported);
  if (decoded === REFUSED) return undefined;
  const config = decoded as Record<string, { external?: unknown; initShadowDb?: unknown } | undefined>;
  const experimental = (config.experimental ?? {}) as { externalTables?: boolean; extensions?: boolean };
  const needsExternalTables = config.tables?.external || config.enums?.external || config.migrations?.initShadowDb;
  if ((needsExternalTables && !experimental.externalTables) || (config.extensions !== undefined && !experimental.extensions)) return undefined;
  const settings: Record<string, unknown> = {};
  for (const key of ['experimental', 'schema', 'migrations', 'tables', 'enums', 'typedSql', 'views', 'extensions']) {
    if (config[key]) settings[key] = config[key];
  }
  settings.datasource = config.datasource;
  return settings;
}

/** Prisma's transformPathsInConfigToAbsolute: schema, migrations, typedSql and views paths against the file's folder. */
function absolutePaths(config: PrismaConfigInternal, file: string): PrismaConfigInternal {
  const at = (path: string | undefined) => (path ? resolve(dirname(file), path) : undefined);
  return {
    ...config,
    schema: at(config.schema),
    migrations: { ...config.migrations, path: at(config.migrations?.path) },
    typedSql: { ...config.typedSql, path: at(config.typedSql?.path) },
    views: { ...config.views, path: at(config.views?.path) },
    loadedFromFile: file,
  } as PrismaConfigInternal;
}
