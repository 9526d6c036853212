import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory, SqlQuery, SqlResultSet } from '@prisma/driver-adapter-utils';
import { HistoryReplay, historyCacheEnabled } from '../shadow/history-replay.js';
import { announceHistoryCacheKept, dropHistoryCachesOf } from '../shadow/history-cache.js';
import { PostgresShadowDatabase, tidyServer, withClient } from '../shadow/postgres-shadow-database.js';
import { type PostgresDatabaseIdentity, postgresDatabaseIdentity, samePostgresDatabase, shadowIsMainDatabaseError } from '../shadow/shadow-is-not-main.js';
import { overrideMethods } from './override.js';
import { reportPostgresErrorsWhole } from './postgres-errors.js';
import { acquireMigrationLock, type MigrationLockHolder, type MigrationLockOptions, migrationLockDisabled, waitForMigrationLock } from './postgres-migration-lock.js';
import { datetimeArgsWithZone } from './postgres-datetime-args.js';
import { finishMigrationsInTheirTransaction } from './postgres-migration-transaction.js';
import { tolerateConcurrentSchemaCreation } from './postgres-missing-schema.js';
import { quoteSchemaNameInEngineSql } from './postgres-schema-name.js';
import { AdapterTracker } from './tracked.js';
import { charColumnsAsCharacter, createPool } from './postgres-types.js';

/**
 * Sends a migration script to PostgreSQL whole, as one simple-protocol query.
 *
 * Why: @prisma/adapter-pg's executeScript splits the script on every `;` and sends the pieces
 * one by one, which breaks any `;` inside a dollar-quoted body (`DO $$ ... $$`, CREATE
 * FUNCTION), a string literal or a comment: "unterminated dollar-quoted string". The native
 * engine sends scripts whole. A query without parameters goes over the simple protocol, which
 * accepts many statements and runs them as one implicit transaction; going through the
 * adapter's own executeRaw keeps its error mapping.
 * Test: test/engine-compat.test.ts ("PostgreSQL scripts are sent whole").
 */
function sendScriptsWhole(adapter: SqlDriverAdapter): SqlDriverAdapter {
  return overrideMethods(adapter, {
    async executeScript(script: string) {
      try {
        await adapter.executeRaw({ sql: script, args: [], argTypes: [] });
      } finally {
        if (MAY_SET_SEARCH_PATH.test(script)) await adapter.executeRaw({ sql: 'RESET search_path', args: [], argTypes: [] }).catch(() => undefined);
      }
    },
  });
}

/**
 * A script that may change the session's search_path: it is set back to the session's own
 * (`?schema=`, or the server's default) once the script ends, committed or not.
 *
 * Why: `SELECT pg_catalog.set_config('search_path', '', false);` opens every `pg_dump
 * --schema-only` (a common baseline) and lasts for the session. The engine names
 * `_prisma_migrations` without its schema and runs the next migrations in the same session, so
 * stock Prisma fails the bookkeeping ("The underlying table for model `_prisma_migrations` does not
 * exist", prisma/web#4906 tells users to delete the line), and a later migration's unqualified
 * `CREATE TABLE` finds no schema; the same in the shadow database replay. Each migration now starts
 * in the session as configured, as it would in a deploy of its own. A separate statement, so that
 * a script PostgreSQL runs only alone (`CREATE INDEX CONCURRENTLY`) stays alone.
 * Test: test/migration-bookkeeping.test.ts ("a history whose first migration empties search_path ...").
 */
const MAY_SET_SEARCH_PATH = /search_path|\bset\s+schema\b/i;

export interface PostgresAdapterOptions {
  url: string;
  /** A configured shadow database; without one, a temporary database is created per use. */
  shadowDatabaseUrl?: string | undefined;
  /** The project's configured database when `url` is another one (`diff --from-url`): never the shadow either. */
  datasourceUrl?: string | undefined;
  /** The schema the adapter's queries default to (`?schema=` in the URL). */
  schema?: string | undefined;
  /**
   * Told of each migration left interrupted by a stopped process that was marked rolled back so
   * that it is applied again (see postgres-migration-transaction.ts). Only for commands that apply.
   */
  onInterruptedRolledBack?: ((migrationName: string) => void) | undefined;
  /**
   * The engine's version: with it, a replayed history is kept on the server for the next replay
   * (shadow/history-replay.ts); the cache is only ever used by the same engine version.
   */
  engineVersion?: string | undefined;
  /** Told when a wait for the migration lock has lasted a second, with the session holding it. */
  onWaitingForMigrationLock?: ((holder: MigrationLockHolder) => void) | undefined;
}

/**
 * The driver adapter factory the engine gets for PostgreSQL: Prisma's pg adapter on our pools
 * (with the `"char"` fix), scripts sent whole, each migration's finish recorded in its script's
 * transaction (on the main database), and our own shadow databases.
 */
