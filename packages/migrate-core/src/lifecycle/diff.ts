import type { DiffTarget } from '../engine/engine.js';
import { type Connection, resolveConnection, sqliteFile } from '../engine/connection.js';
import { assertSqliteFileExists } from '../engine/sqlite-file.js';
import { runPendingCleanups } from '../engine/cleanup.js';
import { openEngine } from '../engine/wasm-engine.js';
import { ErrorCodes, MigrateError } from '../errors.js';
import { assertLockFileProvider, renderLockFile } from '../history/lock-file.js';
import { readMigrationsFolder, toEngineMigrationList } from '../history/migrations-folder.js';
import { extensionsCreatedBy, historyScripts, withoutExtensionsAlreadyThere } from '../schema/extensions.js';
import { assertSupportedProvider, type Provider } from '../provider.js';
import { EMPTY_FILTER, type SchemaFile, type SchemaFilter, type SchemaSource } from '../source.js';

/** One side of a diff. */
export type DiffSide =
  | { kind: 'empty' }
  | { kind: 'schema'; files: SchemaFile[] }
  | { kind: 'migrations'; dir: string }
  | { kind: 'url'; url: string };

export interface DiffInput {
  from: DiffSide;
  to: DiffSide;
  /** An executable SQL script instead of a human summary. */
  script?: boolean | undefined;
  provider: Provider;
  /** The database used for replaying migrations (its server hosts the shadow database) when no side is a URL. */
  url?: string | undefined;
  shadowDatabaseUrl?: string | undefined;
  /** Folder that relative SQLite paths are resolved against. */
  baseDir: string;
  filter?: SchemaFilter;
  /** SchemaSource.missingUrlHint: how to configure the database when none is (instead of naming `--url`). */
  missingUrlHint?: string | undefined;
}

export interface DiffOutput {
  /** The summary or script; `No difference detected.` / `-- This is an empty migration.` when empty. */
  text: string;
  empty: boolean;
}

/**
 * What the schema has that replaying the migrations folder does not produce: the diff `check`
 * and `draftMigration` both start from. The lock file is checked first (P3019).
 */
export function historyToSchema(source: SchemaSource): DiffInput {
  assertLockFileProvider(readMigrationsFolder(source.migrationsDir).lockFile, source.provider);
  return {
    from: { kind: 'migrations', dir: source.migrationsDir },
    to: { kind: 'schema', files: source.files },
    provider: source.provider,
    url: source.url,
    shadowDatabaseUrl: source.shadowDatabaseUrl,
    baseDir: source.baseDir,
    filter: source.filter,
    missingUrlHint: source.missingUrlHint,
  };
}

/** `migrate diff`: the difference between two schema sources, as a summary or a script. Changes nothing. */
export async function diff(input: DiffInput): Promise<DiffOutput> {
  const [result] = await diffRendered(input, [Boolean(input.script)]);
  return result!;
}

/**
 * The same diff rendered several ways (summary and/or script) on one engine, so that a history
 * is replayed on the shadow database once per rendering without reopening connections.
 */
export async function diffRendered(input: DiffInput, renderings: boolean[]): Promise<DiffOutput[]> {
  assertSupportedProvider(input.provider);
  const live = [input.from, input.to].filter((s): s is Extract<DiffSide, { kind: 'url' }> => s.kind === 'url');
  if (live.length === 2 && live[0]!.url !== live[1]!.url) {
    throw new MigrateError(ErrorCodes.usage, 'Diffing two different live databases in one run is not supported by the in-process engine.', {
      hint: 'Diff each database against a schema or a migrations folder instead.',
    });
  }
  const needsDatabase = live.length > 0 || [input.from, input.to].some((s) => s.kind === 'migrations');
  // Targets first: a migrations folder is read once, and its lock file checked (P3019) before anything connects.
  const from = toTarget(input.from, input);
  const to = toTarget(input.to, input);
  const connection = diffConnection(input, live[0]?.url, needsDatabase);
  const engine = await openEngine(connection);
  try {
    const outputs: DiffOutput[] = [];
    for (const script of renderings) {
      const result = await engine.diff({ from, to, script, exitCode: true, filters: input.filter ?? EMPTY_FILTER });
      const empty = result.exitCode === 0;
      const text = (result.stdout ?? '').trim() === '' ? (script ? '-- This is an empty migration.' : 'No difference detected.') : (result.stdout ?? '');
      outputs.push({ text, empty });
    }
    return outputs;
  } finally {
    await engine.dispose();
    await runPendingCleanups();
  }
}

