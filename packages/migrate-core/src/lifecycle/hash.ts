import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCodes, MigrateError } from '../errors.js';
import { type IntegrityResult, SUM_FILE_NAME, verifyIntegrity, writeSumFile } from '../history/integrity-file.js';
import { readMigrationsFolder } from '../history/migrations-folder.js';
import type { SchemaSource } from '../source.js';

export interface HashResult {
  /** The integrity file written. */
  path: string;
  /** The migrations it now lists, in order. */
  migrations: string[];
  /** What the file said before it was rewritten (`absent` when there was none). */
  previous: IntegrityResult;
}

/**
 * `hash` (Atlas's `migrate hash`): rewrites migrations/migrate-kit.sum from the folder as it is,
 * accepting a deliberate edit, deletion or reordering. Touches no database.
 */
export async function hash(source: Pick<SchemaSource, 'migrationsDir'>): Promise<HashResult> {
  if (!existsSync(source.migrationsDir)) {
    throw new MigrateError(ErrorCodes.migrationsFolder, `There is no migrations folder at ${source.migrationsDir}.`, {
      hint: (command) => `Create the first migration with ${command('createMigration', 'draftMigration')}; it writes ${SUM_FILE_NAME} too.`,
    });
  }
  const folder = readMigrationsFolder(source.migrationsDir);
  const previous = verifyIntegrity(folder);
  writeSumFile(folder);
  return { path: join(source.migrationsDir, SUM_FILE_NAME), migrations: folder.migrations.map((m) => m.name), previous };
}
