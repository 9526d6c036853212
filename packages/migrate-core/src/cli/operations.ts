import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { ErrorCodes, MigrateError } from '../errors.js';
import { type IntegrityResult, type RecordedByDevelopment, SUM_FILE_NAME } from '../history/integrity-file.js';
import { readMigrationsFolder } from '../history/migrations-folder.js';
import { baselineSteps } from '../lifecycle/baseline-advice.js';
import { formatBytes } from '../lint/format-bytes.js';
import type { LintFinding } from '../lint/lint-scripts.js';
import type { DiffSide } from '../lifecycle/diff.js';
import type { LintResult } from '../lifecycle/lint.js';
import type { AppliedMigration } from '../lifecycle/session.js';
import type { UnsupportedColumn } from '../lifecycle/unsupported-columns.js';
import { extractDatasource } from '../schema/datasource.js';
import { readPrismaSchema } from '../schema/load.js';
import type { SchemaSource } from '../source.js';
import { formatMs, type Ui } from './ui.js';
import { downOperation, runCheckDown } from './down-operations.js';
import { driftCheckIfAsked, FAIL_ON_DRIFT_FLAG } from './drift-output.js';

// Each operation imports the lifecycle module it runs when it runs: a command loads only its own
// (all of them at start-up cost every command ~20 ms, bench/RESULTS.md).

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
  /** A word after the verb (`cache list`), handed to run() as `flags[key]`. */
  argument?: { name: string; description: string; choices: string[]; default: string; key: string };
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
  | 'pull'
  | 'check'
  | 'execute'
  | 'historyCache'
  | 'baseline'
  | 'hash'
  | 'lint'
  | 'down';

/** Prisma's notice when a migrate command created the database it was pointed at. */
const announceCreated = (ui: Ui) => (name: string) => ui.say(`PostgreSQL database ${name} created.\n`);

function appliedList(ui: Ui, dir: string, applied: AppliedMigration[]): void {
  ui.say(`\n${relative(process.cwd(), dir) || '.'}/`);
  for (const m of applied) ui.say(`  └─ ${m.name}/ ${ui.colors.dim(`(${formatMs(m.durationMs)})`)}\n    └─ migration.sql`);
}

/** Why `dev` wrote a migration for an unchanged schema with Unsupported columns (lifecycle/unsupported-columns.ts). */
function unsupportedColumnsNotice(columns: readonly UnsupportedColumn[]): string {
  const named = columns.map((c) => `"${c.table}"."${c.column}" (${c.type})`).join(', ');
  return `The new migration only re-creates or alters ${columns.length === 1 ? 'a column' : 'columns'} of a type Prisma does not support, already in the migration history: ${named}. The schema engine cannot compare such types exactly, so every \`dev\` writes a migration like this one (Prisma's native engine does the same); it sets the type the column already has.`;
}

/** Said by every verb that recovers a migration a stopped process left interrupted (PostgreSQL). */
function warnInterruptedRolledBack(ui: Ui, names: readonly string[]): void {
  for (const name of names) {
    ui.warn(ui.colors.yellow(`⚠️  The migration \`${name}\` was interrupted by a process that stopped before it committed: nothing of it had been applied. It was marked rolled back and applied again.`));
  }
}

/** Said by status, check, dev and create when the folder does not match migrate-kit.sum. */
function warnIntegrity(ui: Ui, integrity: IntegrityResult, commandFor: OperationContext['commandFor']): void {
  if (integrity.state !== 'mismatch') return;
  ui.warn(ui.colors.red(`The migrations folder does not match ${SUM_FILE_NAME}:`));
  for (const problem of integrity.problems) ui.warn(`  • ${problem}`);
  ui.warn(`\n${commandFor('deploy')} refuses to apply the folder until this is fixed; ${commandFor('hash')} accepts the folder as it is.`);
}

function noteRecordedByDevelopment(ui: Ui, recorded: RecordedByDevelopment): void {
  const names = (list: readonly string[]) => list.map((n) => `\`${n}\``).join(', ');
  if (recorded.edits.length) ui.say(ui.colors.dim(`${SUM_FILE_NAME} now records your edit of ${names(recorded.edits)}.`));
  if (recorded.additions.length) {
    ui.say(ui.colors.dim(`${SUM_FILE_NAME} now records ${names(recorded.additions)}, which it did not list yet (a dev stopped before recording it, or a migration added by hand) and which this run applied first.`));
  }
}

