/**
 * Splits a migration script into statements with a small SQL lexer (no regular expressions over
 * SQL): string literals ('...', E'...'), quoted identifiers ("..."), dollar-quoted bodies
 * ($tag$...$tag$), line and (nested) block comments are read as units, so a `;` inside any of
 * them does not end a statement. Each statement keeps its 1-based line range, its tokens (words,
 * quoted identifiers, punctuation) and the `migrate-kit-lint-ignore` directives written in the
 * comments before it.
 */

export interface SqlToken {
  kind: 'word' | 'quoted' | 'string' | 'number' | 'punct';
  /** Words as written; quoted identifiers without their quotes. */
  text: string;
  line: number;
}

export interface SqlStatement {
  /** The statement's text, without the `;` that ends it. */
  text: string;
  startLine: number;
  endLine: number;
  tokens: SqlToken[];
  /** Rule ids silenced by `-- migrate-kit-lint-ignore <rule-id>[, <rule-id>]` before it; `*` when no id was named. */
  ignored: string[];
}

export const IGNORE_DIRECTIVE = 'migrate-kit-lint-ignore';

function directiveRules(comment: string): string[] | undefined {
  const at = comment.indexOf(IGNORE_DIRECTIVE);
  if (at < 0) return undefined;
  const rules = comment
    .slice(at + IGNORE_DIRECTIVE.length)
    .split(/[\s,]+/)
    .filter(Boolean);
  return rules.length ? rules : ['*'];
}

const isWordStart = (c: string) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || c > '\x7f';
const isWordPart = (c: string) => isWordStart(c) || (c >= '0' && c <= '9') || c === '$';
const isDigit = (c: string) => c >= '0' && c <= '9';

/**
 * Whether a `;` here is inside a trigger's body: SQLite's `CREATE TRIGGER ... BEGIN <statements>; END`
 * holds statements ended by semicolons (PostgreSQL's triggers call a function instead, whose body
 * is a dollar-quoted string). `CASE ... END` nests inside it.
 */
function insideTriggerBody(tokens: SqlToken[]): boolean {
  const leading = tokens.slice(0, 4).map((t) => (t.kind === 'word' ? t.text.toUpperCase() : ''));
  if (leading[0] !== 'CREATE' || !leading.includes('TRIGGER')) return false;
  let depth = 0;
  for (const t of tokens) {
    if (t.kind !== 'word') continue;
    const word = t.text.toUpperCase();
    if (word === 'BEGIN' || word === 'CASE') depth++;
    else if (word === 'END') depth--;
  }
  return depth > 0;
}

