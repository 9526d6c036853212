import { resolveConnection } from '../engine/connection.js';
import { readMigrationsTable } from '../engine/migrations-table.js';
import { ErrorCodes, MigrateError } from '../errors.js';
import { assertLockFileProvider } from '../history/lock-file.js';
import { DOWN_FILE_NAME, readDownScript, readMigrationsFolder } from '../history/migrations-folder.js';
import type { Provider } from '../provider.js';
import type { SchemaSource } from '../source.js';
import { type LifecycleOptions, withSession } from './session.js';

export interface DownOptions {
  /** Roll back every applied migration after this one (it stays applied). */
  to?: string | undefined;
  /** How many of the last applied migrations to roll back (default 1). */
  steps?: number | undefined;
  /** Skip the confirmation. */
  force?: boolean | undefined;
}

export interface DownResult {
  /** The migrations rolled back, in the order their down.sql ran (the last applied first). */
  rolledBack: string[];
}

/**
 * `down`: runs the down.sql of the last applied migrations (one by default, `steps`, or all after
 * `to`), the last applied first, in one transaction (PostgreSQL, SQLite) under the migration lock,
 * and sets `rolled_back_at` on their rows of `_prisma_migrations`: status then shows them pending
 * and deploy applies them again (Prisma ignores a rolled-back row). Refuses, with nothing changed,
 * when a migration of the range has no down.sql. Asks first unless forced.
 */
export async function down(source: SchemaSource, options: DownOptions & LifecycleOptions = {}): Promise<DownResult> {
  const range = await migrationsToRollBack(source, options);
  const scripts = range.map((name) => ({ name, script: readDownScript(source.migrationsDir, name) }));
  const missing = scripts.filter((s) => s.script === undefined).map((s) => s.name);
  if (missing.length) {
    throw new MigrateError(ErrorCodes.downScriptMissing, `Cannot roll back: ${missing.map((n) => `\`${n}\``).join(', ')} ${missing.length === 1 ? 'has' : 'have'} no ${DOWN_FILE_NAME}. Nothing was rolled back.`, {
      hint: `Write ${missing.map((n) => `${n}/${DOWN_FILE_NAME}`).join(', ')} by hand (the SQL that undoes the migration), or roll back fewer migrations with --steps or --to.`,
      details: { missing },
    });
  }
  return withSession(source, options, async (session) => {
    if (!options.force) {
      const ok = await session.prompter.confirm({
        message: `Roll back ${range.length === 1 ? 'the migration' : `${range.length} migrations`} ${range.join(', ')}? What ${range.length === 1 ? 'it' : 'they'} added to the database, data included, will be lost.`,
        flag: '--force',
      });
      if (!ok) throw new MigrateError(ErrorCodes.cancelled, 'Rollback cancelled.', { exitCode: 130 });
    }
    await session.holdMigrationLock();
    const datasource = `datasource db {\n  provider = "${source.provider}"\n}\n`;
    const execute = (script: string) =>
      session.engine.dbExecute({ script, datasourceType: { tag: 'schema', files: [{ path: 'datasource.prisma', content: datasource }], configDir: source.baseDir } });
    const script = rollbackScript(source.provider, scripts as { name: string; script: string }[]);
    try {
      await execute(script);
    } catch (error) {
      // SQLite leaves the explicit transaction open where the script stopped: undo it before the connection closes.
      if (source.provider === 'sqlite') await execute('ROLLBACK;').catch(() => undefined);
      throw error;
    }
    return { rolledBack: range };
  });
}

/**
 * The applied migrations to roll back, the last applied first, read from `_prisma_migrations` in
 * the engine's order (`started_at`), before the session: the rows are read with the plain driver,
 * which SQLite's exclusive lock would keep out once the engine holds it. The UPDATE that marks them
 * is guarded, so a concurrent deploy or down in between cannot mark a row twice.
 */
async function migrationsToRollBack(source: SchemaSource, options: DownOptions): Promise<string[]> {
  if (options.to !== undefined && options.steps !== undefined) {
    throw new MigrateError(ErrorCodes.usage, 'Pass either --to or --steps, not both.');
  }
  if (options.steps !== undefined && (!Number.isInteger(options.steps) || options.steps < 1)) {
    throw new MigrateError(ErrorCodes.usage, `--steps must be a whole number of at least 1 (got ${options.steps}).`);
  }
  assertLockFileProvider(readMigrationsFolder(source.migrationsDir).lockFile, source.provider);
  const rows = (await readMigrationsTable(resolveConnection(source))) ?? [];
  const failed = rows.filter((r) => !r.finished && !r.rolledBack).map((r) => r.name);
  if (failed.length) {
    throw new MigrateError('P3009', `The migration${failed.length === 1 ? '' : 's'} ${failed.join(', ')} failed: resolve ${failed.length === 1 ? 'it' : 'them'} before rolling anything back.`, {
      hint: (command) => `Mark it with \`${command('resolve')} --rolled-back ${failed[0]}\` (or \`--applied\`) first.`,
    });
  }
  const applied = [...new Set(rows.filter((r) => r.finished && !r.rolledBack).map((r) => r.name))];
  if (applied.length === 0) {
    throw new MigrateError(ErrorCodes.nothingToRollBack, 'No applied migration to roll back.', { hint: (command) => `See what is applied with ${command('status')}.` });
  }
  if (options.to !== undefined) {
    const index = applied.lastIndexOf(options.to);
    if (index < 0) {
      throw new MigrateError(ErrorCodes.nothingToRollBack, `--to names \`${options.to}\`, which is not an applied migration.`, {
        hint: `Name one of the applied migrations: ${applied.slice(-5).join(', ')}.`,
      });
    }
    if (index === applied.length - 1) throw new MigrateError(ErrorCodes.nothingToRollBack, `\`${options.to}\` is the last applied migration: nothing after it to roll back.`);
    return applied.slice(index + 1).reverse();
  }
  const steps = options.steps ?? 1;
  if (steps > applied.length) {
    throw new MigrateError(ErrorCodes.nothingToRollBack, `--steps ${steps} asks for more migrations than are applied (${applied.length}).`, { hint: `Pass --steps ${applied.length} to roll back every one.` });
  }
  return applied.slice(-steps).reverse();
}

