import slugify from '@sindresorhus/slugify';

/** Prisma's limit on a migration name (P3010). */
export const MAX_MIGRATION_NAME_LENGTH = 200;

/**
 * The name part of a migration folder, sanitised as Prisma's CLI does before it hands it to
 * the engine: slugified with `_` as the separator (lower case, transliterated, camelCase split),
 * then cut to 200 characters. The engine prefixes the UTC timestamp (`YYYYMMDDHHMMSS_`).
 */
export function sanitizeMigrationName(name: string): string {
  return slugify(name, { separator: '_' }).slice(0, MAX_MIGRATION_NAME_LENGTH);
}

const FOLDER_NAME = /^(\d{14})(?:_(.*))?$/;

/** Splits `20240101120000_add_users` into its timestamp and name. */
export function parseMigrationFolderName(folder: string): { timestamp: string; name: string } | undefined {
  const match = FOLDER_NAME.exec(folder);
  return match ? { timestamp: match[1]!, name: match[2] ?? '' } : undefined;
}

/** `YYYYMMDDHHMMSS` in UTC: the prefix of a migration folder, as Prisma's engine writes it. */
export function migrationTimestamp(date = new Date()): string {
  return date.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}
