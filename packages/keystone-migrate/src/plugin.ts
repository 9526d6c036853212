import { check, createMigration, deploy, isMigrateError, MigrateError, redactSecrets, status } from '@migrate-kit/migrate-core';
import { prompterFor } from '@migrate-kit/migrate-core/cli';
import { keystoneMigrateCli } from './cli.js';
import type { KeystoneConfigLike } from './load-keystone.js';
import { loadRuntimeSource } from './source.js';

export interface WithMigrationsOptions {
  /**
   * - `apply` (default): apply pending migrations before the server serves (the old
   *   `keystone start --with-migrations`);
   * - `verify`: refuse to start while migrations are pending or failed, naming the command to run;
   * - `off`: do nothing.
   */
  mode?: 'apply' | 'verify' | 'off';
  /**
   * Keystone's former `db.useMigrations`, for `keystone dev`: when the lists changed, generate the
   * next migration (named by `migrationName`, MIGRATE_KIT_MIGRATION_NAME, or a prompt) and apply
   * it, instead of a destructive `db push`.
   */
  useMigrations?: boolean;
  migrationName?: string;
  /** With `useMigrations`: generate and apply a migration that drops data without asking (MIGRATE_KIT_ACCEPT_DATA_LOSS=1, `keystone-migrate dev --accept-data-loss`). */
  acceptDataLoss?: boolean;
  /** The project folder (default: the working directory, where `keystone` runs). */
  cwd?: string;
  /** Where progress goes (default: console.log). */
  log?: (message: string) => void;
}

/**
 * Wraps a Keystone config so that migrations are dealt with when Keystone connects to the
 * database, before the GraphQL API and the Admin UI serve: `db.onConnect` runs inside
 * `keystone.connect()`, which `keystone start` and `keystone dev` await before listening.
 *
 * ```ts
 * export default withMigrations(config({ db: { ... }, lists }), { mode: 'apply' });
 * ```
 */
export function withMigrations<C extends KeystoneConfigLike>(config: C, options: WithMigrationsOptions = {}): C {
  const mode = options.mode ?? 'apply';
  if (mode === 'off' || !config.db) return config;
  const userOnConnect = config.db.onConnect;
  return {
    ...config,
    db: {
      ...config.db,
      async onConnect(context: unknown) {
        try {
          await migrateOnConnect(config, { ...options, mode });
        } catch (error) {
          throw readableInKeystone(error);
        }
        await userOnConnect?.(context);
      },
    },
  };
}

/** What withMigrations does at connect time; exported for tests and custom servers. */
export async function migrateOnConnect(config: KeystoneConfigLike, options: WithMigrationsOptions & { mode: 'apply' | 'verify' }): Promise<void> {
  const log = options.log ?? ((message: string) => console.log(message));
  warnAboutDbPush(log);
  const source = await loadRuntimeSource(config, options.cwd ?? process.cwd());

  if (options.useMigrations && isKeystoneDev()) {
    const drift = await check(source);
    if (!drift.upToDate) {
      log(`✨ Your lists changed:\n${drift.summary.trim()}`);
      const result = await createMigration(source, {
        name: options.migrationName ?? process.env.MIGRATE_KIT_MIGRATION_NAME,
        acceptDataLoss: options.acceptDataLoss ?? process.env.MIGRATE_KIT_ACCEPT_DATA_LOSS === '1',
        prompter: prompterFor({ stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env }),
      }).catch((error: unknown) => {
        throw withKeystoneDevHint(error);
      });
      if (result.created) log(`✨ Generated and applied migration ${result.created.name}`);
    }
  }

  if (options.mode === 'verify') {
    const report = await status(source);
    if (report.exitCode !== 0) {
      const pending = report.migrations.filter((m) => m.state === 'pending').map((m) => m.name);
      const failed = report.migrations.filter((m) => m.state === 'failed').map((m) => m.name);
      const interrupted = report.migrations.filter((m) => m.state === 'interrupted').map((m) => m.name);
      const inProgress = report.migrations.filter((m) => m.state === 'inProgress').map((m) => m.name);
      const why = [
        !report.hasMigrationsTable ? 'the database has no migrations table' : '',
        pending.length ? `pending: ${pending.join(', ')}` : '',
        failed.length ? `failed: ${failed.join(', ')}` : '',
        interrupted.length ? `interrupted, nothing of it applied: ${interrupted.join(', ')}` : '',
        inProgress.length ? `being applied by another process: ${inProgress.join(', ')}` : '',
        report.diverged ? 'the database history diverges from the migrations folder' : '',
      ].filter(Boolean);
      throw new MigrateError('MK_NOT_UP_TO_DATE', `Keystone will not start: the database is not up to date with the migrations (${why.join('; ')}).`, {
        hint: failed.length ? `Resolve the failed migration (keystone-migrate resolve), then run keystone-migrate deploy.` : 'Run `keystone-migrate deploy`, then start again.',
      });
    }
    log('✨ Database migrations verified');
    return;
  }

  const result = await deploy(source);
  log(result.applied.length === 0 ? '✨ No database migrations to apply' : `✨ Applied ${result.applied.length} migration(s): ${result.applied.map((m) => m.name).join(', ')}`);
}

