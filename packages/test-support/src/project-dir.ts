import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * A new, empty project folder `<root>/<prefix><6 random characters>` (`prefix` must not be empty).
 * `root` defaults to the OS temp folder; a package's own `.tmp/` lets a project resolve packages
 * from the package's node_modules. The root is created if needed, and again if another test
 * file's cleanup removes it at the same moment.
 */
export function createProjectDir(prefix = 'mk-test-', root = tmpdir()): string {
  for (let attempt = 0; ; attempt++) {
    mkdirSync(root, { recursive: true });
    try {
      return mkdtempSync(join(root, prefix));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 3) throw error;
    }
  }
}

/** Writes a file, creating its folder first; returns the path. */
export function writeFile(path: string, content: string | Uint8Array): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  return path;
}
