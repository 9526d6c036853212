import { readFileSync } from 'node:fs';
import type { CliDefinition } from '@migrate-kit/migrate-core/cli';
import { runKeystoneDev } from './dev.js';
import { loadKeystoneSource } from './source.js';

const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/**
 * `keystone-migrate`: the migration verbs Keystone users knew (`keystone migrate create|apply`,
 * `start --with-migrations`), named as they were, reading keystone.ts directly.
 */
export const keystoneMigrateCli: CliDefinition = {
  name: 'keystone-migrate',
  version,
  description: 'Migrations for Keystone 6 (8.x), generated from keystone.ts and applied in-process.',
  sourceFlags: [{ flags: '--entry <path>', description: 'The Keystone config (default: ./keystone.ts or ./keystone.js)' }],
  loadSource: (flags) => loadKeystoneSource({ entry: flags.entry as string | undefined }),
  verbs: [
    // Keystone's own spellings as aliases: `migrate generate|deploy|check` (the upcoming docs), `migrate create|apply` (6.1-7).
    {
      path: ['create'],
      aliases: [['migrate', 'generate'], ['migrate', 'create']],
      operation: 'draftMigration',
      summary: 'Generate a migration from changes in your lists (does not apply it)',
    },
    { path: ['apply'], aliases: [['migrate', 'apply']], operation: 'applyDevelopment', summary: 'Apply pending migrations to the development database (asks before a reset)' },
    {
      path: ['deploy'],
      aliases: [['migrate', 'deploy']],
      operation: 'deploy',
      summary: 'Apply pending migrations, non-interactively (production, CI; `keystone start --with-migrations --no-server`)',
    },
    { path: ['status'], operation: 'status', summary: 'Show applied, pending, failed and missing migrations' },
    { path: ['check'], aliases: [['migrate', 'check']], operation: 'check', summary: 'Exit 1 when the migrations are not up to date with the lists (for CI)' },
    // down migrations
    { path: ['down'], aliases: [['migrate', 'down']], operation: 'down', summary: 'Roll back the last applied migration(s) with their down.sql' },
    { path: ['resolve'], operation: 'resolve', summary: 'Record a migration as applied or rolled back' },
    { path: ['reset'], operation: 'reset', summary: 'Drop the database and re-apply every migration, all data will be lost' },
    { path: ['diff'], operation: 'diff', summary: 'Compare two schema sources (migrations, schema, live database)' },
    { path: ['cache'], operation: 'historyCache', summary: 'List or clear the history caches (replayed migrations kept on the database server)' },
    { path: ['baseline'], aliases: [['migrate', 'baseline']], operation: 'baseline', summary: 'Start migrations on a database made by keystone dev: write the first migration, record it as applied' },
    { path: ['lint'], aliases: [['migrate', 'lint']], operation: 'lint', summary: 'Report what migrations do to existing data and running queries; exit 1 on an error-severity finding' },
    { path: ['hash'], aliases: [['migrate', 'hash']], operation: 'hash', summary: 'Rewrite migrations/migrate-kit.sum (the integrity file) after a deliberate edit of the migrations' },
    { path: ['push'], operation: 'push', summary: "Push the lists to the database without a migration (what keystone dev does)" },
    {
      path: ['dev'],
      operation: 'applyDevelopment',
      summary: 'Apply pending migrations, then run `keystone dev --no-db-push`',
      // Every flag the plugin's messages name for a migration it generates at start (withMigrations({ useMigrations: true })).
      extraFlags: [
        { flags: '-n, --name <name>', description: 'Name for a migration generated at start (with withMigrations({ useMigrations: true }))' },
        { flags: '--accept-data-loss', description: 'Answer yes when a migration generated at start drops data (with withMigrations({ useMigrations: true }))' },
      ],
      afterRun: ({ flags, ui }) =>
        ui.json ? Promise.resolve(0) : runKeystoneDev(process.cwd(), [], { migrationName: flags.name as string | undefined, acceptDataLoss: Boolean(flags.acceptDataLoss) }),
    },
  ],
};
