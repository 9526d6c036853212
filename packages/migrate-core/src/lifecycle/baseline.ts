import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { resolveConnection } from '../engine/connection.js';
import type { DiffTarget } from '../engine/engine.js';
import { readMigrationsTable, readUserTableNames, SQLITE_MIGRATIONS_TABLE } from '../engine/migrations-table.js';
import { ErrorCodes, MigrateError } from '../errors.js';
import { SUM_FILE_NAME } from '../history/integrity-file.js';
import { assertLockFileProvider, LOCK_FILE_NAME } from '../history/lock-file.js';
import { migrationTimestamp, sanitizeMigrationName } from '../history/migration-name.js';
import { readMigrationsFolder, withMigration, writeMigration } from '../history/migrations-folder.js';
import type { SchemaSource } from '../source.js';
import { describeTarget } from './dev-diagnostic.js';
import { type LifecycleOptions, type Session, withSession } from './session.js';

/** The name of the baseline migration when none is given (`<timestamp>_init`, as a first `migrate dev --name init`). */
export const DEFAULT_BASELINE_NAME = 'init';

export interface BaselineOptions {
  /** The migration's name (slugified as `migrate dev --name` is); `init` by default. */
  name?: string | undefined;
}

export interface BaselineResult {
  /** The migration folder written and recorded as applied, e.g. `20260101120000_init`. */
  migration: string;
  /** Its migration.sql. */
  path: string;
  /** The tables the database held (what the migration creates), `_prisma_migrations` aside. */
  tables: string[];
  /** Whether `_prisma_migrations` was created (it did not exist yet). */
  createdMigrationsTable: boolean;
}

/**
 * `baseline`: starts a migration history on a database made without one (`db push`, `keystone
 * dev`), in one step. Writes the schema's first migration (what `diff --from-empty --to-schema
 * --script` renders) with the lock file, and records it as applied without running it (as
 * `resolve --applied` does, creating `_prisma_migrations`). Refuses, changing nothing, when the
 * migrations folder has migrations, when the database is empty or already has a migration
 * history, and when the live database does not match the schema (the difference is in the error).
 * The migration lock is held from the comparison to the recording, so no concurrent deploy or
 * baseline slips in between.
 */
export async function baseline(source: SchemaSource, options: BaselineOptions & LifecycleOptions = {}): Promise<BaselineResult> {
  const name = sanitizeMigrationName(options.name ?? DEFAULT_BASELINE_NAME);
  if (!name) throw new MigrateError(ErrorCodes.usage, 'The baseline migration needs a name made of letters or digits.', { hint: 'Pass --name <name>, e.g. --name init.' });
  const folder = readMigrationsFolder(source.migrationsDir);
  assertLockFileProvider(folder.lockFile, source.provider);
  if (folder.migrations.length > 0) throw migrationsExistError(source, folder.migrations[0]!.name);
  const connection = resolveConnection(source);
  if (connection.provider === 'sqlite' && !existsSync(connection.file)) throw emptyDatabaseError();
  // Read with the plain driver before the engine opens (it holds a SQLite file exclusively); undefined when unreadable, and the engine says why.
  const rows = await readMigrationsTable(connection);
  if (rows?.some((r) => !r.rolledBack)) throw historyExistsError(rows.filter((r) => !r.rolledBack).length);
  const tables = await readUserTableNames(connection, source.filter?.externalTables);
  if (tables?.length === 0) throw emptyDatabaseError();

  return withSession(source, { ...options, folder }, async (session) => {
    await session.holdMigrationLock(); // reads the folder again: another process may have written a migration meanwhile
    if (session.folder.migrations.length > 0) throw migrationsExistError(source, session.folder.migrations[0]!.name);
    await assertDatabaseMatchesSchema(session);
    const script = await diffToSchema(session, { tag: 'empty' }, true);
    const migration = `${migrationTimestamp()}_${name}`;
    const sumPath = join(source.migrationsDir, SUM_FILE_NAME);
    const sumBefore = existsSync(sumPath) ? readFileSync(sumPath, 'utf8') : null;
    const path = writeMigration(source.migrationsDir, migration, script.text, source.provider);
    try {
      const createdMigrationsTable = rows === undefined;
      if (createdMigrationsTable && connection.provider === 'sqlite') await createSqliteMigrationsTable(session);
      await session.engine.markMigrationApplied({ migrationName: migration, migrationsList: session.migrationList(withMigration(session.folder, migration, script.text)) });
      return { migration, path, tables: tables ?? [], createdMigrationsTable };
    } catch (error) {
      // Nothing recorded: the folder goes back to what it was (empty, or no folder at all).
      rmSync(dirname(path), { recursive: true, force: true });
      if (folder.lockFile === null) rmSync(join(source.migrationsDir, LOCK_FILE_NAME), { force: true });
      if (sumBefore === null) rmSync(join(source.migrationsDir, SUM_FILE_NAME), { force: true });
      else writeFileSync(join(source.migrationsDir, SUM_FILE_NAME), sumBefore, 'utf8');
      throw error;
    }
  });
}