export class PostgresAdapterFactory implements SqlMigrationAwareDriverAdapterFactory {
  readonly provider = 'postgres' as const;
  readonly adapterName = '@migrate-kit/postgres';
  private readonly adapters = new AdapterTracker();

  constructor(private readonly options: PostgresAdapterOptions) {}

  async connect(): Promise<SqlDriverAdapter> {
    // The lock below the transaction wrapper: that one acts once the engine has the lock.
    const adapter = waitForMigrationLock(await connectAdapter(this.options.url, this.options.schema), this.migrationLockOptions());
    this.mainAdapter ??= adapter;
    this.main = adapter;
    // Without the lock, an interrupted row may belong to a process still running: leave it alone.
    const onInterruptedRolledBack = migrationLockDisabled() ? undefined : this.options.onInterruptedRolledBack;
    return this.adapters.track(finishMigrationsInTheirTransaction(adapter, { onInterruptedRolledBack }));
  }

  /** The engine's main session (one connection, see createPool), below the transaction wrapper. */
  private main: SqlDriverAdapter | undefined;

  /**
   * Takes the migration lock on the engine's main session, waiting as the engine's own request
   * does (10 s, naming the holder), and holds it until the factory closes: the engine's own
   * requests are then granted at once (a session-level advisory lock is re-entrant).
   */
  async holdMigrationLock(): Promise<void> {
    if (!this.main) throw new Error('The migration lock was asked for before the engine connected.');
    await acquireMigrationLock(this.main, this.migrationLockOptions());
  }

  private migrationLockOptions(): MigrationLockOptions {
    const url = new URL(this.options.url);
    return { host: url.hostname, port: url.port || '5432', onWaiting: this.options.onWaitingForMigrationLock };
  }

  /**
   * A shadow database holding the history the last replay built, kept for the next replay in this
   * process (no claim and keep round trips in between) and, unless MIGRATE_KIT_HISTORY_CACHE=off,
   * kept on the server when the factory closes (dropped otherwise).
   */
  private kept: ReplayedShadow | undefined;

  /** Ends every pool handed out, drops temporary shadow databases still alive and keeps the replayed history. */
  async close(): Promise<void> {
    await this.adapters.closeAll();
    const kept = this.kept;
    this.kept = undefined;
    if (!kept) return;
    if (!this.options.engineVersion || !historyCacheEnabled()) {
      await kept.shadow.drop();
      return;
    }
    const cache = await kept.shadow.keepAsHistoryCache(this.options.engineVersion, kept.scripts);
    if (cache.kept && !cache.replaced && !this.claimedCache) announceHistoryCacheKept({ name: cache.name, database: mainDatabaseName(this.options.url) });
  }

  /** Whether this run started from a history cache already on the server (then a kept one is no news). */
  private claimedCache = false;

  /**
   * A reset is a clean slate: the history cache of this database goes with it (history-cache.ts).
   * A server that refuses (another role owns the cache) does not fail the reset.
   */
  async completeReset(): Promise<void> {
    await withClient(this.options.url, (client) => dropHistoryCachesOf(client, mainDatabaseName(this.options.url), this.options.schema ?? '')).catch(() => undefined);
  }

  /** A connection the engine opened on the main database, asked who it is before a configured shadow database is reset. */
  private mainAdapter: SqlDriverAdapter | undefined;
  private mainIdentity: Promise<PostgresDatabaseIdentity> | undefined;

  /** What the main database's server says it is: asked once, on the engine's own connection when it has one. */
  private identifyMain(): Promise<PostgresDatabaseIdentity> {
    const ask = async () => {
      const adapter = this.mainAdapter;
      if (adapter) {
        try {
          return await postgresDatabaseIdentity(async (sql) => rowsOf(await adapter.queryRaw({ sql, args: [], argTypes: [] })));
        } catch {
          // Disposed already: ask on a connection of our own.
        }
      }
      return withClient(this.options.url, (client) => postgresDatabaseIdentity(async (sql) => (await client.query(sql)).rows));
    };
    this.mainIdentity ??= ask();
    return this.mainIdentity;
  }

  /** The configured database's identity, on a connection of its own (only `diff --from-url` with a configured shadow pays it); none when it cannot be reached. */
  private identifyDatasource(): Promise<{ url: string; identity: PostgresDatabaseIdentity } | undefined> {
    const url = this.options.datasourceUrl;
    if (!url || url === this.options.url) return Promise.resolve(undefined);
    return withClient(url, async (client) => ({ url, identity: await postgresDatabaseIdentity(async (sql) => (await client.query(sql)).rows) })).catch(() => undefined);
  }