function noteDownScriptSkipped(ui: Ui, reason: string | undefined): void {
  if (reason) ui.warn(ui.colors.yellow(`No down.sql was written for the new migration (the engine could not compute it: ${reason}). Write one by hand if you need to roll it back with down.`));
}

const createMigrationOperation: Operation = {
  flags: [
    { flags: '-n, --name <name>', description: 'Name of the new migration' },
    { flags: '--create-only', description: 'Create the migration without applying it' },
    { flags: '--accept-data-loss', description: 'Answer yes to the data-loss question' },
  ],
  async run({ flags, loadSource, ui, commandFor }) {
    const source = await loadSource();
    const { createMigration } = await import('../lifecycle/create-migration.js');
    const result = await createMigration(source, { onDatabaseCreated: announceCreated(ui),
      name: flags.name as string | undefined,
      createOnly: Boolean(flags.createOnly),
      acceptDataLoss: Boolean(flags.acceptDataLoss),
      prompter: ui.prompter,
      onProgress: ui.progress,
    });
    warnInterruptedRolledBack(ui, result.interruptedRolledBack);
    if (result.appliedPending.length) {
      ui.say('The following migration(s) have been applied:');
      appliedList(ui, source.migrationsDir, result.appliedPending);
    }
    for (const w of result.warnings) ui.warn(ui.colors.yellow(`⚠️  ${w}`));
    if (result.unsupportedColumnsRecreated.length) ui.warn(ui.colors.yellow(`⚠️  ${unsupportedColumnsNotice(result.unsupportedColumnsRecreated)}`));
    noteDownScriptSkipped(ui, result.downScriptSkipped);
    let lintJson: Record<string, unknown> = {};
    if (result.created && !result.created.applied) {
      ui.say(`Created the migration ${ui.colors.bold(result.created.name)} without applying it.\n\nYou can now edit it and apply it by running ${commandFor('createMigration')}.`);
      ui.say(ui.colors.dim(`If you edit it, the ${commandFor('createMigration')} that applies it records the edit in ${SUM_FILE_NAME} (elsewhere, ${commandFor('hash')} does).`));
      lintJson = await lintWrittenMigration(source, result.created.name, ui, commandFor);
    } else if (result.created?.applied) {
      ui.say('\nThe following migration(s) have been created and applied from new schema changes:');
      appliedList(ui, source.migrationsDir, [result.created.applied]);
      ui.say(`\n${ui.colors.green('Your database is now in sync with your schema.')}`);
    } else if (result.appliedPending.length) {
      ui.say(`\n${ui.colors.green('Your database is now in sync with your schema.')}`);
    } else {
      ui.say(ui.colors.green('Already in sync, no schema change or pending migration was found.'));
    }
    noteRecordedByDevelopment(ui, result.integrityRecorded);
    warnIntegrity(ui, result.integrity, commandFor);
    return { exitCode: 0, json: { ...result, ...lintJson } };
  },
};

/**
 * Lints a migration create/`dev --create-only` just wrote, before anyone applies it: findings are
 * printed, never fatal. Table sizes are not asked (the development database says nothing about
 * production's).
 */
async function lintWrittenMigration(source: SchemaSource, name: string, ui: Ui, commandFor: OperationContext['commandFor']): Promise<Record<string, unknown>> {
  try {
    const { lint } = await import('../lifecycle/lint.js');
    const result = await lint(source, { migrations: [name], live: false });
    if (result.findings.length) {
      ui.say(`\n${ui.colors.yellow('Lint findings for the new migration')} (${commandFor('lint')} checks it again; \`-- migrate-kit-lint-ignore <rule>\` above a statement accepts one):`);
      printLintFindings(ui, result.findings);
    }
    return { lint: { findings: result.findings, counts: result.counts } };
  } catch (error) {
    ui.warn(ui.colors.yellow(`Could not lint the new migration: ${(error as Error).message}`));
    return { lint: { error: (error as Error).message } };
  }
}