/**
 * The hints of `migrate dev` name its flags (`--accept-data-loss`, `--create-only`), which
 * `keystone dev` does not take: inside it, they name what a Keystone project runs instead.
 * Test: test/keystone-dev-flags.test.ts.
 */
function withKeystoneDevHint(error: unknown): unknown {
  if (!isMigrateError(error)) return error;
  if (error.code === 'MK_NON_INTERACTIVE' && error.details?.flag === '--accept-data-loss') {
    return new MigrateError(error.code, error.message, {
      hint: 'Start it with `keystone-migrate dev --accept-data-loss` (or set MIGRATE_KIT_ACCEPT_DATA_LOSS=1), or run it in a terminal to be asked.',
      details: error.details,
      cause: error,
    });
  }
  if (error.code === 'MK_UNEXECUTABLE_STEPS') {
    return new MigrateError(error.code, error.message, {
      hint: 'Write the migration with `keystone-migrate create --name <name>`, edit it to address the issue(s), then start again with `keystone-migrate dev`.',
      cause: error,
    });
  }
  return error;
}

/**
 * Keystone prints what onConnect throws with `console.error(error)`: a MigrateError came out as
 * its stack and a dump of its fields. It is shown as keystone-migrate shows it: the code, the
 * message and the hint, with commands named as this CLI names them.
 * Test: test/plugin-runtime.test.ts ("verify's refusal reads as one message and the hint ...").
 */
export function readableInKeystone(error: unknown): unknown {
  if (!isMigrateError(error)) return error;
  const hint = error.hintFor((...operations) => {
    const path = operations.map((operation) => keystoneMigrateCli.verbs.find((verb) => verb.operation === operation)?.path).find(Boolean);
    return `keystone-migrate ${(path ?? [operations[0]]).join(' ')}`;
  });
  const text = redactSecrets(`Error: ${error.code}\n\n${error.message}${hint ? `\n\nHint: ${hint}` : ''}`);
  Object.defineProperty(error, Symbol.for('nodejs.util.inspect.custom'), { value: () => text, enumerable: false, configurable: true });
  return error;
}

function isKeystoneDev(): boolean {
  return process.argv.slice(2).includes('dev');
}

/** `keystone dev` pushes the schema before connecting unless told not to: with migrations, that push is the data loss they exist to avoid. */
function warnAboutDbPush(log: (message: string) => void): void {
  const args = process.argv.slice(2);
  if (args.includes('dev') && !args.includes('--no-db-push')) {
    log('⚠️  keystone dev pushed the schema to the database before migrations ran. With migrations, start it as `keystone dev --no-db-push` (or run `keystone-migrate dev`).');
  }
}
