import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CliRun, createPostgresDatabase, createProjectDir, type Provider, runNodeCli, type TestPostgresDatabase, writeFile } from '@migrate-kit/test-support';
import { loadPrismaSchemaSource } from '../../src/schema/prisma-schema-source.js';
import type { SchemaSource } from '../../src/source.js';

export type { CliRun } from '@migrate-kit/test-support';
export type TestProvider = Provider;
export const PROVIDERS: TestProvider[] = ['sqlite', 'postgresql'];

/** A project on a real database: a schema file, a migrations folder, and the database itself. */
export interface TestProject {
  provider: TestProvider;
  dir: string;
  schemaPath: string;
  migrationsDir: string;
  url: string;
  /** Writes the schema's models (the datasource block is added). */
  setModels(models: string): void;
  source(): SchemaSource;
  /** Runs the `migrate-kit` CLI (the built bin) in the project folder. */
  cli(args: string[], options?: { env?: NodeJS.ProcessEnv; input?: string }): Promise<CliRun>;
  /** Rows from the database (SQLite through better-sqlite3, PostgreSQL through pg). */
  query(sql: string): Promise<Record<string, unknown>[]>;
  cleanup(): Promise<void>;
}

export const BIN = join(fileURLToPath(new URL('../../bin/migrate-kit.js', import.meta.url)));

export function datasourceBlock(provider: TestProvider): string {
  return `datasource db {\n  provider = "${provider}"\n}\n`;
}

export async function createTestProject(provider: TestProvider): Promise<TestProject> {
  const dir = createProjectDir();
  const schemaPath = join(dir, 'prisma', 'schema.prisma');
  const migrationsDir = join(dir, 'prisma', 'migrations');
  let pgDb: TestPostgresDatabase | undefined;
  let url: string;
  if (provider === 'postgresql') {
    pgDb = await createPostgresDatabase();
    url = pgDb.url;
  } else {
    url = `file:${join(dir, 'prisma', 'dev.db')}`;
  }
  const project: TestProject = {
    provider,
    dir,
    schemaPath,
    migrationsDir,
    url,
    setModels(models) {
      writeFile(schemaPath, `${datasourceBlock(provider)}\n${models.trim()}\n`);
    },
    source() {
      return loadPrismaSchemaSource({ schemaPath, url, migrationsDir });
    },
    cli(args, options = {}) {
      return runBin(args, { cwd: dir, env: { DATABASE_URL: url, ...options.env }, input: options.input });
    },
    async query(sql) {
      if (pgDb) return pgDb.query(sql);
      const { default: Database } = await import('better-sqlite3');
      const db = new Database(url.slice('file:'.length));
      try {
        return db.prepare(sql).all() as Record<string, unknown>[];
      } finally {
        db.close();
      }
    },
    async cleanup() {
      await pgDb?.drop();
    },
  };
  project.setModels('model User {\n  id Int @id @default(autoincrement())\n  email String @unique\n}');
  return project;
}

/** Runs the built `migrate-kit` bin; stdin is a pipe (not a TTY), so nothing can prompt. */
export function runBin(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; input?: string | undefined }): Promise<CliRun> {
  return runNodeCli([BIN, ...args], { cwd: options.cwd, env: options.env, input: options.input });
}
