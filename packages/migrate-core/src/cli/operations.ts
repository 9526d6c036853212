import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { ErrorCodes, MigrateError } from '../errors.js';
import { applyDevelopment } from '../lifecycle/apply-development.js';
import { check } from '../lifecycle/check.js';
import { createMigration } from '../lifecycle/create-migration.js';
import { deploy } from '../lifecycle/deploy.js';
import { draftMigration } from '../lifecycle/draft-migration.js';
import { execute } from '../lifecycle/execute.js';
import { type DiffSide, diff } from '../lifecycle/diff.js';
import { push } from '../lifecycle/push.js';
import { reset } from '../lifecycle/reset.js';
import { resolve } from '../lifecycle/resolve.js';
import type { AppliedMigration } from '../lifecycle/session.js';
import { status } from '../lifecycle/status.js';
import { readMigrationsFolder } from '../history/migrations-folder.js';
import { readPrismaSchema } from '../schema/load.js';
import { extractDatasource } from '../schema/datasource.js';
import type { SchemaSource } from '../source.js';
import { formatMs, type Ui } from './ui.js';

/** A flag in commander's syntax, e.g. `-n, --name <name>`. */
export interface FlagDefinition {
  flags: string;
  description: string;
}

/** What an operation returns to the CLI: the exit code and the `--json` document. */
export interface Outcome {
  exitCode: number;
  json: Record<string, unknown>;
}

export interface OperationContext {
  flags: Record<string, unknown>;
  /** Loads the adapter's schema source (lazily: `diff` may not need one). */
  loadSource(): Promise<SchemaSource>;
  ui: Ui;
  /**
   * The CLI's own name for a verb, for hints (`prisma-migrate migrate reset`): the first of the
   * operations the CLI has a verb for (keystone-migrate creates with draftMigration and applies in
   * development with applyDevelopment, where Prisma's `migrate dev` does both).
   */
  commandFor(...operations: OperationName[]): string;
}

export interface Operation {
  flags: FlagDefinition[];
  run(ctx: OperationContext): Promise<Outcome>;
}

export type OperationName =
  | 'createMigration'
  | 'draftMigration'
  | 'applyDevelopment'
  | 'deploy'
  | 'status'
  | 'resolve'
  | 'reset'
  | 'diff'
  | 'push'
  | 'check'
  | 'execute';

/** Prisma's notice when a migrate command created the database it was pointed at. */
const announceCreated = (ui: Ui) => (name: string) => ui.say(`PostgreSQL database ${name} created.\n`);

function appliedList(ui: Ui, dir: string, applied: AppliedMigration[]): void {
  ui.say(`\n${relative(process.cwd(), dir) || '.'}/`);
  for (const m of applied) ui.say(`  └─ ${m.name}/ ${ui.colors.dim(`(${formatMs(m.durationMs)})`)}\n    └─ migration.sql`);
}

const createMigrationOperation: Operation = {
  flags: [
    { flags: '-n, --name <name>', description: 'Name of the new migration' },
    { flags: '--create-only', description: 'Create the migration without applying it' },
    { flags: '--accept-data-loss', description: 'Answer yes to the data-loss question' },
  ],
  async run({ flags, loadSource, ui, commandFor }) {
    const source = await loadSource();
    const result = await createMigration(source, { onDatabaseCreated: announceCreated(ui),
      name: flags.name as string | undefined,
      createOnly: Boolean(flags.createOnly),
      acceptDataLoss: Boolean(flags.acceptDataLoss),
      prompter: ui.prompter,
      onProgress: ui.progress,
    });
    if (result.appliedPending.length) {
      ui.say('The following migration(s) have been applied:');
      appliedList(ui, source.migrationsDir, result.appliedPending);
    }
    for (const w of result.warnings) ui.warn(ui.colors.yellow(`⚠️  ${w}`));
    if (result.created && !result.created.applied) {
      ui.say(`Created the migration ${ui.colors.bold(result.created.name)} without applying it.\n\nYou can now edit it and apply it by running ${commandFor('createMigration')}.`);
    } else if (result.created?.applied) {
      ui.say('\nThe following migration(s) have been created and applied from new schema changes:');
      appliedList(ui, source.migrationsDir, [result.created.applied]);
      ui.say(`\n${ui.colors.green('Your database is now in sync with your schema.')}`);
    } else if (result.appliedPending.length) {
      ui.say(`\n${ui.colors.green('Your database is now in sync with your schema.')}`);
    } else {
      ui.say(ui.colors.green('Already in sync, no schema change or pending migration was found.'));
    }
    return { exitCode: 0, json: { ...result } };
  },
};