export function splitSqlStatements(script: string): SqlStatement[] {
  const statements: SqlStatement[] = [];
  let line = 1;
  let i = 0;
  let start = -1;
  let startLine = 0;
  let tokens: SqlToken[] = [];
  let pendingIgnores: string[] = [];

  const advanceTo = (end: number) => {
    for (let k = i; k < end; k++) if (script[k] === '\n') line++;
    i = end;
  };
  const begin = () => {
    if (start < 0) {
      start = i;
      startLine = line;
    }
  };
  const finish = (end: number) => {
    if (start >= 0 && tokens.length) {
      statements.push({ text: script.slice(start, end).trim(), startLine, endLine: line, tokens, ignored: pendingIgnores });
      pendingIgnores = [];
    }
    start = -1;
    tokens = [];
  };

  while (i < script.length) {
    const c = script[i]!;
    const next = script[i + 1];
    if (c === '-' && next === '-') {
      const end = script.indexOf('\n', i);
      const comment = script.slice(i + 2, end < 0 ? script.length : end);
      const rules = directiveRules(comment);
      if (rules) pendingIgnores.push(...rules);
      advanceTo(end < 0 ? script.length : end);
      continue;
    }
    if (c === '/' && next === '*') {
      let depth = 1;
      let k = i + 2;
      while (k < script.length && depth > 0) {
        if (script[k] === '/' && script[k + 1] === '*') {
          depth++;
          k += 2;
        } else if (script[k] === '*' && script[k + 1] === '/') {
          depth--;
          k += 2;
        } else k++;
      }
      const rules = directiveRules(script.slice(i + 2, k - 2));
      if (rules) pendingIgnores.push(...rules);
      advanceTo(k);
      continue;
    }
    if (c === ';') {
      if (insideTriggerBody(tokens)) {
        tokens.push({ kind: 'punct', text: c, line });
        advanceTo(i + 1);
        continue;
      }
      finish(i);
      advanceTo(i + 1);
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      advanceTo(i + 1);
      continue;
    }
    begin();
    const tokenLine = line;
    if (c === "'" || ((c === 'E' || c === 'e') && next === "'")) {
      const backslashEscapes = c !== "'";
      let k = i + (backslashEscapes ? 2 : 1);
      while (k < script.length) {
        if (backslashEscapes && script[k] === '\\') k += 2;
        else if (script[k] === "'" && script[k + 1] === "'") k += 2;
        else if (script[k] === "'") break;
        else k++;
      }
      tokens.push({ kind: 'string', text: script.slice(i, k + 1), line: tokenLine });
      advanceTo(Math.min(k + 1, script.length));
      continue;
    }
    if (c === '"' || c === '`') {
      let k = i + 1;
      let text = '';
      while (k < script.length) {
        if (script[k] === c && script[k + 1] === c) {
          text += c;
          k += 2;
        } else if (script[k] === c) break;
        else text += script[k++];
      }
      tokens.push({ kind: 'quoted', text, line: tokenLine });
      advanceTo(Math.min(k + 1, script.length));
      continue;
    }
    if (c === '$') {
      let k = i + 1;
      while (k < script.length && isWordPart(script[k]!) && script[k] !== '$') k++;
      if (script[k] === '$' && (k === i + 1 || isWordStart(script[i + 1]!))) {
        const tag = script.slice(i, k + 1);
        const close = script.indexOf(tag, k + 1);
        const end = close < 0 ? script.length : close + tag.length;
        tokens.push({ kind: 'string', text: script.slice(i, end), line: tokenLine });
        advanceTo(end);
        continue;
      }
    }
    if (isWordStart(c)) {
      let k = i + 1;
      while (k < script.length && isWordPart(script[k]!)) k++;
      tokens.push({ kind: 'word', text: script.slice(i, k), line: tokenLine });
      advanceTo(k);
      continue;
    }
    if (isDigit(c)) {
      let k = i + 1;
      while (k < script.length && (isDigit(script[k]!) || script[k] === '.')) k++;
      tokens.push({ kind: 'number', text: script.slice(i, k), line: tokenLine });
      advanceTo(k);
      continue;
    }
    tokens.push({ kind: 'punct', text: c, line: tokenLine });
    advanceTo(i + 1);
  }
  finish(script.length);
  return statements;
}

/** Whether the statement's leading words are `words` (case-insensitive), e.g. `['DROP', 'SCHEMA']`. */
export function startsWith(statement: SqlStatement, ...words: string[]): boolean {
  return words.every((w, k) => statement.tokens[k]?.kind === 'word' && statement.tokens[k]!.text.toUpperCase() === w);
}

/**
 * The table a statement acts on, read from its leading tokens: `ALTER|CREATE|DROP TABLE [IF [NOT] EXISTS] [ONLY] t`,
 * `CREATE [UNIQUE] INDEX [CONCURRENTLY] [IF NOT EXISTS] [name] ON [ONLY] t`.
 * Returns `schema.table` parts, or undefined when the statement names none.
 */
export function statementTable(statement: SqlStatement): { schema?: string; name: string } | undefined {
  const t = statement.tokens;
  const word = (k: number) => (t[k]?.kind === 'word' ? t[k]!.text.toUpperCase() : undefined);
  let k: number;
  if (startsWith(statement, 'ALTER', 'TABLE') || startsWith(statement, 'DROP', 'TABLE') || startsWith(statement, 'CREATE', 'TABLE')) {
    k = 2;
    if (word(k) === 'IF') k += word(k + 1) === 'NOT' ? 3 : 2;
    if (word(k) === 'ONLY') k++;
  } else if (word(0) === 'CREATE') {
    const on = t.findIndex((token, index) => index > 0 && token.kind === 'word' && token.text.toUpperCase() === 'ON');
    if (on < 0 || !t.slice(1, on).some((token) => token.kind === 'word' && token.text.toUpperCase() === 'INDEX')) return undefined;
    k = on + 1;
    if (word(k) === 'ONLY') k++;
  } else return undefined;
  const first = t[k];
  if (!first || (first.kind !== 'word' && first.kind !== 'quoted')) return undefined;
  // Unquoted identifiers fold to lower case (PostgreSQL; SQLite compares them case-insensitively).
  const identifier = (token: SqlToken) => (token.kind === 'word' ? token.text.toLowerCase() : token.text);
  const second = t[k + 2];
  if (t[k + 1]?.text === '.' && second && (second.kind === 'word' || second.kind === 'quoted')) return { schema: identifier(first), name: identifier(second) };
  return { name: identifier(first) };
}
