import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { resolveConnection } from '../engine/connection.js';
import { ErrorCodes, MigrateError } from '../errors.js';
import { MIGRATION_FILE_NAME, type MigrationsFolder, readMigrationsFolder } from '../history/migrations-folder.js';
import { type LintConfig, readLintConfig } from '../lint/config.js';
import { type LintFinding, lintScripts } from '../lint/lint-scripts.js';
import { openTableSizer } from '../lint/table-size.js';
import { assertSupportedProvider } from '../provider.js';
import type { SchemaSource } from '../source.js';

export interface LintOptions {
  /** Every migration instead of the newest. */
  all?: boolean;
  /** The migrations after this one (by folder name). */
  since?: string;
  /** Only these migrations (by folder name): deploy's dry run lints the pending ones. */
  migrations?: readonly string[];
  /** The folder, when the caller already read it. */
  folder?: MigrationsFolder;
  /** Default: read from the working directory (lint/config.ts). */
  config?: LintConfig;
  /** Ask the database for table sizes when the source has a URL (default true). */
  live?: boolean;
  /** Directory file paths are shown relative to (default: the working directory). */
  cwd?: string;
}

export interface LintResult {
  /** The migrations linted, in order. */
  migrations: string[];
  findings: LintFinding[];
  counts: { error: number; warning: number; info: number; ignored: number };
  /** Whether severities took the live tables' sizes into account, and if not why. */
  tableSizes: { state: 'live' } | { state: 'unknown'; reason: string };
  config: string | null;
}

/**
 * Lints migrations (the newest by default, `all`, or those after `since`): what each does to
 * existing data and to running queries, from squawk (PostgreSQL) or our own rules (SQLite), with
 * the live tables' sizes when the database is reachable. Reads the database, never writes it.
 */
export async function lint(source: SchemaSource, options: LintOptions = {}): Promise<LintResult> {
  assertSupportedProvider(source.provider);
  const folder = options.folder ?? readMigrationsFolder(source.migrationsDir);
  const chosen = chooseMigrations(folder, options);
  const config = options.config ?? readLintConfig(options.cwd ?? process.cwd());
  const cwd = options.cwd ?? process.cwd();
  const scripts = chosen.flatMap((m) => (m.script.ok ? [{ migration: m.name, file: relative(cwd, join(folder.dir, m.name, MIGRATION_FILE_NAME)), text: m.script.text }] : []));

  let tableSizes: LintResult['tableSizes'] = { state: 'unknown', reason: 'no database URL is configured' };
  let sizer: Awaited<ReturnType<typeof openTableSizer>> | undefined;
  if (options.live !== false && source.url && scripts.length) {
    try {
      const connection = resolveConnection(source);
      if (connection.provider === 'sqlite' && !existsSync(connection.file)) tableSizes = { state: 'unknown', reason: `the database file ${relative(cwd, connection.file)} does not exist` };
      else {
        sizer = await openTableSizer(connection);
        tableSizes = { state: 'live' };
      }
    } catch (error) {
      tableSizes = { state: 'unknown', reason: `the database could not be read (${(error as Error).message})` };
    }
  } else if (options.live === false) tableSizes = { state: 'unknown', reason: 'not asked' };
  try {
    const { findings, ignored } = await lintScripts(source.provider, scripts, { config, ...(sizer ? { sizeOf: sizer.sizeOf } : {}) });
    const count = (severity: string) => findings.filter((f) => f.severity === severity).length;
    return { migrations: chosen.map((m) => m.name), findings, counts: { error: count('error'), warning: count('warning'), info: count('info'), ignored }, tableSizes, config: config.path };
  } finally {
    await sizer?.close();
  }
}

function chooseMigrations(folder: MigrationsFolder, options: LintOptions): MigrationsFolder['migrations'] {
  const all = folder.migrations;
  if (options.migrations) return all.filter((m) => options.migrations!.includes(m.name));
  if (options.since !== undefined) {
    const at = all.findIndex((m) => m.name === options.since);
    if (at < 0) {
      throw new MigrateError(ErrorCodes.lint, `--since names no migration: "${options.since}" is not in ${folder.dir}.`, { hint: 'Pass the folder name of a migration, e.g. the last one deployed.' });
    }
    return all.slice(at + 1);
  }
  if (options.all) return all;
  return all.slice(-1);
}