/** The live database, through the connection the session's engine was opened with (the Wasm engine has no URL target). */
function liveDatabase(session: Session): DiffTarget {
  const datasource = `datasource db {\n  provider = "${session.source.provider}"\n}\n`;
  return { tag: 'schemaDatasource', files: [{ path: 'datasource.prisma', content: datasource }], configDir: session.source.baseDir };
}

async function diffToSchema(session: Session, from: DiffTarget, script: boolean): Promise<{ text: string; empty: boolean }> {
  const to: DiffTarget = { tag: 'schemaDatamodel', files: session.schema().files };
  const result = await session.engine.diff({ from, to, script, exitCode: true, filters: session.filters });
  return { text: (result.stdout ?? '').trim(), empty: result.exitCode === 0 };
}

/** MK_BASELINE_MISMATCH, with what the schema has that the database has not, as a summary and as SQL. */
async function assertDatabaseMatchesSchema(session: Session): Promise<void> {
  const summary = await diffToSchema(session, liveDatabase(session), false);
  if (summary.empty) return;
  const script = await diffToSchema(session, liveDatabase(session), true);
  throw new MigrateError(
    ErrorCodes.baselineMismatch,
    `The ${describeTarget(session)} does not match the Prisma schema, so a first migration written from the schema would not describe it. Nothing was written or recorded.\n\nWhat it takes the database to the schema:\n${summary.text}\n\nAs SQL:\n${script.text}`,
    {
      hint: (command) =>
        `Make them match first: change the schema to describe the database, or bring the database to the schema (\`${command('push')}\`, or the SQL above), then run \`${command('baseline')}\` again.`,
      details: { summary: summary.text, script: script.text },
    },
  );
}

/**
 * Why: the Wasm engine's SQLite connector (8.1) does not create `_prisma_migrations` in
 * markMigrationApplied (engine/migrations-table.ts, createSqliteMigrationsTable). Created here
 * through the engine's own connection, which holds the file's exclusive lock, with the engine's statement.
 * Test: test/baseline-verb.test.ts ("... on sqlite").
 */
async function createSqliteMigrationsTable(session: Session): Promise<void> {
  const { files, configDir } = liveDatabase(session) as Extract<DiffTarget, { tag: 'schemaDatasource' }>;
  await session.engine.dbExecute({ script: SQLITE_MIGRATIONS_TABLE, datasourceType: { tag: 'schema', files, configDir } });
}

function migrationsExistError(source: SchemaSource, first: string): MigrateError {
  const dir = relative(process.cwd(), source.migrationsDir) || '.';
  return new MigrateError(ErrorCodes.migrationsFolder, `The migrations folder ${dir} already has migrations (the first is "${first}"): baseline writes the first migration, so it only runs with no migration yet. Nothing was changed.`, {
    hint: (command) =>
      `If the database holds what "${first}" creates, record it as applied instead: \`${command('resolve')} --applied "${first}"\`. To baseline from the schema, move the migrations out of ${dir} first.`,
  });
}

function emptyDatabaseError(): MigrateError {
  return new MigrateError(ErrorCodes.emptyDatabase, 'The database is empty: there is nothing to baseline. Nothing was changed.', {
    hint: (command) => `Create and apply the first migration with \`${command('createMigration', 'draftMigration')}\`, or apply the existing migrations with \`${command('deploy')}\`.`,
  });
}

function historyExistsError(applied: number): MigrateError {
  return new MigrateError(
    ErrorCodes.hasMigrationHistory,
    `The database already has a migration history (${applied} migration${applied === 1 ? '' : 's'} recorded in \`_prisma_migrations\`): it needs no baseline. Nothing was changed.`,
    { hint: (command) => `Restore its migrations folder, then see where it stands with \`${command('deploy').replace(/deploy$/, 'status')}\`.` },
  );
}
