import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface FolderSnapshotOptions {
  /** SQLite files (`*.db`) as `<database N bytes>` instead of their content. */
  databasesBySize?: boolean;
}

/** Every file below a folder (relative path -> its text), in name order; an absent folder is `{}`. */
export function folderSnapshot(dir: string, options: FolderSnapshotOptions = {}): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(dir)) return out;
  const walk = (at: string) => {
    for (const name of readdirSync(at).sort()) {
      const full = join(at, name);
      if (statSync(full).isDirectory()) walk(full);
      else out[relative(dir, full)] = options.databasesBySize && name.endsWith('.db') ? `<database ${statSync(full).size} bytes>` : readFileSync(full, 'utf8');
    }
  };
  walk(dir);
  return out;
}
