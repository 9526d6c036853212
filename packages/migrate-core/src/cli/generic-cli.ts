import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCodes, MigrateError } from '../errors.js';
import { loadPrismaSchemaSource } from '../schema/prisma-schema-source.js';
import type { CliDefinition } from './run-cli.js';

const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

function findSchema(given: unknown): string {
  if (typeof given === 'string') return given;
  for (const candidate of ['prisma/schema.prisma', 'schema.prisma', 'prisma/schema']) if (existsSync(join(process.cwd(), candidate))) return candidate;
  throw new MigrateError(ErrorCodes.schemaNotFound, 'Could not find a Prisma schema (looked for prisma/schema.prisma and schema.prisma).', {
    hint: 'Pass --schema <file or folder>.',
  });
}

/**
 * `migrate-kit`: migrate-core's own small CLI, used by its demo and tests. The framework CLIs
 * (prisma-migrate, zen-migrate, keystone-migrate) live in their adapter packages.
 */
export const genericCli: CliDefinition = {
  name: 'migrate-kit',
  version,
  description: 'Prisma Migrate, in-process: migrations for a Prisma schema without the native engine binary.',
  sourceFlags: [
    { flags: '--schema <path>', description: 'Prisma schema file or folder (default: prisma/schema.prisma)' },
    { flags: '--url <url>', description: "Database URL (default: DATABASE_URL, else the datasource's url)" },
    { flags: '--shadow-database-url <url>', description: "A shadow database to use instead of a temporary one (default: SHADOW_DATABASE_URL, else the datasource's shadowDatabaseUrl)" },
    { flags: '--migrations <dir>', description: 'Migrations folder (default: migrations/ beside the schema)' },
  ],
  async loadSource(flags) {
    return loadPrismaSchemaSource({
      schemaPath: findSchema(flags.schema),
      url: (flags.url as string | undefined) ?? process.env.DATABASE_URL,
      shadowDatabaseUrl: (flags.shadowDatabaseUrl as string | undefined) ?? process.env.SHADOW_DATABASE_URL,
      migrationsDir: flags.migrations as string | undefined,
    });
  },
  verbs: [
    { path: ['dev'], operation: 'createMigration', summary: 'Create a migration from schema changes and apply it (prisma migrate dev)' },
    { path: ['deploy'], operation: 'deploy', summary: 'Apply pending migrations, non-interactively' },
    { path: ['status'], operation: 'status', summary: 'Show applied, pending, failed, edited and missing migrations' },
    { path: ['resolve'], operation: 'resolve', summary: 'Record a migration as applied or rolled back' },
    { path: ['reset'], operation: 'reset', summary: 'Drop the database and re-apply every migration' },
    { path: ['diff'], operation: 'diff', summary: 'Compare two schema sources' },
    { path: ['push'], operation: 'push', summary: 'Make the database match the schema without a migration' },
    { path: ['pull'], operation: 'pull', summary: 'Write the schema the database describes into the Prisma schema (prisma db pull)' },
    { path: ['baseline'], operation: 'baseline', summary: 'Start a migration history on a database made by push: write the first migration and record it as applied' },
    { path: ['execute'], operation: 'execute', summary: 'Run a SQL script on the database, outside the migrations' },
    { path: ['hash'], operation: 'hash', summary: 'Rewrite migrations/migrate-kit.sum (the integrity file) after a deliberate edit of the migrations' },
    { path: ['lint'], operation: 'lint', summary: 'Report what migrations do to existing data and running queries (exit 1 on an error-severity finding)' },
    // down migrations (lifecycle/down.ts)
    { path: ['down'], operation: 'down', summary: 'Roll back the last applied migration(s) with their down.sql' },
    { path: ['check'], operation: 'check', summary: 'Exit 1 when the migrations do not produce the schema (for CI)' },
    { path: ['cache'], operation: 'historyCache', summary: 'List or clear the history caches (replayed migrations kept on the database server)' },
  ],
};
