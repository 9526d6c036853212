import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory, SqlQuery, SqlResultSet } from '@prisma/driver-adapter-utils';
import pg from 'pg';
import { HistoryReplay, historyCacheEnabled } from '../shadow/history-replay.js';
import { PostgresShadowDatabase } from '../shadow/postgres-shadow-database.js';
import { overrideMethods } from './override.js';
import { finishMigrationsInTheirTransaction } from './postgres-migration-transaction.js';
import { AdapterTracker } from './tracked.js';
import { createPool } from './postgres-types.js';

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
      await adapter.executeRaw({ sql: script, args: [], argTypes: [] });
    },
  });
}

export interface PostgresAdapterOptions {
  url: string;
  /** A configured shadow database; without one, a temporary database is created per use. */
  shadowDatabaseUrl?: string | undefined;
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
    const adapter = await connectAdapter(this.options.url, this.options.schema);
    return this.adapters.track(finishMigrationsInTheirTransaction(adapter, { onInterruptedRolledBack: this.options.onInterruptedRolledBack }));
  }

  /**
   * A shadow database holding the history the last replay built, kept for the next replay in this
   * process (no claim and keep round trips in between) and kept on the server when the factory closes.
   */
  private kept: ReplayedShadow | undefined;

  /** Ends every pool handed out, drops temporary shadow databases still alive and keeps the replayed history. */
  async close(): Promise<void> {
    await this.adapters.closeAll();
    const kept = this.kept;
    this.kept = undefined;
    if (kept && this.options.engineVersion) await kept.shadow.keepAsHistoryCache(this.options.engineVersion, kept.scripts);
  }

  async connectToShadowDb(): Promise<SqlDriverAdapter> {
    if (this.options.shadowDatabaseUrl) {
      await resetDatabase(this.options.shadowDatabaseUrl);
      return this.adapters.track(await connectAdapter(this.options.shadowDatabaseUrl, this.options.schema));
    }
    const engineVersion = this.options.engineVersion;
    const cached: ReplayedShadow | undefined =
      this.kept ?? (engineVersion && historyCacheEnabled() ? await PostgresShadowDatabase.claimHistoryCache(this.options.url, engineVersion) : undefined);
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
              if (engineVersion && historyCacheEnabled() && replay.reusable) await keep({ shadow, scripts: replay.scripts, answers: replay.answers });
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
  return sendScriptsWhole(adapter);
}

/**
 * Empties a configured shadow database before the history is replayed on it (it is the user's
 * database: reset, never dropped).
 */
async function resetDatabase(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ nspname: string }>(
      `SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema' AND nspowner = (SELECT datdba FROM pg_database WHERE datname = current_database()) OR nspname = 'public'`,
    );
    for (const { nspname } of rows) await client.query(`DROP SCHEMA IF EXISTS "${nspname}" CASCADE`);
    await client.query('CREATE SCHEMA IF NOT EXISTS public');
  } finally {
    await client.end().catch(() => undefined);
  }
}
