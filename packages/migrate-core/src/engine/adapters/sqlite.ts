import { existsSync, rmSync, truncateSync } from 'node:fs';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory, SqlQuery } from '@prisma/driver-adapter-utils';
import { sameSqliteFile, shadowIsMainDatabaseError } from '../shadow/shadow-is-not-main.js';
import { overrideMethods } from './override.js';
import { reportSqliteScriptErrorsWhole } from './sqlite-errors.js';
import { lockWhenExclusive, reportBusyAsLockTimeout } from './sqlite-lock.js';
import { AdapterTracker } from './tracked.js';

/** How long a statement waits for another connection's lock before SQLITE_BUSY, unless the URL says (`socket_timeout`). */
const DEFAULT_BUSY_TIMEOUT_MS = 30_000;

function isMultiStatementRefusal(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const texts = [(e as { message?: unknown }).message, (e as { originalMessage?: unknown }).originalMessage];
    if (texts.some((t) => typeof t === 'string' && (t.includes('more than one statement') || t.includes('contains no statements')))) return true;
  }
  return false;
}

/**
 * Lets a parameterless multi-statement script through `executeRaw`.
 *
 * Why: while replaying the history on the shadow database, the engine sends a whole migration
 * through executeRaw, and better-sqlite3's prepare() refuses it ("The supplied SQL string
 * contains more than one statement"). Such a query is retried as a script (`exec`). So is a
 * migration with no statement at all (`-- This is an empty migration.`, what `migrate dev
 * --create-only` writes when nothing changed), which prepare() refuses too ("contains no statements").
 * Test: test/engine-compat.test.ts ("SQLite shadow replay of multi-statement migrations"); the empty
 * one: packages/zenstack-migrate/test/zen-compat.test.ts ("continues with zen-migrate ...").
 */
function acceptScriptsInExecuteRaw(adapter: SqlDriverAdapter): SqlDriverAdapter {
  return overrideMethods(adapter, {
    async executeRaw(query: SqlQuery) {
      try {
        return await adapter.executeRaw(query);
      } catch (error) {
        if (query.args.length > 0 || !isMultiStatementRefusal(error)) throw error;
        await adapter.executeScript(query.sql);
        return 0;
      }
    },
  });
}

export interface SqliteAdapterOptions {
  /** Absolute path of the database file (created when missing). */
  file: string;
  /** A configured shadow database file; without one, the shadow database lives in memory. */
  shadowFile?: string | undefined;
  /** The URLs as configured, for the refusal when the shadow file is the main file. */
  url?: string | undefined;
  shadowDatabaseUrl?: string | undefined;
  /** The project's configured database file when this run's is another one (`diff --from-url`): never the shadow either. */
  datasourceFile?: string | undefined;
  busyTimeoutMs?: number | undefined;
}

/** The driver adapter factory the engine gets for SQLite: better-sqlite3 with the script fix. */
export class SqliteAdapterFactory implements SqlMigrationAwareDriverAdapterFactory {
  readonly provider = 'sqlite' as const;
  readonly adapterName = '@migrate-kit/sqlite';
  private readonly inner: PrismaBetterSqlite3;
  private readonly adapters = new AdapterTracker();
  private readonly mainConnections = new Set<ReplaceableConnection>();
  private readonly busyTimeoutMs: number;

  constructor(private readonly options: SqliteAdapterOptions) {
    this.busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
    this.inner = new PrismaBetterSqlite3({ url: options.file, timeout: this.busyTimeoutMs }, { shadowDatabaseUrl: options.shadowFile ?? ':memory:' });
  }

  async connect(): Promise<SqlDriverAdapter> {
    const connection = new ReplaceableConnection(await this.openMainConnection());
    this.mainConnections.add(connection);
    return this.adapters.track(connection.view);
  }

  private async openMainConnection(): Promise<SqlDriverAdapter> {
    const database = { file: this.options.file, timeoutMs: this.busyTimeoutMs };
    return lockWhenExclusive(reportBusyAsLockTimeout(acceptScriptsInExecuteRaw(reportSqliteScriptErrorsWhole(await this.inner.connect())), database), database);
  }

  async connectToShadowDb(): Promise<SqlDriverAdapter> {
    // A configured shadow file is the user's throwaway database: start it empty.
    // Not when it is the main file under another name (shadow/shadow-is-not-main.ts).
    const shadow = this.options.shadowFile;
    if (shadow && sameSqliteFile(shadow, this.options.file)) {
      throw shadowIsMainDatabaseError(this.options.url ?? `file:${this.options.file}`, this.options.shadowDatabaseUrl ?? `file:${shadow}`, `the file ${this.options.file}`);
    }
    const datasource = this.options.datasourceFile;
    if (shadow && datasource && sameSqliteFile(shadow, datasource)) {
      throw shadowIsMainDatabaseError(`file:${datasource}`, this.options.shadowDatabaseUrl ?? `file:${shadow}`, `the file ${datasource}, the configured database`);
    }
    if (shadow && existsSync(shadow)) for (const suffix of ['', '-journal', '-wal', '-shm']) rmSync(shadow + suffix, { force: true });
    return this.adapters.track(acceptScriptsInExecuteRaw(reportSqliteScriptErrorsWhole(await this.inner.connectToShadowDb())));
  }

