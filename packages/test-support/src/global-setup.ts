import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { assertPostgresReachable } from './postgres.js';

export interface TestServicesOptions {
  /** Files or folders the tests need built (what it is -> its path): the CLIs run their dist/. */
  built?: Record<string, string | URL>;
}

/**
 * The check a vitest globalSetup runs before any test: the tests never skip a database, so a
 * missing build or an unreachable PostgreSQL server fails the run here, loudly.
 * (.ci/run starts the server first; see scripts/services.mjs.)
 */
export async function checkTestServices(options: TestServicesOptions = {}): Promise<void> {
  for (const [what, path] of Object.entries(options.built ?? {})) {
    if (!existsSync(path)) {
      throw new Error(`${what}: ${path instanceof URL ? fileURLToPath(path) : path} is missing. Build first: turbo run build (from the repository root).`);
    }
  }
  await assertPostgresReachable();
}

/** As a vitest `globalSetup` file of its own: PostgreSQL must answer. */
export default function setup(): Promise<void> {
  return checkTestServices();
}
