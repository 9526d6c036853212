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

const CONNECTION_KEYS = ['url', 'directUrl', 'shadowDatabaseUrl'] as const;
type ConnectionKey = (typeof CONNECTION_KEYS)[number];

/**
 * Reads the datasource block and returns the files with the connection keys removed.
 *
 * Why: the schema engine (7.10/8.1) applies Prisma 7 rules, where `url`, `directUrl` and
 * `shadowDatabaseUrl` in a schema file are a validation error ("no longer supported in schema
 * files"). Prisma 6-style schemas and the schema ZenStack generates still carry them, so they are
 * read here as connection settings and blanked out (the line is kept empty so that the engine's
 * line numbers in error messages still match the user's file).
 * Test: test/unit-schema.test.ts; test/schema-datasource-reader.test.ts checks this reader against
 * Prisma's own parser (@prisma/prisma-schema-wasm) over generated schemas.
 */
export function extractDatasource(files: readonly SchemaFile[]): { datasource: DatasourceSettings; files: SchemaFile[] } {
  let found: DatasourceSettings | undefined;
  const out: SchemaFile[] = [];
  for (const file of files) {
    const blocks = readDatasourceBlocks(file.content);
    if (blocks.length === 0) {
      out.push(file);
      continue;
    }
    // Why: a second block went unnoticed once (deploy and status ran on the first).
    // Test: reliability/test/bad-input.cases.ts ("mk-schema-two-datasources").
    if (found || blocks.length > 1) {
      throw new MigrateError(ErrorCodes.usage, `Found a second datasource block in ${file.path} (the first is in ${found?.file ?? file.path}).`, {
        hint: 'A Prisma schema has exactly one datasource block: remove the extra one.',
      });
    }
    const block = blocks[0]!;
    const blanked: Property[] = [];
    const settings: Partial<DatasourceSettings> = { name: block.name, file: file.path };
    for (const property of block.properties) {
      if (property.key === 'provider') {
        if (property.value?.kind === 'string') settings.provider = normalizeProvider(property.value.value);
        continue;
      }
      if (!(CONNECTION_KEYS as readonly string[]).includes(property.key)) continue;
      // The whole line goes, whatever its value: the engine would refuse it, and quote it.
      blanked.push(property);
      const key = property.key as ConnectionKey;
      const value = property.value;
      if (value?.kind === 'string') settings[key] ??= { kind: 'literal', value: value.value };
      else if (value?.kind === 'env') settings[key] ??= { kind: 'env', variable: value.variable };
      else {
        // The value is not shown: it may be a URL with its password.
        throw new MigrateError(ErrorCodes.usage, `The datasource ${key} in ${file.path} (line ${lineNumber(file.content, property.start)}) is neither a string nor env("VARIABLE").`, {
          hint: `Write it like ${key} = env("DATABASE_URL"), or ${key} = "postgresql://..." with \\ before any " or \\ in it.`,
        });
      }
    }
    if (!settings.provider) {
      throw new MigrateError(ErrorCodes.usage, `The datasource block in ${file.path} has no provider.`, {
        hint: 'Add a provider, e.g. `provider = "postgresql"` or `provider = "sqlite"`.',
      });
    }
    found = settings as DatasourceSettings;
    out.push({ path: file.path, content: withoutText(file.content, blanked) });
  }
  if (!found) {
    throw new MigrateError(ErrorCodes.usage, 'The Prisma schema has no datasource block.', {
      hint: 'Add one, e.g. `datasource db { provider = "sqlite" }`.',
    });
  }
  return { datasource: found, files: out };
}

// ---------------------------------------------------------------------------------------------
// A reader of the Prisma schema language, as far as datasource blocks need it.
//
// Why not a pattern for the block: a `}` in a string (a password) or in a comment ended the block
// early, and the engine was then shown the rest of the URL (and the URL was reported missing). Why not @prisma/prisma-schema-wasm (8.1), which is
// Prisma's own parser: its API gives no datasource URL (get_config dropped them with Prisma 7) and
// no AST; its `lint` names the spans of url/directUrl/shadowDatabaseUrl only as English error
// messages, the values would still need reading, and loading it costs ~45 ms plus ~20 ms for its
// first call, measured here (a no-op deploy takes ~150 ms, and every verb reads the datasource). So this reader
// follows the grammar of prisma-engines (psl/schema-ast/src/parser/datamodel.pest): a schema is
// made of lines; a block opens with `keyword name {` (the rest of that line belongs to the opening)
// and closes at the first line inside it whose first character is `}`; each line inside is a
// property `key = expression // comment`, a comment (`//`, `///`), blank, or invalid; strings
// follow JSON's grammar (escapes with `\`, no control characters) and never span lines.
// Test: test/schema-datasource-reader.test.ts compares it with prisma-schema-wasm's reading.
// ---------------------------------------------------------------------------------------------