  /**
   * Finishes the engine's reset the way the native engine resets SQLite: to an empty file, the
   * same file, emptied where it is while this process still holds its exclusive lock.
   *
   * Why: the Wasm engine's SQLite reset (8.1) only deletes the rows (`DELETE FROM ...`); tables,
   * views and `_prisma_migrations` stay, and re-applying the history fails with `table ... already
   * exists`. Dropping them is not enough: `sqlite_sequence` (left by any AUTOINCREMENT table)
   * cannot be dropped, and applyMigrations then finds the database not empty (P3005). Removing the
   * file instead lost a race: a process that had opened the file and was waiting for the lock
   * (a `deploy` started during the reset) got it on the deleted file and failed with "attempt to
   * write a readonly database", once with "database disk image is malformed". So the file is
   * truncated to zero bytes (SQLite's empty database) under the lock; a WAL database is first
   * checkpointed and put back in rollback-journal mode, since a WAL left beside an emptied file
   * would be replayed into it. Then the connections, whose caches describe the old content, are
   * closed (giving up the lock) and reopened.
   * Tables managed elsewhere (`externalTables`) must survive: then the other objects are dropped.
   * Test: test/sqlite-reset-in-place.test.ts; test/lifecycle-resolve-reset.test.ts ("with --force
   * drops everything ...").
   */
  async completeReset(externalTables: readonly string[]): Promise<void> {
    if (externalTables.length > 0) return dropAllBut(await this.inner.connect(), externalTables);
    const open = [...this.mainConnections].filter((c) => !c.disposed);
    const holder = open[0] ?? new ReplaceableConnection(await this.openMainConnection());
    try {
      await emptyInPlace(holder.view, this.options.file);
    } finally {
      if (!open.includes(holder)) await holder.close();
    }
    for (const connection of open) await connection.close();
    for (const connection of open) connection.reopen(await this.openMainConnection());
  }

  /**
   * Takes the exclusive lock on the file now, on the engine's main connection, as the engine does
   * when it starts to migrate (`PRAGMA main.locking_mode=EXCLUSIVE`, see lockWhenExclusive): held
   * until the connection closes, waiting the busy timeout at most.
   */
  async holdMigrationLock(): Promise<void> {
    const main = [...this.mainConnections].find((c) => !c.disposed);
    if (!main) throw new Error('The migration lock was asked for before the engine connected.');
    await main.view.executeRaw({ sql: 'PRAGMA main.locking_mode=EXCLUSIVE', args: [], argTypes: [] });
  }

  /** Closes every connection handed out (and with it SQLite's exclusive lock on the file). */
  close(): Promise<void> {
    return this.adapters.closeAll();
  }
}

/**
 * A main-database connection the engine can keep while the file under it is replaced (reset).
 * The engine binds an adapter's methods once, when it gets it, so the view forwards every call
 * to whichever connection is current.
 */
class ReplaceableConnection {
  disposed = false;
  readonly view: SqlDriverAdapter;

  constructor(private current: SqlDriverAdapter) {
    this.view = new Proxy({} as SqlDriverAdapter, {
      get: (_, prop) => {
        if (prop === 'dispose') {
          return () => {
            this.disposed = true;
            return this.current.dispose();
          };
        }
        const value: unknown = Reflect.get(this.current, prop);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => (Reflect.get(this.current, prop) as (...a: unknown[]) => unknown).apply(this.current, args);
      },
    });
  }

  close(): Promise<void> {
    return this.current.dispose();
  }

  reopen(next: SqlDriverAdapter): void {
    this.current = next;
  }
}

async function dropAllBut(adapter: SqlDriverAdapter, keep: readonly string[]): Promise<void> {
  try {
    const { rows } = await adapter.queryRaw({ sql: `SELECT type, name FROM sqlite_master WHERE type IN ('view', 'table') ORDER BY type DESC`, args: [], argTypes: [] });
    const drops = rows
      .map(([type, name]) => [String(type), String(name)] as const)
      .filter(([, name]) => !name.startsWith('sqlite_') && !keep.includes(name))
      .map(([type, name]) => `DROP ${type === 'view' ? 'VIEW' : 'TABLE'} IF EXISTS "${name.replace(/"/g, '""')}";`);
    if (drops.length > 0) await adapter.executeScript(`PRAGMA foreign_keys = OFF;\n${drops.join('\n')}\nPRAGMA foreign_keys = ON;`);
  } finally {
    await adapter.dispose();
  }
}

/**
 * Empties the database file under `adapter`'s exclusive lock (taken here if the connection does
 * not hold it yet), leaving no journal or WAL content that could be replayed into it.
 */
async function emptyInPlace(adapter: SqlDriverAdapter, file: string): Promise<void> {
  const run = (sql: string) => adapter.executeRaw({ sql, args: [], argTypes: [] });
  const { rows } = await adapter.queryRaw({ sql: 'PRAGMA journal_mode', args: [], argTypes: [] });
  if (String(rows[0]?.[0]).toLowerCase() === 'wal') {
    await adapter.queryRaw({ sql: 'PRAGMA wal_checkpoint(TRUNCATE)', args: [], argTypes: [] });
    await adapter.queryRaw({ sql: 'PRAGMA journal_mode=DELETE', args: [], argTypes: [] });
  }
  await run('PRAGMA main.locking_mode=EXCLUSIVE');
  // A write takes the exclusive lock; in exclusive locking mode it is kept after the commit.
  await adapter.executeScript('BEGIN EXCLUSIVE; COMMIT;');
  truncateSync(file, 0);
}
