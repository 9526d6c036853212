import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { ErrorCodes, MigrateError } from '../errors.js';
import { LINT_RULES, type LintRule, squawkRule } from './rules.js';

/** One finding as squawk's `--reporter json` prints it (0-based lines). */
interface SquawkViolation {
  file: string;
  line: number;
  line_end?: number;
  level: string;
  message: string;
  help: string | null;
  rule_name: string;
}

/** A squawk finding mapped onto our rules. */
export interface SquawkFinding {
  file: string;
  /** 1-based. */
  line: number;
  rule: LintRule;
  message: string;
  squawkRule: string;
}

/** Squawk's rules and ours: the same problem under our id, so PostgreSQL and SQLite findings read alike. */
const SQUAWK_TO_OURS: Record<string, string> = {
  'ban-drop-table': 'drop-table',
  'ban-drop-column': 'drop-column',
  'ban-drop-database': 'drop-database',
  'changing-column-type': 'column-type-change',
  'renaming-column': 'rename-column',
  'renaming-table': 'rename-table',
  'adding-required-field': 'not-null-without-default',
  'adding-not-nullable-field': 'set-not-null',
  'disallowed-unique-constraint': 'unique-constraint',
  'require-concurrent-index-creation': 'index-not-concurrent',
  'ban-concurrent-index-creation-in-transaction': 'concurrent-index-in-transaction',
  'require-concurrent-index-deletion': 'drop-index-not-concurrent',
  'adding-foreign-key-constraint': 'foreign-key-not-valid',
  'constraint-missing-not-valid': 'constraint-not-valid',
  'adding-field-with-default': 'table-rewrite',
  'adding-primary-key-constraint': 'primary-key-on-existing-table',
  'adding-serial-primary-key-field': 'primary-key-on-existing-table',
  'require-lock-timeout': 'missing-lock-timeout',
  'require-statement-timeout': 'missing-statement-timeout',
  'syntax-error': 'parse-error',
};

/**
 * Squawk rules left out by default because they are noise on Prisma's generated SQL: they judge
 * column types and statement style that come from the Prisma schema (`Int` is `INTEGER`,
 * `@default(autoincrement())` is `SERIAL`, `String @db.VarChar(n)` is `VARCHAR(n)`, `DateTime` is
 * `TIMESTAMP(3)`), ask for `IF NOT EXISTS` guards Prisma never writes because a migration runs
 * once in a transaction, or for `BEFORE`/`AFTER` on `ALTER TYPE ... ADD VALUE` (Prisma appends enum
 * values; 35 findings on documenso's history, none actionable). A project turns one back on by giving `squawk/<rule>` a severity in its
 * lint configuration.
 */
export const SQUAWK_EXCLUDED_BY_DEFAULT = [
  'prefer-bigint-over-int',
  'prefer-bigint-over-smallint',
  'prefer-identity',
  'prefer-robust-stmts',
  'prefer-text-field',
  'prefer-timestamptz',
  'ban-char-field',
  'require-enum-value-ordering',
];

/** The squawk binary of the platform package (`@squawk-cli/linux-x64`, ...) that squawk-cli installs. */
export function squawkBinary(): string {
  const require = createRequire(import.meta.url);
  try {
    return (require('squawk-cli/js/index.js') as { getBinaryPath(): string }).getBinaryPath();
  } catch (error) {
    throw new MigrateError(ErrorCodes.lint, `Could not find squawk, the PostgreSQL migration linter: ${(error as Error).message}`, {
      hint: 'Reinstall with optional dependencies enabled (squawk-cli ships its binary as @squawk-cli/<platform>).',
    });
  }
}

/** Runs squawk on migration files (`--assume-in-transaction`: Prisma applies a migration in one transaction) and maps its findings. */
export async function runSquawk(files: string[], options: { include: string[] }): Promise<SquawkFinding[]> {
  if (files.length === 0) return [];
  const excluded = SQUAWK_EXCLUDED_BY_DEFAULT.filter((name) => !options.include.includes(name));
  const args = ['--reporter', 'json', '--assume-in-transaction', ...(excluded.length ? [`--exclude=${excluded.join(',')}`] : []), ...files];
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(squawkBinary(), args, { maxBuffer: 256 * 1024 * 1024 }, (error, out, err) => {
      // squawk exits 1 when it found something; anything else without JSON is a failure.
      if (error && !out.trim().startsWith('[')) reject(new MigrateError(ErrorCodes.lint, `squawk failed: ${err || error.message}`));
      else resolve(out);
    });
  });
  const violations = JSON.parse(stdout || '[]') as SquawkViolation[];
  return violations.map((v) => {
    const ours = SQUAWK_TO_OURS[v.rule_name];
    return {
      file: v.file,
      line: v.line + 1,
      rule: (ours && LINT_RULES[ours]) || squawkRule(v.rule_name),
      message: v.help ? `${v.message} ${v.help}` : v.message,
      squawkRule: v.rule_name,
    };
  });
}