const deployOperation: Operation = {
  flags: [],
  async run({ loadSource, ui }) {
    const source = await loadSource();
    // Read once: printed here before anything is applied, then handed to deploy.
    const folder = readMigrationsFolder(source.migrationsDir);
    const found = folder.migrations.length;
    ui.say(`${found === 0 ? 'No migration found' : `${found} migration${found === 1 ? '' : 's'} found`} in ${relative(process.cwd(), source.migrationsDir) || '.'}\n`);
    const result = await deploy(source, { folder, onDatabaseCreated: announceCreated(ui), onProgress: ui.progress });
    for (const name of result.edited) ui.warn(ui.colors.yellow(`⚠️  The migration \`${name}\` was modified after it was applied.`));
    for (const name of result.interruptedRolledBack) {
      ui.warn(ui.colors.yellow(`⚠️  The migration \`${name}\` was interrupted by a process that stopped before it committed: nothing of it had been applied. It was marked rolled back and applied again.`));
    }
    if (result.applied.length === 0) ui.say(ui.colors.green('No pending migrations to apply.'));
    else {
      ui.say('The following migration(s) have been applied:');
      appliedList(ui, source.migrationsDir, result.applied);
      ui.say(`\n${ui.colors.green('All migrations have been successfully applied.')}`);
    }
    return { exitCode: 0, json: { ...result } };
  },
};

const statusOperation: Operation = {
  flags: [],
  async run({ loadSource, ui, commandFor }) {
    const source = await loadSource();
    const report = await status(source);
    const c = ui.colors;
    const n = report.migrations.length;
    ui.say(`${n === 0 ? 'No migration found' : `${n} migration${n === 1 ? '' : 's'} found`} in ${relative(process.cwd(), source.migrationsDir) || '.'}\n`);
    const byState = (s: string) => report.migrations.filter((m) => m.state === s).map((m) => m.name);
    const failed = byState('failed');
    const pending = byState('pending');
    if (!report.hasMigrationsTable) {
      ui.say(c.yellow('The current database is not managed by Prisma Migrate.'));
      if (n > 0) ui.say(`\nIf you want to keep the current database structure and data and create new migrations, baseline this database with the migration "${report.migrations[0]!.name}":\n${commandFor('resolve')} --applied "${report.migrations[0]!.name}"`);
    } else if (report.diverged) {
      ui.say(c.red('Your local migration history and the migrations table from your database are different:'));
      ui.say(`\nThe last common migration is: ${report.diverged.lastCommonMigration ?? '(none)'}`);
      if (pending.length) ui.say(`\nThe migration${pending.length === 1 ? ' has' : 's have'} not yet been applied:\n${pending.join('\n')}`);
      ui.say(`\nThe migration${report.missing.length === 1 ? '' : 's'} from the database are not found locally in ${relative(process.cwd(), source.migrationsDir)}:\n${report.missing.join('\n')}`);
    } else if (failed.length) {
      ui.say(c.red(`Following migration${failed.length === 1 ? '' : 's'} have failed:\n${failed.join('\n')}`));
      ui.say(`\nThe failed migration(s) can be marked as rolled back or applied:\n\n- If you rolled back the migration(s) manually:\n${commandFor('resolve')} --rolled-back "${failed[0]}"\n\n- If you fixed the database manually (hotfix):\n${commandFor('resolve')} --applied "${failed[0]}"`);
    } else if (pending.length) {
      ui.say(c.yellow(`Following migration${pending.length === 1 ? '' : 's'} have not yet been applied:\n${pending.join('\n')}`));
      ui.say(`\nTo apply migrations in development run ${commandFor('createMigration', 'applyDevelopment')}.\nTo apply migrations in production run ${commandFor('deploy')}.`);
    } else {
      if (report.missing.length) ui.say(c.yellow(`The following migration(s) are applied to the database but missing from the local migrations directory: ${report.missing.join(', ')}\n`));
      ui.say(c.green('Database schema is up to date!'));
    }
    for (const name of byState('edited')) ui.warn(c.yellow(`⚠️  The migration \`${name}\` was modified after it was applied.`));
    return { exitCode: report.exitCode, json: { ...report } };
  },
};

const resolveOperation: Operation = {
  flags: [
    { flags: '--applied <name>', description: 'Record a migration as applied' },
    { flags: '--rolled-back <name>', description: 'Record a failed migration as rolled back' },
  ],
  async run({ flags, loadSource, ui }) {
    if (flags.applied === undefined && flags.rolledBack === undefined) {
      throw new MigrateError(ErrorCodes.usage, '--applied or --rolled-back must be part of the command.', {
        hint: 'e.g. --applied 20201231000000_example, or --rolled-back 20201231000000_example',
      });
    }
    const source = await loadSource();
    const result = await resolve(source, { applied: flags.applied as string | undefined, rolledBack: flags.rolledBack as string | undefined });
    ui.say(`Migration ${result.migration} marked as ${result.markedAs === 'applied' ? 'applied' : 'rolled back'}.`);
    return { exitCode: 0, json: { ...result } };
  },
};