const deployOperation: Operation = {
  flags: [
    { flags: '--dry-run', description: 'Print the migrations deploy would apply, in order, and change nothing' },
    // Drift check (cli/drift-output.ts).
    { flags: '--check-drift', description: 'After applying, compare the database with the schema snapshot of its last migration and list what differs' },
    FAIL_ON_DRIFT_FLAG,
  ],
  async run({ flags, loadSource, ui, commandFor }) {
    const source = await loadSource();
    // Read once: printed here before anything is applied, then handed to deploy.
    const folder = readMigrationsFolder(source.migrationsDir);
    const found = folder.migrations.length;
    ui.say(`${found === 0 ? 'No migration found' : `${found} migration${found === 1 ? '' : 's'} found`} in ${relative(process.cwd(), source.migrationsDir) || '.'}\n`);
    if (flags.dryRun) return dryRunDeploy(source, folder, ui, commandFor);
    const { deploy } = await import('../lifecycle/deploy.js');
    const result = await deploy(source, { folder, onDatabaseCreated: announceCreated(ui), onProgress: ui.progress });
    for (const name of result.edited) ui.warn(ui.colors.yellow(`⚠️  The migration \`${name}\` was modified after it was applied.`));
    warnInterruptedRolledBack(ui, result.interruptedRolledBack);
    if (result.applied.length === 0) ui.say(ui.colors.green('No pending migrations to apply.'));
    else {
      ui.say('The following migration(s) have been applied:');
      appliedList(ui, source.migrationsDir, result.applied);
      ui.say(`\n${ui.colors.green('All migrations have been successfully applied.')}`);
    }
    // Drift check (cli/drift-output.ts): after applying, on the folder deploy applied.
    const drift = await driftCheckIfAsked(Boolean(flags.checkDrift), { flags, ui, commandFor }, source, folder);
    return { exitCode: drift?.exitCode ?? 0, json: { ...result, ...(drift ? { drift: drift.report } : {}) } };
  },
};

async function dryRunDeploy(source: SchemaSource, folder: ReturnType<typeof readMigrationsFolder>, ui: Ui, commandFor: OperationContext['commandFor']): Promise<Outcome> {
  const { planDeploy } = await import('../lifecycle/deploy.js');
  const plan = await planDeploy(source, folder);
  const c = ui.colors;
  for (const name of plan.edited) ui.warn(c.yellow(`⚠️  The migration \`${name}\` was modified after it was applied.`));
  let exitCode = 0;
  if (plan.needsBaseline) {
    exitCode = 1;
    ui.say(c.red('Deploy would stop: the database has tables but no migration history (P3005).'));
    ui.say(`\n${baselineSteps((op) => commandFor(op as OperationName), source.migrationsDir, folder.migrations[0]?.name)}`);
  } else if (plan.failed.length) {
    exitCode = 1;
    ui.say(c.red(`Deploy would stop at the failed migration${plan.failed.length === 1 ? '' : 's'} ${plan.failed.join(', ')} (P3009) and apply nothing.`));
    ui.say(`\nResolve ${plan.failed.length === 1 ? 'it' : 'them'} first with ${commandFor('resolve')} --rolled-back or --applied.`);
  } else if (plan.pending.length === 0) ui.say(c.green('No pending migrations to apply.'));
  else {
    ui.say(`The following migration${plan.pending.length === 1 ? '' : 's'} would be applied, in this order:\n`);
    for (const name of plan.pending) ui.say(`  ${name}`);
  }
  let lintJson: Record<string, unknown> = {};
  if (plan.pending.length) {
    // What the pending migrations would do to this database's tables (lint with their live sizes); never fatal here.
    try {
      const { lint } = await import('../lifecycle/lint.js');
      const result = await lint(source, { migrations: plan.pending, folder });
      if (result.findings.length) {
        ui.say(`\n${c.yellow('Lint findings for the pending migrations')} (${lintSummary(result)}):`);
        printLintFindings(ui, result.findings);
      }
      lintJson = { lint: { findings: result.findings, counts: result.counts, tableSizes: result.tableSizes } };
    } catch (error) {
      ui.warn(c.yellow(`Could not lint the pending migrations: ${(error as Error).message}`));
    }
  }
  ui.say(c.dim('\nDry run: nothing was changed.'));
  return { exitCode, json: { dryRun: true, ...plan, ...lintJson } };
}

