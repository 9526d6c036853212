import { readFileSync } from 'node:fs';
import type { CliDefinition } from '@migrate-kit/migrate-core/cli';
import { runProjectPrisma } from './passthrough.js';
import { loadPrismaProjectSource } from './source.js';

const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const removedUrlFlag = (flag: string, direction: 'from' | 'to') => ({
  flag,
  takesValue: true,
  message: `\`${flag}\` was removed. Please use \`--${direction}-config-datasource\` in combination with a Prisma config file that contains the appropriate datasource instead.`,
});
const removedDatamodelFlag = (flag: string, direction: 'from' | 'to') => ({
  flag,
  takesValue: true,
  message: `\`${flag}\` was removed. Please use \`--${direction}-schema\` instead.`,
});

/**
 * `prisma-migrate`: Prisma 7's `migrate` and `db` verbs with Prisma's flags, on migrate-core;
 * everything else goes to the project's own `prisma` CLI. The verb table is the public face.
 */
export const prismaMigrateCli: CliDefinition = {
  name: 'prisma-migrate',
  version,
  description: "Prisma's migrate and db verbs without the native schema engine binary. Other commands run the project's prisma CLI.",
  sourceFlags: [
    { flags: '--schema <path>', description: 'Custom path to your Prisma schema (a file or a folder)' },
    { flags: '--config <path>', description: 'Custom path to your Prisma config file' },
    { flags: '--url <url>', description: 'Override the datasource URL from the Prisma config file' },
  ],
  loadSource: (flags) => loadPrismaProjectSource({ schema: flags.schema as string, config: flags.config as string, url: flags.url as string }),
  verbs: [
    { path: ['migrate', 'dev'], operation: 'createMigration', summary: 'Create a migration from changes in Prisma schema, apply it to the database' },
    { path: ['migrate', 'deploy'], operation: 'deploy', summary: 'Apply pending migrations to update the database schema in production/staging' },
    { path: ['migrate', 'status'], operation: 'status', summary: 'Check the status of your database migrations' },
    { path: ['migrate', 'resolve'], operation: 'resolve', summary: 'Resolve issues with database migrations, i.e. baseline, failed migration, hotfix' },
    { path: ['migrate', 'reset'], operation: 'reset', summary: 'Reset your database and apply all migrations, all data will be lost' },
    {
      path: ['migrate', 'diff'],
      operation: 'diff',
      summary: 'Compare the database schema from two arbitrary sources',
      omitFlags: ['--from-url', '--to-url'],
      rejectedFlags: [
        removedUrlFlag('--from-url', 'from'),
        removedUrlFlag('--to-url', 'to'),
        removedUrlFlag('--from-schema-datasource', 'from'),
        removedUrlFlag('--to-schema-datasource', 'to'),
        removedDatamodelFlag('--from-schema-datamodel', 'from'),
        removedDatamodelFlag('--to-schema-datamodel', 'to'),
        {
          flag: '--shadow-database-url',
          takesValue: true,
          message: '`--shadow-database-url` was removed. Please set `datasource.shadowDatabaseUrl` in your Prisma config file instead.',
        },
      ],
    },
    { path: ['migrate', 'baseline'], operation: 'baseline', summary: 'Start a migration history on a database made by db push: write the first migration, record it as applied (not in prisma)' },
    // down migrations (not in prisma)
    { path: ['migrate', 'down'], operation: 'down', summary: 'Roll back the last applied migration(s) with their down.sql (not in prisma)' },
    { path: ['migrate', 'check'], operation: 'check', summary: 'Exit 1 when the migrations do not produce the current schema (for CI)' },
    { path: ['migrate', 'lint'], operation: 'lint', summary: 'Report what migrations do to existing data and running queries; exit 1 on an error-severity finding (not in prisma)' },
    { path: ['migrate', 'hash'], operation: 'hash', summary: 'Rewrite migrations/migrate-kit.sum (the integrity file) after a deliberate edit of the migrations (not in prisma)' },
    { path: ['migrate', 'cache'], operation: 'historyCache', summary: 'List or clear the history caches (replayed migrations kept on the database server)' },
    { path: ['db', 'push'], operation: 'push', summary: 'Push the state from your Prisma schema to your database' },
    { path: ['db', 'pull'], operation: 'pull', summary: 'Pull the state from the database to the Prisma schema using introspection' },
    { path: ['db', 'execute'], operation: 'execute', summary: 'Execute native commands to your database' },
  ],
  passthrough: (argv) => runProjectPrisma(argv),
};