const resetOperation: Operation = {
  flags: [{ flags: '-f, --force', description: 'Skip the confirmation prompt' }],
  async run({ flags, loadSource, ui }) {
    const source = await loadSource();
    const result = await reset(source, { onDatabaseCreated: announceCreated(ui), force: Boolean(flags.force), prompter: ui.prompter, onProgress: ui.progress });
    ui.say(ui.colors.green('Database reset successful'));
    if (result.applied.length) {
      ui.say('\nThe following migration(s) have been applied:');
      appliedList(ui, source.migrationsDir, result.applied);
    }
    return { exitCode: 0, json: { ...result } };
  },
};

const pushOperation: Operation = {
  flags: [
    { flags: '--accept-data-loss', description: 'Ignore data loss warnings' },
    { flags: '--force-reset', description: 'Reset the database before pushing' },
  ],
  async run({ flags, loadSource, ui }) {
    const started = performance.now();
    const source = await loadSource();
    const result = await push(source, { onDatabaseCreated: announceCreated(ui), acceptDataLoss: Boolean(flags.acceptDataLoss), forceReset: Boolean(flags.forceReset), prompter: ui.prompter });
    if (result.reset) ui.say('The database was successfully reset.');
    if (result.executedSteps === 0 && !result.reset) ui.say('The database is already in sync with the Prisma schema.');
    else ui.say(ui.colors.green(`🚀  Your database is now in sync with your Prisma schema. Done in ${formatMs(performance.now() - started)}`));
    return { exitCode: 0, json: { ...result } };
  },
};

const SIDES = ['empty', 'schema', 'migrations', 'url', 'configDatasource'] as const;
const flagWord = (kind: string) => kind.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const flagKey = (direction: string, kind: string) => `${direction}${kind[0]!.toUpperCase()}${kind.slice(1)}`;

async function diffSide(flags: Record<string, unknown>, direction: 'from' | 'to', loadSource: () => Promise<SchemaSource>): Promise<DiffSide> {
  const given = SIDES.filter((k) => flags[flagKey(direction, k)] !== undefined);
  if (given.length !== 1) {
    throw new MigrateError(ErrorCodes.usage, `${given.length} \`--${direction}-...\` parameter(s) provided. 1 must be provided.`, {
      hint: `Use one of ${SIDES.map((k) => `--${direction}-${flagWord(k)}`).join(', ')}.`,
    });
  }
  const kind = given[0]!;
  const value = flags[flagKey(direction, kind)];
  if (kind === 'empty') return { kind };
  if (kind === 'schema') return { kind, files: extractDatasource(readPrismaSchema(String(value))).files };
  if (kind === 'migrations') return { kind, dir: String(value) };
  if (kind === 'url') return { kind, url: String(value) };
  const { url } = await loadSource();
  if (!url) throw new MigrateError(ErrorCodes.missingUrl, `--${direction}-config-datasource needs a datasource url in the configuration.`, { hint: 'Set datasource.url in prisma.config.ts (or DATABASE_URL).' });
  return { kind: 'url', url };
}

const diffOperation: Operation = {
  flags: [
    ...SIDES.flatMap((k) =>
      (['from', 'to'] as const).map((d) => ({
        flags: k === 'empty' || k === 'configDatasource' ? `--${d}-${flagWord(k)}` : `--${d}-${k} <${k === 'url' ? 'url' : 'path'}>`,
        description: `${d === 'from' ? 'Start' : 'End'} from ${
          { empty: 'an empty schema', url: 'a live database', schema: 'a Prisma schema', migrations: 'a migrations folder', configDatasource: 'the configured datasource (a live database)' }[k]
        }`,
      })),
    ),
    { flags: '--script', description: 'Render a SQL script instead of a summary' },
    { flags: '--exit-code', description: 'Exit 2 when there are differences, 0 when none (1 on error)' },
    { flags: '-o, --output <file>', description: 'Write the result to a file instead of stdout' },
  ],
  async run({ flags, loadSource, ui }) {
    const from = await diffSide(flags, 'from', loadSource);
    const to = await diffSide(flags, 'to', loadSource);
    const source = await loadSource().catch(() => undefined);
    const provider =
      source?.provider ??
      [from, to].map((s) => (s.kind === 'schema' ? extractProvider(s) : s.kind === 'url' ? (s.url.startsWith('file:') ? 'sqlite' : 'postgresql') : undefined)).find(Boolean);
    if (!provider) {
      throw new MigrateError(ErrorCodes.usage, 'Could not tell which database provider the diff is for.', { hint: 'Pass --schema <file> so that its datasource provider is used.' });
    }
    const result = await diff({
      from,
      to,
      script: Boolean(flags.script),
      provider,
      url: source?.url ?? (flags.url as string | undefined),
      shadowDatabaseUrl: source?.shadowDatabaseUrl,
      baseDir: source?.baseDir ?? process.cwd(),
      filter: source?.filter,
    });
    const text = result.text.endsWith('\n') ? result.text : `${result.text}\n`;
    if (flags.output) {
      mkdirSync(dirname(String(flags.output)), { recursive: true });
      writeFileSync(String(flags.output), text);
    } else if (!ui.json) process.stdout.write(text);
    return { exitCode: flags.exitCode && !result.empty ? 2 : 0, json: { ...result } };
  },
};

