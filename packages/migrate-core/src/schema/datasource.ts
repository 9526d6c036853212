import { ErrorCodes, MigrateError } from '../errors.js';
import { normalizeProvider, type Provider } from '../provider.js';
import type { SchemaFile } from '../source.js';

/** Connection settings found in a datasource block, before env() is resolved. */
export interface DatasourceSettings {
  name: string;
  provider: Provider;
  url?: UrlSetting;
  directUrl?: UrlSetting;
  shadowDatabaseUrl?: UrlSetting;
  /** The file that holds the datasource block. */
  file: string;
}

export type UrlSetting = { kind: 'literal'; value: string } | { kind: 'env'; variable: string };

const DATASOURCE_BLOCK = /^[ \t]*datasource[ \t]+(\w+)[ \t]*\{([^}]*)\}/m;
const CONNECTION_KEYS = ['url', 'directUrl', 'shadowDatabaseUrl'] as const;

function parseValue(raw: string): UrlSetting | string {
  const value = raw.trim();
  const env = /^env\(\s*"([^"]+)"\s*\)$/.exec(value);
  if (env) return { kind: 'env', variable: env[1]! };
  const literal = /^"((?:[^"\\]|\\.)*)"$/.exec(value);
  if (literal) return { kind: 'literal', value: JSON.parse(`"${literal[1]}"`) as string };
  return value;
}

/**
 * Reads the datasource block and returns the files with the connection keys removed.
 *
 * Why: the schema engine (7.10/8.1) applies Prisma 7 rules, where `url`, `directUrl` and
 * `shadowDatabaseUrl` in a schema file are a validation error ("no longer supported in schema
 * files"). Prisma 6-style schemas and the schema ZenStack generates still carry them, so they are
 * read here as connection settings and blanked out (the line is kept empty so that the engine's
 * line numbers in error messages still match the user's file).
 * Test: test/schema-datasource.test.ts.
 */
export function extractDatasource(files: readonly SchemaFile[]): { datasource: DatasourceSettings; files: SchemaFile[] } {
  let found: DatasourceSettings | undefined;
  const out: SchemaFile[] = [];
  for (const file of files) {
    const match = DATASOURCE_BLOCK.exec(file.content);
    if (!match) {
      out.push(file);
      continue;
    }
    // Why: the block pattern matches the first block of a file only, so a second one in the same
    // file went unnoticed (deploy and status ran on the first). Test: reliability/test/bad-input.cases.ts ("mk-schema-two-datasources").
    const second = DATASOURCE_BLOCK.exec(file.content.slice(match.index + match[0].length));
    if (found || second) {
      throw new MigrateError(ErrorCodes.usage, `Found a second datasource block in ${file.path} (the first is in ${found?.file ?? file.path}).`, {
        hint: 'A Prisma schema has exactly one datasource block: remove the extra one.',
      });
    }
    const body = match[2]!;
    const settings: Partial<DatasourceSettings> = { name: match[1]!, file: file.path };
    const bodyLines = body.split('\n').map((line) => {
      const kv = /^([ \t]*)(\w+)[ \t]*=[ \t]*("(?:[^"\\]|\\.)*"|env\(\s*"[^"]*"\s*\)|[^\s]+)/.exec(line);
      if (!kv) return line;
      const key = kv[2]!;
      if (key === 'provider') {
        const value = parseValue(kv[3]!);
        if (typeof value === 'object' && value.kind === 'literal') settings.provider = normalizeProvider(value.value);
        return line;
      }
      if ((CONNECTION_KEYS as readonly string[]).includes(key)) {
        const value = parseValue(kv[3]!);
        if (typeof value === 'object') settings[key as (typeof CONNECTION_KEYS)[number]] = value;
        return '';
      }
      return line;
    });
    if (!settings.provider) {
      throw new MigrateError(ErrorCodes.usage, `The datasource block in ${file.path} has no provider.`, {
        hint: 'Add a provider, e.g. `provider = "postgresql"` or `provider = "sqlite"`.',
      });
    }
    found = settings as DatasourceSettings;
    const start = match.index + match[0].indexOf('{') + 1;
    out.push({ path: file.path, content: file.content.slice(0, start) + bodyLines.join('\n') + file.content.slice(start + body.length) });
  }
  if (!found) {
    throw new MigrateError(ErrorCodes.usage, 'The Prisma schema has no datasource block.', {
      hint: 'Add one, e.g. `datasource db { provider = "sqlite" }`.',
    });
  }
  return { datasource: found, files: out };
}

/** Resolves `env("X")` against the given environment; a missing variable is an error naming it. */
export function resolveUrlSetting(setting: UrlSetting | undefined, env: NodeJS.ProcessEnv, what = 'url'): string | undefined {
  if (!setting) return undefined;
  if (setting.kind === 'literal') return setting.value;
  const value = env[setting.variable];
  if (value === undefined || value === '') {
    throw new MigrateError(ErrorCodes.missingUrl, `Environment variable not found: ${setting.variable} (the datasource ${what}).`, {
      hint: `Set ${setting.variable} in your environment or in a .env file.`,
    });
  }
  return value;
}