const statusOperation: Operation = {
  flags: [
    // Drift check (cli/drift-output.ts).
    { flags: '--drift', description: 'Also compare the database with the schema snapshot of its last applied migration and list what differs' },
    FAIL_ON_DRIFT_FLAG,
  ],
  async run({ flags, loadSource, ui, commandFor }) {
    const source = await loadSource();
    const { status } = await import('../lifecycle/status.js');
    const report = await status(source);
    const c = ui.colors;
    const n = report.migrations.length;
    ui.say(`${n === 0 ? 'No migration found' : `${n} migration${n === 1 ? '' : 's'} found`} in ${relative(process.cwd(), source.migrationsDir) || '.'}\n`);
    const byState = (s: string) => report.migrations.filter((m) => m.state === s).map((m) => m.name);
    const failed = byState('failed');
    const interrupted = byState('interrupted');
    const inProgress = byState('inProgress');
    const pending = byState('pending');
    if (report.needsBaseline) {
      ui.say(c.yellow('The current database is not managed by Prisma Migrate.'));
      ui.say('It has tables, but no migration history (no `_prisma_migrations` table).');
      ui.say(`\n${baselineSteps((op) => commandFor(op as OperationName), source.migrationsDir, report.migrations[0]?.name)}\n\nRead more about how to baseline an existing production database: https://pris.ly/d/migrate-baseline`);
    } else if (!report.hasMigrationsTable && n === 0) {
      // An empty database (nothing to baseline) and no migration: Prisma's pending advice has nothing to list.
      ui.say(c.yellow('The database is empty and there is no migration yet.'));
      ui.say(`\nCreate the first migration with ${commandFor('createMigration', 'draftMigration')}.`);
    } else if (report.diverged) {
      ui.say(c.red('Your local migration history and the migrations table from your database are different:'));
      ui.say(`\nThe last common migration is: ${report.diverged.lastCommonMigration ?? '(none)'}`);
      if (pending.length) ui.say(`\nThe migration${pending.length === 1 ? ' has' : 's have'} not yet been applied:\n${pending.join('\n')}`);
      ui.say(`\nThe migration${report.missing.length === 1 ? '' : 's'} from the database are not found locally in ${relative(process.cwd(), source.migrationsDir)}:\n${report.missing.join('\n')}`);
    } else if (failed.length || interrupted.length || inProgress.length) {
      if (failed.length) {
        ui.say(c.red(`Following migration${failed.length === 1 ? '' : 's'} have failed:\n${failed.join('\n')}`));
        ui.say(`\nThe failed migration(s) can be marked as rolled back or applied:\n\n- If you rolled back the migration(s) manually:\n${commandFor('resolve')} --rolled-back "${failed[0]}"\n\n- If you fixed the database manually (hotfix):\n${commandFor('resolve')} --applied "${failed[0]}"`);
      }
      // Never `--applied` here: nothing of these committed, or they are still running.
      if (interrupted.length) {
        ui.say(c.yellow(`${failed.length ? '\n' : ''}Following migration${interrupted.length === 1 ? ' was' : 's were'} interrupted before ${interrupted.length === 1 ? 'its' : 'their'} script committed (the process applying ${interrupted.length === 1 ? 'it' : 'them'} stopped), so nothing of ${interrupted.length === 1 ? 'it' : 'them'} was applied:\n${interrupted.join('\n')}`));
        ui.say(`\nTo apply ${interrupted.length === 1 ? 'it' : 'them'} again run ${commandFor('deploy')} (in development ${commandFor('createMigration', 'applyDevelopment')}); no \`resolve\` is needed.`);
      }
      if (inProgress.length) {
        ui.say(c.yellow(`${failed.length || interrupted.length ? '\n' : ''}Following migration${inProgress.length === 1 ? ' is' : 's are'} being applied right now by another process (it holds the migration lock):\n${inProgress.join('\n')}`));
        ui.say(`\nRun ${commandFor('status')} again when it has finished.`);
      }
      if (!failed.length && pending.length) ui.say(c.yellow(`\nFollowing migration${pending.length === 1 ? ' has' : 's have'} not yet been applied:\n${pending.join('\n')}`));
    } else if (pending.length) {
      ui.say(c.yellow(`Following migration${pending.length === 1 ? '' : 's'} have not yet been applied:\n${pending.join('\n')}`));
      if (report.migrationLockHeld) ui.say(c.yellow(`\nA migration command is running right now (another process holds the migration lock): it may be applying ${pending.length === 1 ? 'it' : 'the first of them'}.`));
      ui.say(`\nTo apply migrations in development run ${commandFor('createMigration', 'applyDevelopment')}.\nTo apply migrations in production run ${commandFor('deploy')}.`);
    } else {
      if (report.missing.length) ui.say(c.yellow(`The following migration(s) are applied to the database but missing from the local migrations directory: ${report.missing.join(', ')}\n`));
      ui.say(c.green('Database schema is up to date!'));
    }
    for (const name of byState('edited')) ui.warn(c.yellow(`⚠️  The migration \`${name}\` was modified after it was applied.`));
    warnIntegrity(ui, report.integrity, commandFor);
    // Drift check (cli/drift-output.ts).
    const drift = await driftCheckIfAsked(Boolean(flags.drift), { flags, ui, commandFor }, source);
    return { exitCode: Math.max(report.exitCode, drift?.exitCode ?? 0), json: { ...report, ...(drift ? { drift: drift.report } : {}) } };
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
    const { resolve } = await import('../lifecycle/resolve.js');
    const result = await resolve(source, { applied: flags.applied as string | undefined, rolledBack: flags.rolledBack as string | undefined, onProgress: ui.progress });
    ui.say(`Migration ${result.migration} marked as ${result.markedAs === 'applied' ? 'applied' : 'rolled back'}.`);
    return { exitCode: 0, json: { ...result } };
  },
};