type Expression = { kind: 'string'; value: string } | { kind: 'env'; variable: string } | { kind: 'other' };

interface Property {
  key: string;
  /** undefined when the line is `key = ` followed by something that is not a valid expression. */
  value: Expression | undefined;
  /** Where the property's line starts and where its text ends (before the line's terminator). */
  start: number;
  end: number;
}

interface DatasourceBlock {
  name: string;
  properties: Property[];
}

/**
 * A block opens with `keyword name {` at the start of a line (the rest of that line belongs to the
 * opening). Found with one native search rather than by walking every line of the file: walking
 * 2,800 lines cost ~1 ms warm and tens of ms cold, on every verb. The walk would only differ on a
 * schema that is invalid anyway (a `datasource x {` line inside another block).
 */
const DATASOURCE_OPEN = /^[ \t]*datasource[ \t]+([A-Za-z0-9][\w-]*)[ \t]*\{[^\r\n]*(?:\r\n?|\n|$)/gm;
/** One line: its text, then its terminator (the grammar's NEWLINE: `\n`, `\r\n` or `\r`). */
const LINE = /[^\r\n]*/y;

/** Every datasource block of one file, with its properties. */
function readDatasourceBlocks(content: string): DatasourceBlock[] {
  const blocks: DatasourceBlock[] = [];
  for (const open of content.matchAll(DATASOURCE_OPEN)) {
    const block: DatasourceBlock = { name: open[1]!, properties: [] };
    let start = open.index + open[0].length;
    while (start < content.length) {
      LINE.lastIndex = start;
      const text = LINE.exec(content)![0];
      const end = start + text.length;
      if (firstCharacter(text) === '}') break; // the block closes at the first line that starts with `}`
      const property = readProperty(text);
      if (property) block.properties.push({ ...property, start, end });
      start = end + (content.startsWith('\r\n', end) ? 2 : 1);
    }
    blocks.push(block);
  }
  return blocks;
}

/** Where the first datasource block of a file starts and ends (its opening line to its closing `}`), if it has one. */
function datasourceBlockSpan(content: string): { start: number; end: number } | undefined {
  const open = new RegExp(DATASOURCE_OPEN.source, 'm').exec(content);
  if (!open) return undefined;
  let start = open.index + open[0].length;
  while (start < content.length) {
    LINE.lastIndex = start;
    const text = LINE.exec(content)![0];
    if (firstCharacter(text) === '}') return { start: open.index, end: start + text.length };
    start += text.length + (content.startsWith('\r\n', start + text.length) ? 2 : 1);
  }
  return { start: open.index, end: content.length };
}

/**
 * The introspected file with the datasource block as the user wrote it.
 * Why: the engine was shown the block without its connection keys (extractDatasource), and renders
 * what it was shown; `prisma db pull` (Prisma 6) keeps `url = env("DATABASE_URL")`, `directUrl`
 * and the comments in the block. Where the engine changed the block (`--schemas` adds `schemas`),
 * its block is kept and the user's connection lines are put back after its provider.
 * Test: test/unit-pull-datasource.test.ts; packages/prisma-passthrough/test/db-pull.test.ts.
 */
export function withOriginalDatasource(introspected: string, original: string): string {
  const from = datasourceBlockSpan(original);
  const to = datasourceBlockSpan(introspected);
  if (!from || !to) return introspected;
  const written = original.slice(from.start, from.end);
  const rendered = introspected.slice(to.start, to.end);
  const block = readDatasourceBlocks(written)[0];
  const connectionLines = (block?.properties ?? []).filter((p) => (CONNECTION_KEYS as readonly string[]).includes(p.key)).map((p) => written.slice(p.start, p.end));
  const shown = withoutText(written, (block?.properties ?? []).filter((p) => (CONNECTION_KEYS as readonly string[]).includes(p.key)));
  let restored = written;
  if (propertiesOf(shown) !== propertiesOf(rendered)) {
    const lines = rendered.split('\n');
    const provider = lines.findIndex((line) => /^\s*provider\s*=/.test(line));
    lines.splice(provider >= 0 ? provider + 1 : 1, 0, ...connectionLines);
    restored = lines.join('\n');
  }
  return introspected.slice(0, to.start) + restored + introspected.slice(to.end);
}

/** A block's properties, one per line with spaces collapsed, without blank lines and comments: what two renderings of one block share. */
function propertiesOf(block: string): string {
  return block
    .split(/\r\n?|\n/)
    .map((line) => line.trim().replace(/\s+/g, ' '))
    .filter((line) => line && !line.startsWith('//'))
    .join('\n');
}

/** The content with the text of the given properties' lines removed, their line ends kept (line numbers stay). */
function withoutText(content: string, properties: readonly Property[]): string {
  let out = '';
  let from = 0;
  for (const p of [...properties].sort((a, b) => a.start - b.start)) {
    out += content.slice(from, p.start);
    from = p.end;
  }
  return out + content.slice(from);
}

function lineNumber(content: string, offset: number): number {
  return content.slice(0, offset).split(/\r\n?|\n/).length;
}

/** The first character of a line that is not a space or a tab ('' for a blank line). */
function firstCharacter(text: string): string {
  for (let i = 0; i < text.length; i++) if (text[i] !== ' ' && text[i] !== '\t') return text[i]!;
  return '';
}

const IDENTIFIER = /[A-Za-z0-9][\w-]*/y;
const SPACES = /[ \t]*/y;

function skipSpaces(text: string, at: number): number {
  SPACES.lastIndex = at;
  SPACES.exec(text);
  return SPACES.lastIndex;
}

function readIdentifier(text: string, at: number): { name: string; end: number } | undefined {
  IDENTIFIER.lastIndex = at;
  const match = IDENTIFIER.exec(text);
  return match ? { name: match[0], end: IDENTIFIER.lastIndex } : undefined;
}

/** `key = expression // comment` -> the key and its value; undefined for a line that is no property (a comment, blank, invalid). */
function readProperty(text: string): Omit<Property, 'start' | 'end'> | undefined {
  const key = readIdentifier(text, skipSpaces(text, 0));
  if (!key) return undefined;
  let at = skipSpaces(text, key.end);
  // `url "postgresql://..."` is no property, but it is a URL all the same: it is blanked, and refused.
  if (text[at] !== '=') return (CONNECTION_KEYS as readonly string[]).includes(key.name) ? { key: key.name, value: undefined } : undefined;
  at = skipSpaces(text, at + 1);
  const expression = readExpression(text, at);
  if (!expression) return { key: key.name, value: undefined };
  const rest = skipSpaces(text, expression.end);
  const endsWell = rest === text.length || text.startsWith('//', rest);
  return { key: key.name, value: endsWell ? expression.value : undefined };
}

function readExpression(text: string, at: number): { value: Expression; end: number } | undefined {
  if (text[at] === '"') {
    const string = readString(text, at);
    return string && { value: { kind: 'string', value: string.value }, end: string.end };
  }
  const name = readIdentifier(text, at);
  if (!name) return { value: { kind: 'other' }, end: text.length };
  const open = skipSpaces(text, name.end);
  if (name.name !== 'env' || text[open] !== '(') return { value: { kind: 'other' }, end: text.length };
  const argument = readString(text, skipSpaces(text, open + 1));
  if (!argument) return undefined;
  const close = skipSpaces(text, argument.end);
  if (text[close] !== ')') return undefined;
  return { value: { kind: 'env', variable: argument.value }, end: close + 1 };
}

/** A string literal starting at `at` (a `"`): JSON's grammar, on one line. */
function readString(text: string, at: number): { value: string; end: number } | undefined {
  if (text[at] !== '"') return undefined;
  for (let i = at + 1; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\') {
      i++;
      continue;
    }
    if (c.charCodeAt(0) < 0x20) return undefined;
    if (c === '"') {
      try {
        return { value: JSON.parse(text.slice(at, i + 1)) as string, end: i + 1 };
      } catch {
        return undefined; // an escape JSON does not know
      }
    }
  }
  return undefined;
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
