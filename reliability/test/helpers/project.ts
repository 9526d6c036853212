import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createProjectDir, writeFile } from '@migrate-kit/test-support';
import { createPostgresDatabase, type Provider, sqliteDatabase, type TestDatabase } from './databases.js';
import { datasource } from './history.js';

/** The package folder. */
export const PACKAGE_DIR = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Temporary projects live in the package's git-ignored `.tmp/`, not the OS temp folder: a
 * keystone.ts or a ZModel plugin resolves its framework packages from the project folder
 * upwards, and finds them in this package's node_modules, as in a real project.
 */
export const TMP_ROOT = join(PACKAGE_DIR, '.tmp');

export function makeTmpDir(label = 'p'): string {
  return createProjectDir(`${label}-`, TMP_ROOT);
}

/** A plain Prisma project (prisma/schema.prisma, prisma/migrations) with a database of its own. */
export interface PrismaProject {
  provider: Provider;
  dir: string;
  schemaPath: string;
  migrationsDir: string;
  db: TestDatabase;
  setModels(models: string): void;
  cleanup(): Promise<void>;
}

export async function createPrismaProject(provider: Provider, options: { dir?: string; models?: string } = {}): Promise<PrismaProject> {
  const dir = options.dir ?? makeTmpDir(provider);
  mkdirSync(dir, { recursive: true });
  const schemaPath = join(dir, 'prisma', 'schema.prisma');
  const db = provider === 'postgresql' ? await createPostgresDatabase() : sqliteDatabase(join(dir, 'prisma', 'dev.db'));
  const project: PrismaProject = {
    provider,
    dir,
    schemaPath,
    migrationsDir: join(dir, 'prisma', 'migrations'),
    db,
    setModels: (models) => writeFile(schemaPath, `${datasource(provider)}\n${models.trim()}\n`),
    async cleanup() {
      await db.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  project.setModels(options.models ?? 'model User {\n  id Int @id @default(autoincrement())\n  email String @unique\n}');
  return project;
}