  async connectToShadowDb(): Promise<SqlDriverAdapter> {
    if (this.options.shadowDatabaseUrl) {
      const main = { url: this.options.url, identity: await this.identifyMain() };
      const datasource = await this.identifyDatasource();
      await resetDatabase(this.options.shadowDatabaseUrl, datasource ? [main, datasource] : [main], this.options.schema ?? '');
      return this.adapters.track(await connectAdapter(this.options.shadowDatabaseUrl, this.options.schema));
    }
    const engineVersion = this.options.engineVersion;
    const claimed = !this.kept && engineVersion && historyCacheEnabled() ? await PostgresShadowDatabase.claimHistoryCache(this.options.url, engineVersion) : undefined;
    if (claimed) this.claimedCache = true;
    const cached: ReplayedShadow | undefined = this.kept ?? claimed;
    this.kept = undefined;
    let shadow = cached?.shadow ?? (await PostgresShadowDatabase.create(this.options.url));
    const keep = async (replayed: ReplayedShadow) => {
      await this.kept?.shadow.drop();
      this.kept = replayed;
    };
    try {
      const first = await connectAdapter(shadow.url, this.options.schema);
      const replay = new HistoryReplay(cached && { adapter: first, scripts: cached.scripts, answeredByCache: isConnectionProbe, answers: cached.answers }, async () => {
        // The cached history does not fit this replay: start over on an empty database.
        await first.dispose();
        await shadow.drop();
        shadow = await PostgresShadowDatabase.create(this.options.url);
        return connectAdapter(shadow.url, this.options.schema);
      });
      const adapter = replay.adapter(first);
      return this.adapters.track(
        overrideMethods(adapter, {
          async dispose() {
            try {
              await adapter.dispose();
            } finally {
              // Kept for this process's next replay also with the cache off (dev's down.sql diffs
              // replay the same history again); only keeping it on the server is the cache's.
              if (replay.reusable) await keep({ shadow, scripts: replay.scripts, answers: replay.answers });
              else await shadow.drop();
            }
          },
        }),
      );
    } catch (error) {
      await shadow.drop();
      throw error;
    }
  }
}

/** A shadow database holding a replayed history: the scripts it ran, and (in-process) the reads answered since. */
interface ReplayedShadow {
  shadow: PostgresShadowDatabase;
  scripts: readonly string[];
  answers?: Map<string, SqlResultSet>;
}

/**
 * The engine's connection probe (does the schema exist, which server version), the one query it
 * sends before replaying. Answered by the cached database: it was built by the same engine from
 * the same URL (the schema is part of the cache's name), so if the probe once found the schema
 * missing and the engine created it, that step is skipped along with the replay it preceded.
 */
function isConnectionProbe(query: SqlQuery): boolean {
  return query.sql.startsWith('SELECT EXISTS(SELECT 1 FROM pg_namespace WHERE nspname = $1), version()');
}

async function connectAdapter(url: string, schema: string | undefined): Promise<SqlDriverAdapter> {
  const pool = createPool(url);
  const adapter = await new PrismaPg(pool, { schema, disposeExternalPool: true }).connect();
  return reportPostgresErrorsWhole(sendScriptsWhole(quoteSchemaNameInEngineSql(tolerateConcurrentSchemaCreation(datetimeArgsWithZone(charColumnsAsCharacter(adapter)), schema), schema)));
}

function mainDatabaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.slice(1));
}

function rowsOf(result: SqlResultSet): Record<string, unknown>[] {
  return result.rows.map((row) => Object.fromEntries(result.columnNames.map((name, i) => [name, row[i]])));
}

/**
 * Empties a configured shadow database before the history is replayed on it (it is the user's
 * database: reset, never dropped), once its server has said it is not the main database
 * (shadow/shadow-is-not-main.ts).
 */
async function resetDatabase(url: string, protectedDatabases: { url: string; identity: PostgresDatabaseIdentity }[], schema: string): Promise<void> {
  const main = protectedDatabases[0]!.identity;
  await withClient(url, async (client) => {
    const shadow = await postgresDatabaseIdentity(async (sql) => (await client.query(sql)).rows);
    for (const { url: protectedUrl, identity } of protectedDatabases) {
      if (samePostgresDatabase(identity, shadow)) throw shadowIsMainDatabaseError(protectedUrl, url, `database "${identity.database}" on the server at port ${identity.port}`);
    }
    // A run with a configured shadow database keeps no history cache, and drops one an earlier run kept (history-cache.ts).
    await tidyServer(client).catch(() => undefined);
    if (samePostgresDatabase(main, { ...shadow, database: main.database })) await dropHistoryCachesOf(client, main.database, schema).catch(() => undefined);
    const { rows } = await client.query<{ nspname: string }>(
      `SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema' AND nspowner = (SELECT datdba FROM pg_database WHERE datname = current_database()) OR nspname = 'public'`,
    );
    for (const { nspname } of rows) await client.query(`DROP SCHEMA IF EXISTS "${nspname}" CASCADE`);
    await client.query('CREATE SCHEMA IF NOT EXISTS public');
  });
}