/**
 * The down scripts, the last applied first, and the rows marked rolled back, as one transaction.
 *
 * PostgreSQL: sent as one simple query (engine/adapters/postgres.ts), which the server runs as one
 * implicit transaction; the engine's own `BEGIN;`/`COMMIT;` around an enum change (its AlterEnum
 * steps) are left out, since a COMMIT there would end that transaction half way.
 * SQLite: an explicit transaction, with foreign keys off around it as Prisma's own table
 * redefinitions need (the pragma cannot change inside a transaction).
 * Test: test/down-migrations.test.ts.
 */
export function rollbackScript(provider: Provider, scripts: { name: string; script: string }[]): string {
  const names = scripts.map((s) => `'${s.name.replace(/'/g, "''")}'`).join(', ');
  const now = provider === 'sqlite' ? "strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now')" : 'now()';
  const mark = `UPDATE "_prisma_migrations" SET "rolled_back_at" = ${now} WHERE "migration_name" IN (${names}) AND "finished_at" IS NOT NULL AND "rolled_back_at" IS NULL;`;
  const bodies = scripts.map((s) => `-- down: ${s.name}\n${provider === 'sqlite' ? s.script : withoutTransactionControl(s.script)}`);
  if (provider === 'sqlite') return `PRAGMA foreign_keys=OFF;\nBEGIN;\n${bodies.join('\n')}\n${mark}\nCOMMIT;\nPRAGMA foreign_keys=ON;\n`;
  return `${bodies.join('\n')}\n${mark}\n`;
}

function withoutTransactionControl(script: string): string {
  return script.replace(/^[ \t]*(BEGIN|COMMIT)[ \t]*;[ \t]*$/gim, '');
}