function extractProvider(side: Extract<DiffSide, { kind: 'schema' }>) {
  try {
    return extractDatasource(side.files).datasource.provider;
  } catch {
    return undefined;
  }
}

const checkOperation: Operation = {
  flags: [],
  async run({ loadSource, ui, commandFor }) {
    const source = await loadSource();
    const result = await check(source);
    if (result.upToDate) ui.say(ui.colors.green('The migrations are up to date with the schema.'));
    else {
      ui.say(ui.colors.red('The migrations folder does not produce the current schema. Missing from the migrations:'));
      ui.say(result.summary);
      ui.say(`\nCreate the missing migration with ${commandFor('createMigration', 'draftMigration')}.`);
    }
    return { exitCode: result.upToDate ? 0 : 1, json: { ...result } };
  },
};

const executeOperation: Operation = {
  flags: [
    { flags: '--file <path>', description: 'Path to a file with the script to run' },
    { flags: '--stdin', description: 'Read the script from stdin' },
  ],
  async run({ flags, loadSource, ui }) {
    if (Boolean(flags.file) === Boolean(flags.stdin)) {
      throw new MigrateError(ErrorCodes.usage, 'Either --stdin or --file must be provided, and not both.', { hint: 'e.g. db execute --file ./script.sql' });
    }
    let script: string;
    try {
      script = flags.file ? readFileSync(String(flags.file), 'utf8') : await readStdin();
    } catch (error) {
      throw new MigrateError(ErrorCodes.usage, `Could not read the script: ${(error as Error).message}`, { hint: 'Check the path given to --file.' });
    }
    const source = await loadSource();
    await execute(source, script);
    ui.say('Script executed successfully.');
    return { exitCode: 0, json: { executed: true } };
  },
};

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Keystone's migration names: letters, digits and underscores, at most 200 characters. */
export function keystoneMigrationName(name: string): string {
  return name.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 200);
}

const draftMigrationOperation: Operation = {
  flags: [{ flags: '-n, --name <name>', description: 'Name of the migration' }],
  async run({ flags, loadSource, ui, commandFor }) {
    const source = await loadSource();
    const result = await draftMigration(source, { name: flags.name as string | undefined, sanitizeName: keystoneMigrationName, prompter: ui.prompter });
    if (!result.created) {
      ui.say('✨ Database unchanged from Prisma schema');
      return { exitCode: 0, json: { ...result } };
    }
    ui.say(`${result.summary}
`);
    ui.say(`✨ Generated SQL migration at ${relative(process.cwd(), result.created.path)}`);
    ui.say(ui.colors.dim(`Apply it with ${commandFor('applyDevelopment')}.`));
    return { exitCode: 0, json: { ...result } };
  },
};

const applyDevelopmentOperation: Operation = {
  flags: [{ flags: '-f, --force', description: 'Reset the database without asking when it has drifted from the migrations' }],
  async run({ flags, loadSource, ui }) {
    const source = await loadSource();
    const result = await applyDevelopment(source, { onDatabaseCreated: announceCreated(ui), force: Boolean(flags.force), prompter: ui.prompter, onProgress: ui.progress });
    if (result.resetReason !== undefined) ui.warn(ui.colors.yellow(`The database was reset: ${result.resetReason}`));
    if (result.applied.length === 0) ui.say('✨ No database migrations to apply');
    else {
      appliedList(ui, source.migrationsDir, result.applied);
      ui.say('\n✨ Database migrated');
    }
    return { exitCode: 0, json: { ...result } };
  },
};

/** Every lifecycle operation with its flags and its human output; adapters name them in their verb tables. */
export const operations: Record<OperationName, Operation> = {
  createMigration: createMigrationOperation,
  draftMigration: draftMigrationOperation,
  applyDevelopment: applyDevelopmentOperation,
  deploy: deployOperation,
  status: statusOperation,
  resolve: resolveOperation,
  reset: resetOperation,
  diff: diffOperation,
  push: pushOperation,
  check: checkOperation,
  execute: executeOperation,
};
