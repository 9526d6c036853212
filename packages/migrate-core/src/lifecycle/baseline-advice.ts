import { join, relative } from 'node:path';
import type { CommandNamer } from '../errors.js';

/** The folder name Prisma's baselining guide gives the first migration of an existing database. */
export const BASELINE_MIGRATION_NAME = '0_init';

/**
 * How to baseline a database that has tables but no `_prisma_migrations` (made by `db push`,
 * `keystone dev`, another tool): Prisma's documented workflow, with the commands of the CLI that
 * reports it. With no migration yet, the first one is written from what the database holds
 * (`diff --from-empty --to-config-datasource`: the live database, not the schema, which may have
 * moved on since the last push) and recorded as applied without running, or in one step by the
 * `baseline` verb (lifecycle/baseline.ts, from the schema, checked against the database); with migrations, the
 * first one is recorded as applied, as Prisma's `migrate status` advises.
 */
export function baselineSteps(command: CommandNamer, migrationsDir: string, firstMigration: string | undefined): string {
  if (firstMigration !== undefined) {
    return `If the database holds what the migration "${firstMigration}" creates, baseline it with that migration (recorded as applied, not run):\n${command('resolve')} --applied "${firstMigration}"`;
  }
  const script = join(relative(process.cwd(), migrationsDir) || '.', BASELINE_MIGRATION_NAME, 'migration.sql');
  return [
    `To keep its tables and data and start a migration history from them, baseline it in one command (it writes the first migration from the schema, checks that the database matches it, and records it as applied):\n   ${command('baseline')}`,
    'Or by hand, in two steps:',
    `1. Write a first migration that creates what the database holds:\n   ${command('diff')} --from-empty --to-config-datasource --script -o ${script}`,
    `2. Record it as applied, without running it:\n   ${command('resolve')} --applied ${BASELINE_MIGRATION_NAME}`,
  ].join('\n');
}
