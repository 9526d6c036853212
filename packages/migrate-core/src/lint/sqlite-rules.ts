import { createRequire } from 'node:module';
import type { Parser as SqlParser } from 'node-sql-parser';
import { type SqlStatement, startsWith } from './sql-statements.js';

/** A finding of a rule of ours before configuration, ignores and table sizes are applied. */
export interface RuleHit {
  ruleId: string;
  line: number;
  message: string;
  /** The table it is about, for the live size. */
  table?: string;
  /** The live table's size does not change the severity (SQLite refuses the statement whatever the rows). */
  sizeExempt?: boolean;
}

let parser: SqlParser | undefined;

/**
 * node-sql-parser, loaded on the first SQLite statement to lint: it is 2.5 MB of JavaScript (60 ms
 * to load), and every command imports this module. It is CommonJS; its ESM entry is not usable
 * from Node directly.
 */
function sqlParser(): SqlParser {
  if (!parser) {
    const { Parser } = createRequire(import.meta.url)('node-sql-parser') as { Parser: new () => SqlParser };
    parser = new Parser();
  }
  return parser;
}

// The parts of node-sql-parser's AST the rules read (its own types are loose unions).
interface TableRef {
  table: string;
}
interface ColumnDefinition {
  resource?: string;
  column?: { column: string };
  nullable?: { type: string };
  default_val?: unknown;
  primary_key?: string;
}
interface AlterAction {
  action: string;
  resource: string;
  column?: { column: string };
  old_column?: { column: string };
  table?: string;
  nullable?: { type: string };
  default_val?: unknown;
}
type Ast =
  | { type: 'create'; keyword: 'table'; table: TableRef[]; create_definitions?: ColumnDefinition[] }
  | { type: 'create'; keyword: 'index'; index_type?: string; table: TableRef; index?: { name: string } }
  | { type: 'insert'; table: TableRef[]; columns: string[] | null; values?: { type: string; from?: TableRef[] } }
  | { type: 'drop'; keyword: string; name: TableRef[] }
  | { type: 'alter'; table: TableRef[]; expr: AlterAction[] }
  | { type: string; keyword?: string };

/** Statements that are not schema changes, left unparsed on purpose (node-sql-parser does not read PRAGMA). */
const NOT_CHECKED = ['PRAGMA', 'BEGIN', 'COMMIT', 'END', 'ROLLBACK', 'SAVEPOINT', 'RELEASE', 'ANALYZE', 'VACUUM'];

function parse(statement: SqlStatement): Ast | undefined | 'unparsed' {
  if (NOT_CHECKED.some((word) => startsWith(statement, word))) return undefined;
  try {
    const ast = sqlParser().astify(statement.text, { database: 'sqlite' });
    return (Array.isArray(ast) ? ast[0] : ast) as Ast;
  } catch {
    return 'unparsed';
  }
}

const REDEFINED_PREFIX = 'new_';

/**
 * The SQLite rules (squawk is PostgreSQL only), on node-sql-parser's AST of each statement:
 * dropped tables and columns, ADD COLUMN NOT NULL without a default, unique indexes on existing
 * tables, renames, and Prisma's "redefine table" pattern (CREATE TABLE new_T; INSERT INTO new_T
 * SELECT ... FROM T; DROP TABLE T; ALTER TABLE new_T RENAME TO T), which copies the whole table.
 */
