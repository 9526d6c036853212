import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';

/**
 * Writes a file of the migrations folder whole: the text goes to a temporary file beside it (a
 * file, which no migrations reader takes for a migration) that is then renamed over it, so a
 * process killed half way leaves either the old file or the new one, never an empty one. Both
 * files this guards were found empty after a SIGKILL of dev (reliability/test/dev-crash.test.ts,
 * SQLite, kill at the `file` point): an empty migrate-kit.sum listed none of the migrations, and
 * an empty migration_lock.toml stopped every later command with P3019. A file that already holds
 * the text is left alone. Returns whether it wrote.
 */
export function writeFileWhole(path: string, text: string): boolean {
  try {
    if (readFileSync(path, 'utf8') === text) return false;
  } catch {
    // Absent or unreadable: written below.
  }
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, text, 'utf8');
    renameSync(temporary, path);
    return true;
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}
