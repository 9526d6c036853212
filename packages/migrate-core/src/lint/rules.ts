/** The lint rules of migrate-kit: ids, default severities and fixes, shared by PostgreSQL (squawk) and SQLite (our own rules). */

export type LintSeverity = 'error' | 'warning' | 'info';

/**
 * How a table's live size changes a finding's severity (when a database URL is given):
 * `lock` (rewrites, scans or locks the table): empty → info, large → error;
 * `rows` (loses rows' data, or fails when there are rows): empty → info.
 */
export type SizeSensitivity = 'lock' | 'rows' | 'none';

export interface LintRule {
  id: string;
  severity: LintSeverity;
  size: SizeSensitivity;
  /** What to do instead, said with each finding. */
  fix: string;
  /** Reported once per migration (the first statement it applies to), not per statement. */
  oncePerMigration?: boolean;
}

const rule = (id: string, severity: LintSeverity, size: SizeSensitivity, fix: string, oncePerMigration = false): LintRule => ({ id, severity, size, fix, oncePerMigration });

export const LINT_RULES: Record<string, LintRule> = Object.fromEntries(
  [
    rule('drop-table', 'error', 'rows', 'Make sure no code reads the table and its data is not needed (back it up or copy it first); then silence this with `-- migrate-kit-lint-ignore drop-table`.'),
    rule('drop-column', 'error', 'rows', 'Deploy code that no longer reads or writes the column first, copy its data if it is needed, then drop it in a later migration.'),
    rule('drop-schema', 'error', 'none', 'Make sure nothing in the schema is still needed; dropping a schema drops every table in it.'),
    rule('drop-database', 'error', 'none', 'Never drop a database from a migration.'),
    rule('column-type-change', 'warning', 'lock', 'Add a new column of the new type, backfill it, switch the code over, then drop the old column.'),
    rule('rename-column', 'warning', 'none', 'Running code still uses the old name: add the new column, write both, backfill, switch readers, then drop the old one (expand and contract).'),
    rule('rename-table', 'warning', 'none', 'Running code still uses the old name: create the new table (or a view under the old name) and switch the code over first.'),
    rule('not-null-without-default', 'error', 'rows', 'Add a DEFAULT, or add the column as nullable, backfill it, then SET NOT NULL.'),
    rule('set-not-null', 'warning', 'lock', 'On PostgreSQL 12+: add CHECK (col IS NOT NULL) NOT VALID, VALIDATE it, then SET NOT NULL (no long lock).'),
    rule('unique-constraint', 'warning', 'lock', 'Check the existing rows for duplicates first; on PostgreSQL create a unique index CONCURRENTLY and then ADD CONSTRAINT ... UNIQUE USING INDEX.'),
    rule('unique-index', 'warning', 'lock', 'The index fails when existing rows have duplicates: check for them first (SELECT col, count(*) ... GROUP BY col HAVING count(*) > 1).'),
    rule('index-not-concurrent', 'warning', 'lock', 'Use CREATE INDEX CONCURRENTLY, alone in its own migration (Prisma runs a migration in one transaction; a one-statement migration runs outside it).'),
    rule('concurrent-index-in-transaction', 'error', 'none', 'CONCURRENTLY cannot run inside a transaction: move the statement into a migration of its own.'),
    rule('drop-index-not-concurrent', 'info', 'lock', 'Use DROP INDEX CONCURRENTLY, alone in its own migration.'),
    rule('foreign-key-not-valid', 'warning', 'lock', 'Add the foreign key with NOT VALID, then VALIDATE CONSTRAINT in a later migration (no write lock during the scan).'),
    rule('constraint-not-valid', 'warning', 'lock', 'Add the constraint with NOT VALID, then VALIDATE CONSTRAINT in a later migration.'),
    rule('table-rewrite', 'warning', 'lock', 'The statement rewrites or scans the whole table under an ACCESS EXCLUSIVE lock: split it (add nullable, backfill in batches, then constrain).'),
    rule('primary-key-on-existing-table', 'warning', 'lock', 'Create a unique index CONCURRENTLY first, then ADD CONSTRAINT ... PRIMARY KEY USING INDEX.'),
    rule('redefine-table', 'warning', 'rows', "SQLite cannot alter this in place, so the table is copied into new_<Table> and swapped: columns not copied lose their data, and the copy takes as long as the table is big. Check the INSERT ... SELECT copies every column you need."),
    rule('missing-lock-timeout', 'info', 'none', "Start the migration with SET lock_timeout = '5s'; so that it fails fast instead of queueing every query behind its lock.", true),
    rule('missing-statement-timeout', 'info', 'none', "Start the migration with SET statement_timeout = '...'; so that a slow statement cannot hold its locks indefinitely.", true),
    rule('parse-error', 'info', 'none', 'The statement could not be parsed, so it was not checked; review it by hand.'),
  ].map((r) => [r.id, r]),
);

/** A rule of squawk not mapped onto one of ours: reported as `squawk/<name>`. */
export function squawkRule(name: string): LintRule {
  return rule(`squawk/${name}`, 'warning', 'none', 'See https://squawkhq.com/docs/' + name);
}
