import { type IntegrityResult, verifyIntegrity } from '../history/integrity-file.js';
import { readMigrationsFolder } from '../history/migrations-folder.js';
import type { SchemaSource } from '../source.js';
import { diff, historyToSchema } from './diff.js';

export interface CheckResult {
  upToDate: boolean;
  /** What the schema has that the migrations do not produce (the engine's summary). */
  summary: string;
  /** The integrity file's verdict (`absent` when the project has none); a mismatch fails check too. */
  integrity: IntegrityResult;
}

/**
 * `check` (for CI): does replaying the migrations folder produce the current schema? Uses a
 * shadow database; touches neither the main database nor the folder.
 */
export async function check(source: SchemaSource): Promise<CheckResult> {
  const integrity = verifyIntegrity(readMigrationsFolder(source.migrationsDir));
  const result = await diff(historyToSchema(source));
  return { upToDate: result.empty, summary: result.empty ? '' : result.text, integrity };
}
