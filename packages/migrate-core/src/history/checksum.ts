import { createHash } from 'node:crypto';

/** Prisma's migration checksum: lowercase hex SHA-256 of the `migration.sql` bytes. */
export function migrationChecksum(script: string): string {
  return createHash('sha256').update(script, 'utf8').digest('hex');
}

/**
 * Whether a checksum recorded in `_prisma_migrations` still matches the script on disk, with
 * the tolerance Prisma's engine has: the script may have had its line endings converted
 * (git autocrlf) since it was applied, and old Prisma versions wrote the hex without
 * zero-padding each byte.
 */
export function checksumMatches(recorded: string, script: string): boolean {
  const candidates = new Set([script, script.replace(/\r\n/g, '\n'), script.replace(/\r?\n/g, '\r\n')]);
  for (const text of candidates) {
    const digest = createHash('sha256').update(text, 'utf8').digest();
    if (recorded === digest.toString('hex')) return true;
    if (recorded === unpaddedHex(digest)) return true;
  }
  return false;
}

function unpaddedHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16)).join('');
}
