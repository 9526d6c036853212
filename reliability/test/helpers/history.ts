import { join } from 'node:path';
import { prismaLockFile, writeFile } from '@migrate-kit/test-support';
import type { Provider } from './databases.js';

export { writeFile as writeText } from '@migrate-kit/test-support';

/** Writes a migrations folder (lock file and one folder per migration). */
export function writeHistory(migrationsDir: string, provider: Provider, migrations: [name: string, sql: string][]): void {
  writeFile(join(migrationsDir, 'migration_lock.toml'), prismaLockFile(provider));
  for (const [name, sql] of migrations) writeFile(join(migrationsDir, name, 'migration.sql'), sql);
}

/** `2020010100nnnn_<slug>`: hand-written names that sort in creation order. */
export function migrationName(index: number, slug: string): string {
  return `2020010100${String(index).padStart(4, '0')}_${slug}`;
}

/** The datasource block of a Prisma 7 schema (no url: the CLIs get it from --url / DATABASE_URL / the config). */
export function datasource(provider: Provider): string {
  return `datasource db {\n  provider = "${provider}"\n}\n`;
}
