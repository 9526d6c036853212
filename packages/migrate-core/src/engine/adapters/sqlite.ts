import { existsSync, rmSync } from 'node:fs';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory, SqlQuery } from '@prisma/driver-adapter-utils';
import { overrideMethods } from './override.js';
import { AdapterTracker } from './tracked.js';

function isMultiStatementRefusal(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const texts = [(e as { message?: unknown }).message, (e as { originalMessage?: unknown }).originalMessage];
    if (texts.some((t) => typeof t === 'string' && t.includes('more than one statement'))) return true;
  }
  return false;
}

/**
 * Lets a parameterless multi-statement script through `executeRaw`.
 *
 * Why: while replaying the history on the shadow database, the engine sends a whole migration
 * through executeRaw, and better-sqlite3's prepare() refuses it ("The supplied SQL string
 * contains more than one statement"). Such a query is retried as a script (`exec`).
 * Test: test/engine-compat.test.ts ("SQLite shadow replay of multi-statement migrations").
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
}

/** The driver adapter factory the engine gets for SQLite: better-sqlite3 with the script fix. */
export class SqliteAdapterFactory implements SqlMigrationAwareDriverAdapterFactory {
  readonly provider = 'sqlite' as const;
  readonly adapterName = '@migrate-kit/sqlite';
  private readonly inner: PrismaBetterSqlite3;
  private readonly adapters = new AdapterTracker();

  constructor(private readonly options: SqliteAdapterOptions) {
    this.inner = new PrismaBetterSqlite3({ url: options.file, timeout: 30_000 }, { shadowDatabaseUrl: options.shadowFile ?? ':memory:' });
  }

  async connect(): Promise<SqlDriverAdapter> {
    return this.adapters.track(acceptScriptsInExecuteRaw(await this.inner.connect()));
  }

  async connectToShadowDb(): Promise<SqlDriverAdapter> {
    // A configured shadow file is the user's throwaway database: start it empty.
    const shadow = this.options.shadowFile;
    if (shadow && existsSync(shadow)) for (const suffix of ['', '-journal', '-wal', '-shm']) rmSync(shadow + suffix, { force: true });
    return this.adapters.track(acceptScriptsInExecuteRaw(await this.inner.connectToShadowDb()));
  }

  /** Closes every connection handed out (and with it SQLite's exclusive lock on the file). */
  close(): Promise<void> {
    return this.adapters.closeAll();
  }
}
