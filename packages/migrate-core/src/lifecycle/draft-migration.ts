import { ErrorCodes, MigrateError } from '../errors.js';
import { migrationTimestamp } from '../history/migration-name.js';
import { writeMigration } from '../history/migrations-folder.js';
import type { SchemaSource } from '../source.js';
import { diffRendered, historyToSchema } from './diff.js';
import type { LifecycleOptions } from './session.js';

export interface DraftMigrationOptions {
  name?: string | undefined;
  /** How the name becomes part of the folder name (Prisma slugifies; Keystone kept `[A-Za-z0-9_]`). */
  sanitizeName: (name: string) => string;
}

export interface DraftMigrationResult {
  /** The engine's summary of what the schema adds to the history (`[+] Added tables ...`); empty when unchanged. */
  summary: string;
  created: { name: string; path: string } | undefined;
}

/**
 * Keystone's `migrate create`: writes the migration that takes the database the history
 * produces to the schema, without touching the development database (the history is replayed
 * on a shadow database) and without applying it.
 */
export async function draftMigration(source: SchemaSource, options: DraftMigrationOptions & LifecycleOptions): Promise<DraftMigrationResult> {
  const [summary, script] = await diffRendered(historyToSchema(source), [false, true]);
  if (summary!.empty) return { summary: '', created: undefined };
  const given = options.name ?? (await options.prompter?.text({ message: 'Name of migration', flag: '--name' }));
  const name = options.sanitizeName(given ?? '');
  if (!name) {
    throw new MigrateError(ErrorCodes.usage, 'The migration needs a name made of letters, digits or underscores.', { hint: 'Pass --name <name>.' });
  }
  const folderName = `${migrationTimestamp()}_${name}`;
  const path = writeMigration(source.migrationsDir, folderName, script!.text, source.provider);
  return { summary: summary!.text.trim(), created: { name: folderName, path } };
}
