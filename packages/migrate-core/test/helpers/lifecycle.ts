import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { columnNames, prismaLockFile, tableNames, writeFile } from '@migrate-kit/test-support';
import { afterAll } from 'vitest';
import { SUM_FILE_NAME, writeSumFile } from '../../src/history/integrity-file.js';
import { readMigrationsFolder } from '../../src/history/migrations-folder.js';
import { createTestProject, type TestProject, type TestProvider } from './project.js';

export { columnNames, folderSnapshot, jsonOf, migrationFolders, output, prismaLockFile, sha256, tableNames, untilNextSecond } from '@migrate-kit/test-support';

/** Runs statements that return no rows (CREATE, INSERT, ...) on the project's database. */
export async function execute(project: TestProject, sql: string): Promise<void> {
  if (project.provider === 'postgresql') {
    await project.query(sql);
    return;
  }
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(project.url.slice('file:'.length));
  try {
    db.exec(sql);
  } finally {
    db.close();
  }
}

export interface MigrationRow {
  migration_name: string;
  checksum: string;
  finished: boolean;
  rolledBack: boolean;
  applied_steps_count: number;
  logs: string | null;
}

/** `_prisma_migrations`, oldest first; an empty list when the table does not exist. */
export async function migrationRows(project: TestProject): Promise<MigrationRow[]> {
  if (!(await tableNames(project)).includes('_prisma_migrations')) return [];
  const rows = await project.query(
    'SELECT migration_name, checksum, finished_at, rolled_back_at, applied_steps_count, logs FROM _prisma_migrations ORDER BY started_at, migration_name',
  );
  return rows.map((r) => ({
    migration_name: String(r.migration_name),
    checksum: String(r.checksum),
    finished: r.finished_at !== null,
    rolledBack: r.rolled_back_at !== null,
    applied_steps_count: Number(r.applied_steps_count),
    logs: r.logs === null ? null : String(r.logs),
  }));
}

/** Everything that tells whether an operation changed the database: tables, columns and the migration rows. */
export async function databaseSnapshot(project: TestProject): Promise<unknown> {
  const tables = await tableNames(project);
  const columns = await Promise.all(tables.map(async (t) => [t, await columnNames(project, t)]));
  return { columns, rows: await migrationRows(project) };
}

export function migrationScript(project: TestProject, name: string): string {
  return readFileSync(join(project.migrationsDir, name, 'migration.sql'), 'utf8');
}

/** The engine names a migration `<UTC YYYYMMDDHHMMSS>_<name>`. */
export const MIGRATION_FOLDER = /^\d{14}_[a-z0-9_]*$/;

/** A hand-written migration folder name that sorts after anything the engine generates today. */
export function laterMigrationName(index: number, name: string): string {
  return `2999010100${String(index).padStart(4, '0')}_${name}`;
}

export const USER_MODEL = 'model User {\n  id Int @id @default(autoincrement())\n  email String @unique\n}';
export const USER_WITH_NAME = 'model User {\n  id Int @id @default(autoincrement())\n  email String @unique\n  name String?\n}';
export const POST_MODEL = 'model Post {\n  id Int @id @default(autoincrement())\n  title String\n}';

/**
 * Fresh projects for one describe block, all cleaned up after it. A project costs a temporary
 * folder and, on PostgreSQL, one CREATE DATABASE: cheap enough to give each test its own.
 */
export function projectsFor(provider: TestProvider): () => Promise<TestProject> {
  const created: TestProject[] = [];
  afterAll(async () => {
    await Promise.all(created.map((p) => p.cleanup()));
  });
  return async () => {
    const project = await createTestProject(provider);
    created.push(project);
    return project;
  };
}

/**
 * Writes `<migrations>/<name>/migration.sql` (and Prisma's lock file) by hand. Where the folder has
 * an integrity file (a `dev` wrote one), it is rewritten as `hash` would, the step a user takes
 * after writing a migration by hand; the integrity file's own tests edit the folder directly.
 */
export function writeMigrationByHand(project: TestProject, name: string, sql: string): void {
  writeFile(join(project.migrationsDir, name, 'migration.sql'), sql);
  writeFile(join(project.migrationsDir, 'migration_lock.toml'), prismaLockFile(project.provider));
  if (existsSync(join(project.migrationsDir, SUM_FILE_NAME))) writeSumFile(readMigrationsFolder(project.migrationsDir));
}
