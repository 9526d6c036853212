import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SupportedProvider } from '../provider.js';
import { DEFAULT_LARGE_TABLE, type LintConfig } from './config.js';
import { LINT_RULES, type LintRule, type LintSeverity } from './rules.js';
import { type SqlStatement, splitSqlStatements, startsWith, statementTable } from './sql-statements.js';
import { formatBytes } from './format-bytes.js';
import { runSquawk } from './squawk.js';
import { lintSqliteStatements, type RuleHit } from './sqlite-rules.js';
import type { TableSize, TableSizer } from './table-size.js';

/** One problem found in a migration. */
export interface LintFinding {
  rule: string;
  severity: LintSeverity;
  migration: string;
  /** The migration's file, as given (relative to the working directory in the CLI). */
  file: string;
  line: number;
  message: string;
  fix: string;
  /** The table the statement acts on, when it names one. */
  table?: string;
  /** The live table's size, when a database was asked. */
  tableSize?: TableSize;
  /** Why the severity differs from the rule's (the table is empty, or large). */
  severityReason?: string;
  /** `squawk` for PostgreSQL findings (with squawk's own rule name), `migrate-kit` for ours. */
  source: 'squawk' | 'migrate-kit';
  squawkRule?: string;
}

export interface LintScript {
  migration: string;
  file: string;
  text: string;
}

export interface LintScriptsResult {
  findings: LintFinding[];
  /** Findings silenced by `-- migrate-kit-lint-ignore` comments. */
  ignored: number;
}

const DEFAULT_CONFIG: LintConfig = { rules: {}, largeTable: DEFAULT_LARGE_TABLE, path: null };

/** The statement a line belongs to: the one spanning it, else the next one (a finding on a comment line). */
function statementAt(statements: SqlStatement[], line: number): number {
  const spanning = statements.findIndex((s) => s.startLine <= line && line <= s.endLine);
  if (spanning >= 0) return spanning;
  const next = statements.findIndex((s) => s.startLine > line);
  return next >= 0 ? next : statements.length - 1;
}

interface Hit extends RuleHit {
  statement: number;
  rule: LintRule;
  squawkRule?: string;
}

/**
 * Our PostgreSQL rules besides squawk's: squawk flags neither DROP SCHEMA nor a unique index that
 * existing duplicates make fail (it only asks for CONCURRENTLY).
 */
function postgresOwnHits(statements: SqlStatement[]): Hit[] {
  return statements.flatMap((s, statement): Hit[] => {
    if (startsWith(s, 'DROP', 'SCHEMA')) return [{ ruleId: 'drop-schema', rule: LINT_RULES['drop-schema']!, line: s.startLine, statement, message: 'A schema is dropped, with every table, type and function in it.' }];
    const table = startsWith(s, 'CREATE', 'UNIQUE', 'INDEX') ? statementTable(s) : undefined;
    if (!table) return [];
    const name = table.schema ? `${table.schema}.${table.name}` : table.name;
    return [{ ruleId: 'unique-index', rule: LINT_RULES['unique-index']!, line: s.startLine, statement, table: name, message: `A unique index on "${name}" fails if its existing rows hold duplicates.` }];
  });
}

/** Tables created by the script, in the `schema.name` or `name` form hits use. */
function createdTables(statements: SqlStatement[]): Set<string> {
  const created = new Set<string>();
  for (const s of statements) {
    const table = startsWith(s, 'CREATE', 'TABLE') ? statementTable(s) : undefined;
    if (table) created.add(table.schema ? `${table.schema}.${table.name}` : table.name);
  }
  return created;
}

/** Rules that restate another rule's finding on the same statement (squawk reports both). */
const SUBSUMED_BY: Record<string, string[]> = { 'constraint-not-valid': ['foreign-key-not-valid', 'unique-constraint', 'primary-key-on-existing-table'] };

/**
 * Lints migration scripts: squawk and our own rules for PostgreSQL, our own rules for SQLite; then
 * `-- migrate-kit-lint-ignore` comments, the configured severities and, with a sizer, the live
 * tables' sizes (an empty or missing table makes a finding info; a large one makes a locking
 * statement an error).
 */
