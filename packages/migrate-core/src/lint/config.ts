import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCodes, MigrateError } from '../errors.js';
import type { LintSeverity } from './rules.js';

export const LINT_CONFIG_FILE = 'migrate-kit.lint.json';

/**
 * A project's lint settings, from `migrate-kit.lint.json` or the `"migrate-kit": { "lint": ... }`
 * key of package.json (in the working directory; the file wins):
 * `rules` sets a rule's severity or turns it `off` (`squawk/<rule>` turns on a squawk rule left out
 * by default), `largeTable` says from what size a locking statement is an error.
 */
export interface LintConfig {
  rules: Record<string, LintSeverity | 'off'>;
  largeTable: { rows: number; bytes: number };
  /** Where it was read from, or null for the defaults. */
  path: string | null;
}

export const DEFAULT_LARGE_TABLE = { rows: 1_000_000, bytes: 1024 * 1024 * 1024 };

const SEVERITIES = ['error', 'warning', 'info', 'off'];

/** Checks a parsed configuration object; `path` names it in errors. */
export function parseLintConfig(value: unknown, path: string | null): LintConfig {
  const invalid = (why: string) => new MigrateError(ErrorCodes.lint, `Invalid lint configuration in ${path}: ${why}.`, { hint: `Write it like { "rules": { "drop-column": "warning", "missing-lock-timeout": "off" } }.` });
  if (value === undefined || value === null) return { rules: {}, largeTable: DEFAULT_LARGE_TABLE, path: null };
  if (typeof value !== 'object' || Array.isArray(value)) throw invalid('expected an object');
  const { rules = {}, largeTable = {} } = value as { rules?: unknown; largeTable?: unknown };
  if (typeof rules !== 'object' || rules === null || Array.isArray(rules)) throw invalid('"rules" must be an object of rule id to severity');
  for (const [id, severity] of Object.entries(rules)) if (!SEVERITIES.includes(severity as string)) throw invalid(`rule "${id}" has severity ${JSON.stringify(severity)} (use ${SEVERITIES.join(', ')})`);
  const large = largeTable as { rows?: unknown; bytes?: unknown };
  for (const key of ['rows', 'bytes'] as const) if (large[key] !== undefined && typeof large[key] !== 'number') throw invalid(`largeTable.${key} must be a number`);
  return {
    rules: rules as LintConfig['rules'],
    largeTable: { rows: (large.rows as number | undefined) ?? DEFAULT_LARGE_TABLE.rows, bytes: (large.bytes as number | undefined) ?? DEFAULT_LARGE_TABLE.bytes },
    path,
  };
}

/** Reads the lint configuration of the project in `dir`. */
export function readLintConfig(dir: string): LintConfig {
  const file = join(dir, LINT_CONFIG_FILE);
  const read = (path: string) => {
    try {
      return JSON.parse(readFileSync(path, 'utf8')) as unknown;
    } catch (error) {
      throw new MigrateError(ErrorCodes.lint, `Could not read ${path}: ${(error as Error).message}`, { hint: 'Fix the JSON in that file.' });
    }
  };
  if (existsSync(file)) return parseLintConfig(read(file), file);
  const pkg = join(dir, 'package.json');
  if (existsSync(pkg)) {
    const lint = (read(pkg) as { 'migrate-kit'?: { lint?: unknown } })['migrate-kit']?.lint;
    if (lint !== undefined) return parseLintConfig(lint, `${pkg} ("migrate-kit".lint)`);
  }
  return parseLintConfig(undefined, null);
}