const resetOperation: Operation = {
  flags: [{ flags: '-f, --force', description: 'Skip the confirmation prompt' }],
  async run({ flags, loadSource, ui }) {
    const source = await loadSource();
    const { reset } = await import('../lifecycle/reset.js');
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
    const { push } = await import('../lifecycle/push.js');
    const result = await push(source, { onDatabaseCreated: announceCreated(ui), acceptDataLoss: Boolean(flags.acceptDataLoss), forceReset: Boolean(flags.forceReset), prompter: ui.prompter, onProgress: ui.progress });
    if (result.reset) ui.say('The database was successfully reset.');
    if (result.executedSteps === 0 && !result.reset) ui.say('The database is already in sync with the Prisma schema.');
    else ui.say(ui.colors.green(`🚀  Your database is now in sync with your Prisma schema. Done in ${formatMs(performance.now() - started)}`));
    return { exitCode: 0, json: { ...result } };
  },
};

const pullOperation: Operation = {
  flags: [
    { flags: '--force', description: 'Ignore current Prisma schema file' },
    { flags: '--print', description: 'Print the introspected Prisma schema to stdout' },
    { flags: '--schemas <names>', description: 'The database schemas to introspect, comma-separated (overrides the datasource `schemas`)' },
  ],
  async run({ flags, loadSource, ui }) {
    const started = performance.now();
    const source = await loadSource();
    const schemas = typeof flags.schemas === 'string' ? flags.schemas.split(',').map((name) => name.trim()).filter(Boolean) : undefined;
    const { pull } = await import('../lifecycle/pull.js');
    const result = await pull(source, { force: Boolean(flags.force), schemas });
    if (flags.print) {
      // As `prisma db pull --print`: the schema alone on stdout (each file under a `// path` line when
      // there are several), the warnings on stderr as comments.
      if (!ui.json) process.stdout.write(printedSchema(result.files));
      if (result.warnings) ui.warn(`// ${result.warnings.trim().replace(/\n/g, '\n// ')}`);
      return { exitCode: 0, json: { ...result, written: false } };
    }
    for (const file of result.replaced) rmSync(file, { force: true });
    for (const file of result.files) {
      mkdirSync(dirname(file.path), { recursive: true });
      writeFileSync(file.path, file.content);
    }
    const n = result.modelsCount;
    const where = relative(process.cwd(), result.files.length === 1 ? result.files[0]!.path : source.schemaPath) || '.';
    ui.say(`✔ Introspected ${n} ${n === 1 ? 'model and wrote it' : 'models and wrote them'} into ${where} in ${formatMs(performance.now() - started)}`);
    if (result.warnings) ui.warn(ui.colors.yellow(result.warnings.trim()));
    ui.say('\nRun `prisma generate` to generate Prisma Client.');
    return { exitCode: 0, json: { ...result, written: true } };
  },
};

