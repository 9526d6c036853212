import type { SchemaFile } from '../source.js';

/** A column the schema declares as `Unsupported("<type>")`, by its database names. */
export interface UnsupportedColumn {
  table: string;
  column: string;
  /** The type as the schema writes it: `Unsupported("xml")`. */
  type: string;
}

/**
 * The Unsupported columns a generated migration re-creates or alters, when that is all it does and
 * every one of them already existed before it (altered, or dropped and added again); otherwise none.
 *
 * Why: the engine cannot compare a column of a type Prisma does not support (`Unsupported("xml")`)
 * with what the database has, so it sees a change on every diff: each `migrate dev` writes a
 * migration that sets the same type again. Prisma's native engine does the same; we say so, naming
 * the columns, instead of leaving users to wonder where the migration came from.
 * Test: test/unsupported-columns.test.ts.
 */
export function unsupportedColumnsOnlyRecreated(script: string, schemaFiles: readonly SchemaFile[]): UnsupportedColumn[] {
  const declared = unsupportedColumnsOf(schemaFiles);
  if (declared.length === 0) return [];
  const touched = new Map<string, UnsupportedColumn>();
  const dropped = new Set<string>();
  const statements = withoutComments(script)
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);
  if (statements.length === 0) return [];
  for (const statement of statements) {
    const alter = /^ALTER\s+TABLE\s+((?:"(?:[^"]|"")+"\.)?"((?:[^"]|"")+)")\s+([\s\S]+)$/i.exec(statement);
    if (!alter) return [];
    const table = unquote(alter[2]!);
    for (const clause of topLevelClauses(alter[3]!)) {
      const change = /^(ALTER\s+COLUMN|DROP\s+COLUMN|ADD\s+COLUMN)\s+"((?:[^"]|"")+)"([\s\S]*)$/i.exec(clause.trim());
      if (!change) return [];
      const column = unquote(change[2]!);
      const unsupported = declared.find((c) => c.table === table && c.column === column);
      if (!unsupported) return [];
      const kind = change[1]!.toUpperCase().replace(/\s+/g, ' ');
      if (kind === 'ALTER COLUMN' && !/^\s*SET\s+DATA\s+TYPE\b/i.test(change[3]!)) return [];
      const key = `${table}.${column}`;
      if (kind === 'DROP COLUMN') dropped.add(key);
      // A column added without being dropped first is new: not a repetition.
      if (kind === 'ADD COLUMN' && !dropped.has(key)) return [];
      touched.set(key, unsupported);
    }
  }
  return [...touched.values()];
}

/** Every `Unsupported("...")` field of the schema's models, by table and column name (`@@map`, `@map`). */
export function unsupportedColumnsOf(files: readonly SchemaFile[]): UnsupportedColumn[] {
  const columns: UnsupportedColumn[] = [];
  for (const file of files) {
    for (const model of file.content.matchAll(/^[ \t]*model[ \t]+(\w+)[ \t]*\{([\s\S]*?)^[ \t]*\}/gm)) {
      const body = model[2]!;
      const table = /@@map\(\s*(?:name\s*:\s*)?"((?:[^"\\]|\\.)*)"/.exec(body)?.[1] ?? model[1]!;
      for (const field of body.matchAll(/^[ \t]*(\w+)[ \t]+(Unsupported\(\s*"(?:[^"\\]|\\.)*"\s*\))(?:\?|\[\])?([^\n]*)$/gm)) {
        const column = /@map\(\s*(?:name\s*:\s*)?"((?:[^"\\]|\\.)*)"/.exec(field[3]!)?.[1] ?? field[1]!;
        columns.push({ table, column, type: field[2]! });
      }
    }
  }
  return columns;
}

/** Whether the database type of a column (`format_type`) is the one its `Unsupported("...")` names. */
export function hasDeclaredType(column: UnsupportedColumn, databaseType: string | undefined): boolean {
  if (databaseType === undefined) return false;
  const declared = /^Unsupported\(\s*"((?:[^"\\]|\\.)*)"\s*\)$/.exec(column.type)?.[1] ?? '';
  const normalize = (type: string) => type.toLowerCase().replace(/\s+/g, '');
  return normalize(declared) === normalize(databaseType);
}

function withoutComments(sql: string): string {
  return sql.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/--[^\n]*/g, ' ');
}

function unquote(identifier: string): string {
  return identifier.replace(/""/g, '"');
}

/** `ALTER COLUMN "a" SET DATA TYPE numeric(10,2), DROP COLUMN "b"` -> its clauses (commas inside parentheses kept). */
function topLevelClauses(text: string): string[] {
  const clauses: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      clauses.push(text.slice(start, i));
      start = i + 1;
    }
  }
  clauses.push(text.slice(start));
  return clauses;
}
