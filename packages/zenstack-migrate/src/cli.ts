import { readFileSync } from 'node:fs';
import type { CliDefinition } from '@migrate-kit/migrate-core/cli';
import { runSeed } from './seed.js';
import { loadZenStackSource } from './source.js';

const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/**
 * `zen-migrate`: ZenStack v3's `migrate` and `db push` verbs with zen's flags, the ZModel turned
 * into a Prisma schema in memory and run on migrate-core. The verb table is the public face.
 */
export const zenMigrateCli: CliDefinition = {
  name: 'zen-migrate',
  version,
  description: "ZenStack's migrate and db push commands, in-process: no temporary schema file, no prisma CLI, no engine download.",
  sourceFlags: [
    { flags: '--schema <file>', description: 'schema file (with extension .zmodel). Defaults to "zenstack/schema.zmodel" unless specified in package.json.' },
    // zen's help says "path that contains the migrations directory", but zen puts its temporary schema
    // in the path's parent, so Prisma uses <parent>/migrations: the same folder whenever the path ends
    // in `migrations`, which is how it is used. Here the path is the migrations folder, whatever its name.
    { flags: '--migrations <path>', description: 'the migrations directory (default: "migrations" beside the schema)' },
    { flags: '--no-version-check', description: 'accepted for compatibility with zen (no version check is made)' },
  ],
  loadSource: (flags) => loadZenStackSource({ schema: flags.schema as string | undefined, migrations: flags.migrations as string | undefined }),
  verbs: [
    { path: ['migrate', 'dev'], operation: 'createMigration', summary: 'Create a migration from changes in schema and apply it to the database' },
    {
      path: ['migrate', 'reset'],
      operation: 'reset',
      summary: 'Reset your database and apply all migrations, all data will be lost',
      extraFlags: [{ flags: '--skip-seed', description: 'skip seeding the database after reset' }],
      afterRun: async ({ flags, ui }) => (flags.skipSeed ? 0 : runSeed(ui)),
    },
    { path: ['migrate', 'deploy'], operation: 'deploy', summary: 'Deploy your pending migrations to your production/staging database' },
    { path: ['migrate', 'status'], operation: 'status', summary: 'Check the status of your database migrations' },
    { path: ['migrate', 'resolve'], operation: 'resolve', summary: 'Resolve issues with database migrations in deployment databases' },
    { path: ['migrate', 'check'], operation: 'check', summary: 'Exit 1 when the migrations do not produce the current schema (for CI)' },
    { path: ['db', 'push'], operation: 'push', summary: 'Push the state from your schema to your database' },
  ],
};
