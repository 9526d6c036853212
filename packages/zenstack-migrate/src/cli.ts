import { readFileSync } from 'node:fs';
import type { CliDefinition } from '@migrate-kit/migrate-core/cli';
import { runSeed } from './seed.js';
import { loadZenStackSource } from './source.js';
import { runProjectZen } from './zen-cli.js';

const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/**
 * `zen-migrate`: ZenStack v3's `migrate` and `db push` verbs with zen's flags, the ZModel turned
 * into a Prisma schema in memory and run on migrate-core. The verb table is the public face.
 */
export const zenMigrateCli: CliDefinition = {
  name: 'zen-migrate',
  version,
  description:
    "ZenStack's migrate and db push commands, in-process: no temporary schema file, no prisma CLI, no engine download. Every other zen command (generate, db pull, db seed, check, format, info, init, proxy) runs the project's own zen CLI (@zenstackhq/cli).",
  sourceFlags: [
    { flags: '--schema <file>', description: 'schema file (with extension .zmodel). Defaults to "zenstack/schema.zmodel" unless specified in package.json.' },
    // zen's help says "path that contains the migrations directory", but zen puts its temporary schema
    // in the path's parent, so Prisma uses <parent>/migrations: the same folder here (source.ts).
    { flags: '--migrations <path>', description: 'path of the migrations directory, as zen reads it: the "migrations" folder beside it (default: "migrations" beside the schema)' },
    { flags: '--no-version-check', description: 'accepted for compatibility with zen (no version check is made)' },
    { flags: '--random-prisma-schema-name', description: 'accepted for compatibility with zen (no temporary Prisma schema is written, so there is nothing to name)' },
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
    // Not a zen verb: the first step of baselining a database made by `db push` (the P3005 hint names it).
    { path: ['migrate', 'diff'], operation: 'diff', summary: 'Compare the database, the migrations folder or an empty schema, as a summary or a SQL script (not in zen; used to baseline)' },
    { path: ['migrate', 'baseline'], operation: 'baseline', summary: 'Start a migration history on a database made by db push: write the first migration, record it as applied (not in zen)' },
    // down migrations (not in zen)
    { path: ['migrate', 'down'], operation: 'down', summary: 'Roll back the last applied migration(s) with their down.sql (not in zen)' },
    { path: ['migrate', 'check'], operation: 'check', summary: 'Exit 1 when the migrations do not produce the current schema (for CI)' },
    { path: ['migrate', 'lint'], operation: 'lint', summary: 'Report what migrations do to existing data and running queries; exit 1 on an error-severity finding (not in zen)' },
    { path: ['migrate', 'hash'], operation: 'hash', summary: 'Rewrite migrations/migrate-kit.sum (the integrity file) after a deliberate edit of the migrations (not in zen)' },
    { path: ['migrate', 'cache'], operation: 'historyCache', summary: 'List or clear the history caches (replayed migrations kept on the database server)' },
    { path: ['db', 'push'], operation: 'push', summary: 'Push the state from your schema to your database' },
  ],
  passthrough: (argv) => runProjectZen(argv),
};
