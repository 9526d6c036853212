import { assertLockFileProvider } from '../history/lock-file.js';
import { readMigrationsFolder } from '../history/migrations-folder.js';
import type { SchemaSource } from '../source.js';
import { diff } from './diff.js';

export interface CheckResult {
  upToDate: boolean;
  /** What the schema has that the migrations do not produce (the engine's summary). */
  summary: string;
}

/**
 * `check` (for CI): does replaying the migrations folder produce the current schema? Uses a
 * shadow database; touches neither the main database nor the folder.
 */
export async function check(source: SchemaSource): Promise<CheckResult> {
  assertLockFileProvider(readMigrationsFolder(source.migrationsDir).lockFile, source.provider);
  const result = await diff({
    from: { kind: 'migrations', dir: source.migrationsDir },
    to: { kind: 'schema', files: source.files },
    provider: source.provider,
    url: source.url,
    shadowDatabaseUrl: source.shadowDatabaseUrl,
    baseDir: source.baseDir,
    filter: source.filter,
  });
  return { upToDate: result.empty, summary: result.empty ? '' : result.text };
}