export async function lintScripts(provider: SupportedProvider, scripts: LintScript[], options: { config?: LintConfig; sizeOf?: TableSizer } = {}): Promise<LintScriptsResult> {
  const config = options.config ?? DEFAULT_CONFIG;
  const parsed = scripts.map((script) => ({ script, statements: splitSqlStatements(script.text) }));
  const hitsPerScript: Hit[][] = parsed.map(() => []);

  if (provider === 'postgresql') {
    const dir = mkdtempSync(join(tmpdir(), 'migrate-kit-lint-'));
    try {
      const files = parsed.map((_, index) => join(dir, `${index}.sql`));
      for (const [index, p] of parsed.entries()) writeFileSync(files[index]!, p.script.text);
      const include = Object.entries(config.rules)
        .filter(([id, severity]) => id.startsWith('squawk/') && severity !== 'off')
        .map(([id]) => id.slice('squawk/'.length));
      for (const finding of await runSquawk(files, { include })) {
        const index = files.indexOf(finding.file);
        if (index < 0) continue;
        const { statements } = parsed[index]!;
        const statement = statementAt(statements, finding.line);
        const table = statements[statement] ? statementTable(statements[statement]) : undefined;
        hitsPerScript[index]!.push({ ruleId: finding.rule.id, rule: finding.rule, line: finding.line, statement, message: finding.message, squawkRule: finding.squawkRule, ...(table ? { table: table.schema ? `${table.schema}.${table.name}` : table.name } : {}) });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    for (const [index, p] of parsed.entries()) hitsPerScript[index]!.push(...postgresOwnHits(p.statements));
  } else {
    for (const [index, p] of parsed.entries()) hitsPerScript[index]!.push(...lintSqliteStatements(p.statements).map((h) => ({ ...h, rule: LINT_RULES[h.ruleId]! })));
  }

  const findings: LintFinding[] = [];
  let ignored = 0;
  for (const [index, { script, statements }] of parsed.entries()) {
    const hits = hitsPerScript[index]!.sort((a, b) => a.line - b.line);
    const seenOnce = new Set<string>();
    const createdHere = createdTables(statements);
    for (const hit of hits) {
      const { rule } = hit;
      // Locks and timeouts on a table this migration creates are noise: nobody else can be using it yet.
      if ((rule.size === 'lock' || rule.oncePerMigration) && hit.table && createdHere.has(hit.table)) continue;
      if (SUBSUMED_BY[rule.id]?.some((other) => hits.some((h) => h.statement === hit.statement && h.rule.id === other))) continue;
      if (rule.oncePerMigration) {
        if (seenOnce.has(rule.id)) continue;
        seenOnce.add(rule.id);
      }
      const silencedBy = statements[hit.statement]?.ignored ?? [];
      if (silencedBy.includes(rule.id) || silencedBy.includes('*') || (hit.squawkRule && silencedBy.includes(`squawk/${hit.squawkRule}`))) {
        ignored++;
        continue;
      }
      const configured = config.rules[rule.id] ?? (hit.squawkRule ? config.rules[`squawk/${hit.squawkRule}`] : undefined);
      if (configured === 'off') continue;
      let severity: LintSeverity = configured ?? rule.severity;
      const finding: LintFinding = {
        rule: rule.id,
        severity,
        migration: script.migration,
        file: script.file,
        line: hit.line,
        message: hit.message,
        fix: rule.fix,
        ...(hit.table ? { table: hit.table } : {}),
        source: provider === 'postgresql' && hit.squawkRule ? 'squawk' : 'migrate-kit',
        ...(hit.squawkRule ? { squawkRule: hit.squawkRule } : {}),
      };
      if (options.sizeOf && hit.table && rule.size !== 'none' && !hit.sizeExempt) {
        const dot = hit.table.indexOf('.');
        const size = await options.sizeOf(dot >= 0 && provider === 'postgresql' ? { schema: hit.table.slice(0, dot), name: hit.table.slice(dot + 1) } : { name: hit.table });
        finding.tableSize = size;
        const large = size.rows !== null && size.rows >= config.largeTable.rows ? `${size.rows} rows` : size.bytes !== null && size.bytes >= config.largeTable.bytes ? formatBytes(size.bytes) : undefined;
        if (!size.exists) {
          severity = 'info';
          finding.severityReason = 'the table is not in the database yet (created by a migration not applied there)';
        } else if (size.rows === 0) {
          severity = 'info';
          finding.severityReason = 'the table is empty in the database';
        } else if (rule.size === 'lock' && large) {
          severity = 'error';
          finding.severityReason = `the table is large (${large}${size.estimated ? ', estimated' : ''})`;
        }
        finding.severity = severity;
      }
      findings.push(finding);
    }
  }
  return { findings, ignored };
}