function printedSchema(files: readonly { path: string; content: string }[]): string {
  if (files.length === 1) return `${files[0]!.content}\n`;
  return [...files]
    .sort((a, b) => a.path.localeCompare(b.path))
    .map((f) => `// ${relative(process.cwd(), f.path)}\n${f.content}\n`)
    .join('');
}

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
  const source = await loadSource();
  if (!source.url) {
    throw new MigrateError(ErrorCodes.missingUrl, `--${direction}-config-datasource needs a datasource url in the configuration.`, {
      hint: source.missingUrlHint ?? 'Set datasource.url in prisma.config.ts (or DATABASE_URL).',
    });
  }
  return { kind: 'url', url: source.url };
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
    const { diff } = await import('../lifecycle/diff.js');
    const result = await diff({
      from,
      to,
      script: Boolean(flags.script),
      provider,
      url: source?.url ?? (flags.url as string | undefined),
      shadowDatabaseUrl: source?.shadowDatabaseUrl,
      baseDir: source?.baseDir ?? process.cwd(),
      filter: source?.filter,
      missingUrlHint: source?.missingUrlHint,
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
  flags: [{ flags: '--down', description: "Check each migration's down.sql by a round trip on the shadow database" }],
  async run(ctx) {
    if (ctx.flags.down) return runCheckDown(ctx);
    const { loadSource, ui, commandFor } = ctx;
    const source = await loadSource();
    const { check } = await import('../lifecycle/check.js');
    const result = await check(source);
    if (result.upToDate) ui.say(ui.colors.green('The migrations are up to date with the schema.'));
    else {
      ui.say(ui.colors.red('The migrations folder does not produce the current schema. Missing from the migrations:'));
      ui.say(result.summary);
      ui.say(`\nCreate the missing migration with ${commandFor('createMigration', 'draftMigration')}.`);
    }
    warnIntegrity(ui, result.integrity, commandFor);
    return { exitCode: result.upToDate && result.integrity.state !== 'mismatch' ? 0 : 1, json: { ...result } };
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
    const { execute } = await import('../lifecycle/execute.js');
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
  flags: [
    { flags: '-n, --name <name>', description: 'Name of the migration' },
    { flags: '--accept-data-loss', description: 'Write the migration even when it drops data or cannot run on the rows of the development database' },
  ],
  async run({ flags, loadSource, ui, commandFor }) {
    const source = await loadSource();
    const { draftMigration } = await import('../lifecycle/draft-migration.js');
    const result = await draftMigration(source, {
      name: flags.name as string | undefined,
      sanitizeName: keystoneMigrationName,
      acceptDataLoss: Boolean(flags.acceptDataLoss),
      prompter: ui.prompter,
    });
    if (!result.created) {
      ui.say('✨ Database unchanged from Prisma schema');
      warnIntegrity(ui, result.integrity, commandFor);
      return { exitCode: 0, json: { ...result } };
    }
    ui.say(`${result.summary}
`);
    if (result.warnings.length) ui.say(`${ui.colors.yellow('⚠️  Warnings for the current datasource:')}\n\n${result.warnings.map((w) => `  • ${w}`).join('\n')}\n`);
    ui.say(`✨ Generated SQL migration at ${relative(process.cwd(), result.created.path)}`);
    noteDownScriptSkipped(ui, result.downScriptSkipped);
    ui.say(ui.colors.dim(`Apply it with ${commandFor('applyDevelopment')}.`));
    const lintJson = await lintWrittenMigration(source, result.created.name, ui, commandFor);
    warnIntegrity(ui, result.integrity, commandFor);
    return { exitCode: 0, json: { ...result, ...lintJson } };
  },
};

const applyDevelopmentOperation: Operation = {
  flags: [{ flags: '-f, --force', description: 'Reset the database without asking when it has drifted from the migrations' }],
  async run({ flags, loadSource, ui }) {
    const source = await loadSource();
    const { applyDevelopment } = await import('../lifecycle/apply-development.js');
    const result = await applyDevelopment(source, { onDatabaseCreated: announceCreated(ui), force: Boolean(flags.force), prompter: ui.prompter, onProgress: ui.progress });
    if (result.resetReason !== undefined) ui.warn(ui.colors.yellow(`The database was reset: ${result.resetReason}`));
    warnInterruptedRolledBack(ui, result.interruptedRolledBack);
    if (result.applied.length === 0) ui.say('✨ No database migrations to apply');
    else {
      appliedList(ui, source.migrationsDir, result.applied);
      ui.say('\n✨ Database migrated');
    }
    noteRecordedByDevelopment(ui, result.integrityRecorded);
    return { exitCode: 0, json: { ...result } };
  },
};

const historyCacheOperation: Operation = {
  flags: [{ flags: '--all', description: "With clear: drop every cache on the server (other projects' too), not only this database's" }],
  argument: { name: '[action]', description: 'list (the default) or clear', choices: ['list', 'clear'], default: 'list', key: 'action' },
  async run({ flags, loadSource, ui }) {
    const source = await loadSource();
    const action = flags.action === 'clear' ? 'clear' : 'list';
    const { historyCache } = await import('../lifecycle/history-cache.js');
    const result = await historyCache(source, action, { all: Boolean(flags.all) });
    if (!result.applies) {
      ui.say('SQLite keeps no history cache: the migrations are replayed in memory.');
      return { exitCode: 0, json: { ...result } };
    }
    if (action === 'clear') ui.say(`${result.cleared.length} history cache${result.cleared.length === 1 ? '' : 's'} dropped.`);
    if (result.caches.length === 0) {
      if (action === 'list') ui.say('No history cache on this server.');
    } else {
      ui.say(`History caches on this server (replayed migrations kept to make dev, check and diff fast; MIGRATE_KIT_HISTORY_CACHE=off turns them off):`);
      for (const c of result.caches) {
        const size = c.sizeBytes === null ? 'size unknown' : `${(c.sizeBytes / 1024 / 1024).toFixed(1)} MB`;
        const kept = c.keptAt ? new Date(c.keptAt).toISOString() : 'unknown';
        const owner = c.databaseExists ? `database "${c.database}"${c.schema ? `, schema "${c.schema}"` : ''}` : `database "${c.database}" (gone: dropped at the next run)`;
        ui.say(`  ${c.name}  ${owner}, ${c.migrations} migration${c.migrations === 1 ? '' : 's'}, ${size}, kept ${kept}`);
      }
    }
    return { exitCode: 0, json: { ...result } };
  },
};

const baselineOperation: Operation = {
  flags: [{ flags: '-n, --name <name>', description: 'Name of the baseline migration (default: init)' }],
  async run({ flags, loadSource, ui, commandFor }) {
    const source = await loadSource();
    const { baseline } = await import('../lifecycle/baseline.js');
    const result = await baseline(source, { name: flags.name as string | undefined, onProgress: ui.progress });
    const n = result.tables.length;
    ui.say(`The database matches the schema (${n} table${n === 1 ? '' : 's'}).`);
    ui.say(`\nWrote the first migration from the schema, and recorded it as applied without running it:`);
    ui.say(`\n${relative(process.cwd(), source.migrationsDir) || '.'}/\n  └─ ${result.migration}/\n    └─ migration.sql`);
    if (result.createdMigrationsTable) ui.say(ui.colors.dim('\n(`_prisma_migrations` was created to record it.)'));
    ui.say(`\n${ui.colors.green('The database is now managed by migrations.')} Commit the migrations folder; from here on, ${commandFor('createMigration', 'draftMigration')} writes the next migration and ${commandFor('deploy')} applies the history elsewhere.`);
    return { exitCode: 0, json: { ...result } };
  },
};

const hashOperation: Operation = {
  flags: [],
  async run({ loadSource, ui }) {
    const source = await loadSource();
    const { hash } = await import('../lifecycle/hash.js');
    const result = await hash(source);
    const n = result.migrations.length;
    if (result.previous.state === 'mismatch') {
      ui.say('Accepted the migrations folder as it is now, in place of what the integrity file recorded:');
      for (const problem of result.previous.problems) ui.say(`  • ${problem}`);
      ui.say('');
    }
    ui.say(`${result.previous.state === 'absent' ? 'Wrote' : 'Rewrote'} ${relative(process.cwd(), result.path)} (${n} migration${n === 1 ? '' : 's'}). Commit it with the migrations.`);
    return { exitCode: 0, json: { ...result } };
  },
};

function describeTableSize(f: LintFinding): string | undefined {
  const size = f.tableSize;
  if (!size) return undefined;
  if (!size.exists) return `table "${f.table}" is not in the database yet`;
  const rows = size.rows === null ? 'row count unknown (never analyzed)' : `${size.estimated ? '~' : ''}${size.rows} row${size.rows === 1 ? '' : 's'}${size.estimated ? ' (estimate)' : ''}`;
  return `table "${f.table}": ${rows}${size.bytes === null ? '' : `, ${formatBytes(size.bytes)}`}`;
}

/** Prints lint findings grouped by migration (lint, and after create/dev --create-only and deploy --dry-run). */
export function printLintFindings(ui: Ui, findings: readonly LintFinding[]): void {
  const c = ui.colors;
  const color = { error: c.red, warning: c.yellow, info: c.dim } as const;
  let file: string | undefined;
  for (const f of findings) {
    if (f.file !== file) {
      file = f.file;
      ui.say(`\n${c.bold(f.file)}`);
    }
    ui.say(`  ${f.line}  ${color[f.severity](f.severity.padEnd(7))} ${f.rule}  ${f.message}`);
    ui.say(c.dim(`      fix: ${f.fix}`));
    const size = describeTableSize(f);
    if (size) ui.say(c.dim(`      ${size}${f.severityReason ? `: ${f.severityReason}` : ''}`));
  }
}

function lintSummary(result: LintResult): string {
  const { error, warning, info, ignored } = result.counts;
  const n = result.migrations.length;
  return `${n} migration${n === 1 ? '' : 's'} linted: ${error} error${error === 1 ? '' : 's'}, ${warning} warning${warning === 1 ? '' : 's'}, ${info} info${ignored ? `, ${ignored} ignored` : ''}.`;
}

const lintOperation: Operation = {
  flags: [
    { flags: '--all', description: 'Lint every migration (default: the newest)' },
    { flags: '--since <name>', description: 'Lint the migrations after this one (e.g. the last one deployed)' },
    { flags: '--offline', description: 'Do not ask the database for table sizes' },
  ],
  async run({ flags, loadSource, ui }) {
    const source = await loadSource();
    const { lint } = await import('../lifecycle/lint.js');
    const result = await lint(source, { all: Boolean(flags.all), since: flags.since as string | undefined, live: !flags.offline });
    if (result.migrations.length === 0) ui.say('No migration to lint.');
    printLintFindings(ui, result.findings);
    ui.say(`${result.findings.length ? '\n' : ''}${lintSummary(result)}`);
    if (result.tableSizes.state === 'unknown' && result.findings.some((f) => f.table)) ui.say(ui.colors.dim(`Table sizes not checked: ${result.tableSizes.reason}; severities are the rules' own.`));
    return { exitCode: result.counts.error > 0 ? 1 : 0, json: { ...result } };
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
  pull: pullOperation,
  check: checkOperation,
  execute: executeOperation,
  historyCache: historyCacheOperation,
  baseline: baselineOperation,
  hash: hashOperation,
  lint: lintOperation,
  down: downOperation,
};