export function lintSqliteStatements(statements: SqlStatement[]): (RuleHit & { statement: number })[] {
  const parsed = statements.map(parse);
  const hits: (RuleHit & { statement: number })[] = [];
  const created = new Map<string, number>();
  parsed.forEach((ast, index) => {
    if (ast && ast !== 'unparsed' && ast.type === 'create' && ast.keyword === 'table') created.set((ast as { table: TableRef[] }).table[0]!.table, index);
  });
  // Tables rebuilt through new_<T>: T -> the new_<T> CREATE's statement index.
  const redefined = new Map<string, number>();
  for (const [name, index] of created) {
    if (!name.startsWith(REDEFINED_PREFIX)) continue;
    const original = name.slice(REDEFINED_PREFIX.length);
    const renamedBack = parsed.some((ast) => ast && ast !== 'unparsed' && ast.type === 'alter' && (ast as { table: TableRef[] }).table[0]?.table === name && (ast as { expr: AlterAction[] }).expr.some((e) => e.action === 'rename' && e.resource === 'table' && e.table === original));
    if (renamedBack) redefined.set(original, index);
  }

  for (const [index, ast] of parsed.entries()) {
    const statement = statements[index]!;
    const hit = (ruleId: string, message: string, table?: string, extra: Partial<RuleHit> = {}) => hits.push({ ruleId, line: statement.startLine, message, statement: index, ...(table ? { table } : {}), ...extra });
    if (!ast) continue;
    if (ast === 'unparsed') {
      hit('parse-error', `Could not parse this statement for SQLite: ${statement.text.slice(0, 60)}${statement.text.length > 60 ? '…' : ''}`);
      continue;
    }
    if (ast.type === 'create' && ast.keyword === 'table') {
      const { table, create_definitions: columns = [] } = ast as { table: TableRef[]; create_definitions?: ColumnDefinition[] };
      const name = table[0]!.table;
      const original = name.slice(REDEFINED_PREFIX.length);
      if (!name.startsWith(REDEFINED_PREFIX) || !redefined.has(original)) continue;
      const copy = parsed.find((a): a is Extract<Ast, { type: 'insert' }> => !!a && a !== 'unparsed' && a.type === 'insert' && (a as { table: TableRef[] }).table[0]?.table === name);
      const copied = new Set(copy?.columns ?? []);
      const notCopied = columns.filter((c) => c.resource === 'column' && c.column && !copied.has(c.column.column));
      hit('redefine-table', `Table "${original}" is rebuilt (copied into "${name}", the old table dropped, the copy renamed): ${copied.size} column${copied.size === 1 ? '' : 's'} copied (${[...copied].join(', ')})${notCopied.length ? `, not filled from the old table: ${notCopied.map((c) => c.column!.column).join(', ')}` : ''}; a column of the old table that is not copied loses its data.`, original);
      for (const c of notCopied) {
        if (c.nullable?.type === 'not null' && c.default_val === undefined && !c.primary_key) {
          hit('not-null-without-default', `Column "${c.column!.column}" of "${original}" is NOT NULL without a default and is not copied: the copy fails when "${original}" has rows.`, original);
        }
      }
      continue;
    }
    if (ast.type === 'drop' && ast.keyword === 'table') {
      for (const t of (ast as { name: TableRef[] }).name) if (!redefined.has(t.table)) hit('drop-table', `Table "${t.table}" is dropped, with all its rows.`, t.table);
      continue;
    }
    if (ast.type === 'create' && ast.keyword === 'index') {
      const { index_type, table, index: named } = ast as { index_type?: string; table: TableRef; index?: { name: string } };
      if (index_type === 'unique' && !created.has(table.table) && !redefined.has(table.table)) {
        hit('unique-index', `Unique index ${named ? `"${named.name}" ` : ''}on existing table "${table.table}" fails if its rows hold duplicates.`, table.table);
      }
      continue;
    }
    if (ast.type === 'alter') {
      const { table, expr } = ast as { table: TableRef[]; expr: AlterAction[] };
      const name = table[0]!.table;
      for (const e of expr) {
        if (e.action === 'drop' && e.resource === 'column') hit('drop-column', `Column "${e.column?.column}" of "${name}" is dropped, with its data.`, name);
        else if (e.action === 'add' && e.resource === 'column' && e.nullable?.type === 'not null' && e.default_val === undefined) {
          hit('not-null-without-default', `Column "${e.column?.column}" is added to "${name}" as NOT NULL without a default: SQLite refuses this (Cannot add a NOT NULL column with default value NULL).`, name, { sizeExempt: true });
        } else if (e.action === 'rename' && e.resource === 'column') hit('rename-column', `Column "${e.old_column?.column}" of "${name}" is renamed to "${e.column?.column}": running code using the old name breaks.`, name);
        else if (e.action === 'rename' && e.resource === 'table' && !(name.startsWith(REDEFINED_PREFIX) && redefined.has(name.slice(REDEFINED_PREFIX.length)))) {
          hit('rename-table', `Table "${name}" is renamed to "${e.table}": running code using the old name breaks.`, name);
        }
      }
    }
  }
  return hits;
}
