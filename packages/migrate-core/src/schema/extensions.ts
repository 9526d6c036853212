import type { SchemaFile } from '../source.js';

/**
 * PostgreSQL extensions (`extensions = [citext]`, preview feature `postgresqlExtensions`) that the
 * database the engine compares the schema with already has are taken out of the schema the engine
 * sees.
 *
 * Why: the Wasm engine (8.1) describes a database without the extensions it has whenever the
 * connector describing it was not given the schema's preview features: its shadow database
 * connector (opened through the driver adapter's `connectToShadowDb`, unlike the native engine's,
 * which passes them on) never is, and `db push` describes the main database the same way. The
 * adapter answers the engine's `pg_extension` query right (citext is there); the engine then drops
 * the list (`normalize_sql_schema`), so every diff with the schema says "Added extensions: citext":
 * each `migrate dev` wrote a migration holding only `CREATE EXTENSION IF NOT EXISTS "citext"`,
 * `check` always failed and `db push` always ran a step. An extension the compared database has is
 * one the engine would generate nothing for, so leaving it out of the schema gives Prisma's native
 * answer; an extension it lacks stays, and its `CREATE EXTENSION` is generated as before.
 * Test: test/postgres-extensions.test.ts.
 */
export function withoutExtensionsAlreadyThere(files: readonly SchemaFile[], present: ReadonlySet<string>): SchemaFile[] {
  if (present.size === 0) return [...files];
  return files.map((file) => {
    const content = removeDeclaredExtensions(file.content, present);
    return content === file.content ? file : { path: file.path, content };
  });
}

/**
 * The extensions a history of migration scripts leaves in a database, replayed in order
 * (`CREATE EXTENSION [IF NOT EXISTS] name`, `DROP EXTENSION [IF EXISTS] a, b`). Extensions created
 * indirectly (CASCADE dependencies, dynamic SQL) are not seen: for those the engine still proposes
 * a `CREATE EXTENSION IF NOT EXISTS`, which is harmless.
 */
export function extensionsCreatedBy(scripts: readonly string[]): Set<string> {
  const present = new Set<string>();
  const statement = /\b(CREATE|DROP)\s+EXTENSION\s+(?:IF\s+(?:NOT\s+)?EXISTS\s+)?((?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*)(?:\s*,\s*(?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*))*)/gi;
  for (const script of scripts) {
    for (const match of withoutComments(script).matchAll(statement)) {
      const names = match[2]!.split(/\s*,\s*/).map(identifierName);
      if (match[1]!.toUpperCase() === 'CREATE') present.add(names[0]!);
      else for (const name of names) present.delete(name);
    }
  }
  return present;
}

function withoutComments(sql: string): string {
  return sql.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/--[^\n]*/g, ' ');
}

function identifierName(token: string): string {
  return token.startsWith('"') ? token.slice(1, -1).replace(/""/g, '"') : token.toLowerCase();
}

const DATASOURCE_START = /^[ \t]*datasource[ \t]+\w+[ \t]*\{/m;
const EXTENSIONS_KEY = /\bextensions[ \t]*=[ \t]*\[/;

/** The datasource's `extensions = [...]` without the entries whose database name is in `present`. */
function removeDeclaredExtensions(content: string, present: ReadonlySet<string>): string {
  const block = DATASOURCE_START.exec(content);
  if (!block) return content;
  const blockEnd = content.indexOf('}', block.index + block[0].length);
  const body = content.slice(block.index, blockEnd < 0 ? content.length : blockEnd);
  const key = EXTENSIONS_KEY.exec(body);
  if (!key) return content;
  const listStart = block.index + key.index + key[0].length;
  const listEnd = closingBracket(content, listStart);
  if (listEnd < 0) return content;
  const entries = splitEntries(content.slice(listStart, listEnd));
  const kept = entries.filter((entry) => !present.has(databaseName(entry)));
  if (kept.length === entries.length) return content;
  // The same number of lines, so that the engine's line numbers still match the user's file.
  const lineBreaks = '\n'.repeat(content.slice(listStart, listEnd).split('\n').length - 1);
  return `${content.slice(0, listStart)}${kept.map((e) => e.trim()).join(', ')}${lineBreaks}${content.slice(listEnd)}`;
}

/** Index of the `]` that closes a list starting at `from`, skipping strings and parentheses. */
function closingBracket(content: string, from: number): number {
  let inString = false;
  for (let i = from; i < content.length; i++) {
    const c = content[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === ']') return i;
  }
  return -1;
}

/** `citext, pg_trgm(schema: "x", map: "y")` -> its entries, commas inside parentheses or strings kept. */
function splitEntries(list: string): string[] {
  const entries: string[] = [];
  let depth = 0;
  let inString = false;
  let start = 0;
  for (let i = 0; i < list.length; i++) {
    const c = list[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      entries.push(list.slice(start, i));
      start = i + 1;
    }
  }
  entries.push(list.slice(start));
  return entries.filter((e) => e.trim() !== '');
}

/** The name an entry has in the database: its `map:` argument, or its identifier. */
function databaseName(entry: string): string {
  const mapped = /\bmap\s*:\s*"((?:[^"\\]|\\.)*)"/.exec(entry);
  return mapped ? mapped[1]! : entry.trim().split(/[\s(]/)[0]!;
}

/** Whether the datasource declares `extensions = [...]` at all (only then is anything looked up). */
export function declaresExtensions(files: readonly SchemaFile[]): boolean {
  return files.some((file) => {
    const block = DATASOURCE_START.exec(file.content);
    if (!block) return false;
    const end = file.content.indexOf('}', block.index);
    return EXTENSIONS_KEY.test(file.content.slice(block.index, end < 0 ? undefined : end));
  });
}

/** The scripts of a migrations folder, in order, after the shadow database's init script. */
export function historyScripts(folder: { migrations: readonly { script: { ok: true; text: string } | { ok: false } }[] }, initScript?: string): string[] {
  return [initScript ?? '', ...folder.migrations.map((m) => (m.script.ok ? m.script.text : ''))];
}