function diffConnection(input: DiffInput, liveUrl: string | undefined, needsDatabase: boolean): Connection {
  if (input.provider === 'sqlite') return sqliteDiffConnection(input, liveUrl);
  const url = liveUrl ?? input.url;
  if (url) {
    const connection = resolveConnection({ provider: input.provider, url, shadowDatabaseUrl: input.shadowDatabaseUrl, baseDir: input.baseDir });
    // Diffing another live database: the configured one must not be taken for the shadow either.
    const other = input.shadowDatabaseUrl && input.url && input.url !== url ? input.url : undefined;
    return other ? { ...connection, datasourceUrl: other } : connection;
  }
  if (needsDatabase) {
    throw new MigrateError(ErrorCodes.missingUrl, 'Replaying a migrations folder on PostgreSQL needs a database server for the shadow database.', {
      hint: input.missingUrlHint ?? 'Pass --url (or set DATABASE_URL), or --shadow-database-url.',
    });
  }
  // Even a diff of two schemas connects: the Wasm engine reads the server's version as it starts.
  throw new MigrateError(ErrorCodes.missingUrl, 'The in-process schema engine needs a PostgreSQL server to connect to, even to diff two schemas.', {
    hint: input.missingUrlHint ? `${input.missingUrlHint} Nothing is changed in that database.` : 'Pass --url (or set DATABASE_URL); nothing is changed in that database.',
  });
}

/** The schema as compared with a replayed history, whose extensions the engine loses (schema/extensions.ts). */
function schemaAfterHistory(files: SchemaFile[], migrationsDir: string): SchemaFile[] {
  return withoutExtensionsAlreadyThere(files, extensionsCreatedBy(historyScripts(readMigrationsFolder(migrationsDir))));
}

/**
 * SQLite: a live side is read from its file, which must exist (P1003: a diff never creates a
 * database); otherwise the main database is not needed at all (migrations are replayed on the
 * shadow database, in memory or the configured file), so none is opened and none is created.
 * Test: test/sqlite-database-file.test.ts.
 */
function sqliteDiffConnection(input: DiffInput, liveUrl: string | undefined): Connection {
  // The configured database, never opened here, must still not be taken for the shadow file (shadow-is-not-main.ts).
  const datasourceUrl = input.shadowDatabaseUrl && input.url && input.url !== liveUrl ? `file:${sqliteFile(input.url, input.baseDir)}` : undefined;
  if (liveUrl) {
    const connection = resolveConnection({ provider: 'sqlite', url: liveUrl, shadowDatabaseUrl: input.shadowDatabaseUrl, baseDir: input.baseDir });
    if (connection.provider === 'sqlite') assertSqliteFileExists(connection);
    return datasourceUrl ? { ...connection, datasourceUrl } : connection;
  }
  const shadowFile = input.shadowDatabaseUrl ? sqliteFile(input.shadowDatabaseUrl, input.baseDir) : undefined;
  // Resolved all the same when configured: the URLs are checked (and a shadow file that is the main one refused) as for any verb.
  if (input.url) resolveConnection({ provider: 'sqlite', url: input.url, shadowDatabaseUrl: input.shadowDatabaseUrl, baseDir: input.baseDir });
  return { provider: 'sqlite', url: 'file::memory:', file: ':memory:', shadowFile, shadowDatabaseUrl: input.shadowDatabaseUrl, datasourceUrl };
}

function toTarget(side: DiffSide, input: DiffInput): DiffTarget {
  switch (side.kind) {
    case 'empty':
      return { tag: 'empty' };
    case 'schema':
      return { tag: 'schemaDatamodel', files: side === input.to && input.from.kind === 'migrations' ? schemaAfterHistory(side.files, input.from.dir) : side.files };
    case 'url':
      // The Wasm engine has no URL target: a live database is "the datasource of a schema",
      // reached through the adapter the engine was opened with (diffConnection).
      return { tag: 'schemaDatasource', files: [{ path: 'datasource.prisma', content: `datasource db {\n  provider = "${input.provider}"\n}\n` }], configDir: input.baseDir };
    case 'migrations': {
      const folder = readMigrationsFolder(side.dir);
      // Why: the engine replays a folder with the connector its lock file names, so a folder written
      // for another provider failed inside its SQL ("MK_ENGINE unrecognized token"); the other verbs say P3019.
      // Test: test/lifecycle-diff-push-check.test.ts ("--from-migrations of a folder written for another provider ...").
      assertLockFileProvider(folder.lockFile, input.provider);
      // The engine takes the connector from the lock file; a folder without one is read as the given provider.
      return { tag: 'migrations', ...toEngineMigrationList({ ...folder, lockFile: folder.lockFile ?? renderLockFile(input.provider) }) };
    }
  }
}

/**
 * Several diffs between engine targets on one engine, as summaries (`check --down` compares
 * replayed histories with each other): what diffRendered does for one pair of sides.
 */
export async function diffTargets(input: Omit<DiffInput, 'from' | 'to'>, pairs: { from: DiffTarget; to: DiffTarget }[]): Promise<DiffOutput[]> {
  assertSupportedProvider(input.provider);
  const connection = diffConnection({ ...input, from: { kind: 'empty' }, to: { kind: 'empty' } }, undefined, true);
  const engine = await openEngine(connection);
  try {
    const outputs: DiffOutput[] = [];
    for (const { from, to } of pairs) {
      const result = await engine.diff({ from, to, script: false, exitCode: true, filters: input.filter ?? EMPTY_FILTER });
      outputs.push({ text: (result.stdout ?? '').trim() === '' ? 'No difference detected.' : (result.stdout ?? ''), empty: result.exitCode === 0 });
    }
    return outputs;
  } finally {
    await engine.dispose();
    await runPendingCleanups();
  }
}
