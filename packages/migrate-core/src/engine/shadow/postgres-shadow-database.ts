import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type pg from 'pg';
import { MigrateError } from '../../errors.js';
import { redactSecrets } from '../../redact.js';
import { registerCleanup } from '../cleanup.js';
import { boundHistoryCaches, dropCachesOfDroppedDatabases, HISTORY_CACHE_PREFIX, historyCacheComment, parseHistoryCacheComment } from './history-cache.js';
import { PostgresClient } from '../postgres-client.js';

export const SHADOW_DATABASE_PREFIX = 'migrate_kit_shadow_';
const COMMENT_TAG = 'migrate-kit shadow database';
/** Replayed histories kept for the next replay, one per main database (history-replay.ts, history-cache.ts). */
export { HISTORY_CACHE_PREFIX };

/**
 * Who owns a shadow database is written into its name, `<prefix><pid>_<host tag><random>`, so
 * that an orphan is recognisable even when the process was killed between CREATE DATABASE and the
 * COMMENT (which says the same for people reading `\l+`).
 */
const HOST_TAG = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);
const OWNED_NAME = new RegExp(`^${SHADOW_DATABASE_PREFIX}(\\d+)_([0-9a-f]{8})[0-9a-f]{12}$`);

/**
 * A temporary PostgreSQL database for replaying the migration history: uniquely named, created
 * on the main database's server, and always dropped: after use, when the command fails, and on
 * Ctrl-C/SIGTERM (engine/cleanup.ts). Its COMMENT records host and pid so that the next run can
 * drop it if a SIGKILL left it behind (sweepOrphanShadowDatabases).
 *
 * Why not the adapter's own connectToShadowDb: it opens a fresh pool from its own config (which
 * bypasses our `"char"` type fix) and drops the database only through that path.
 */
export class PostgresShadowDatabase {
  private unregister: (() => void) | undefined;
  private creation: Promise<unknown> | undefined;
  private dropped = false;

  private constructor(
    readonly name: string,
    readonly url: string,
    private readonly mainUrl: string,
  ) {}

  static async create(mainUrl: string): Promise<PostgresShadowDatabase> {
    const name = newShadowName();
    const shadow = new PostgresShadowDatabase(name, withDatabase(mainUrl, name), mainUrl);
    await withClient(mainUrl, async (client) => {
      await tidyServer(client);
      // Registered before CREATE DATABASE: a Ctrl-C that lands while the database is being created
      // must still drop it (drop() waits for the creation), or it would outlive us without the
      // COMMENT the sweep matches. Test: test/engine-shadow.test.ts ("SIGINT ...").
      shadow.unregister = registerCleanup(() => shadow.drop());
      shadow.creation = client.query(`CREATE DATABASE "${name}"`);
      try {
        await shadow.creation;
      } catch (error) {
        shadow.unregister();
        throw shadowCreationError(error);
      }
      await client.query(`COMMENT ON DATABASE "${name}" IS '${COMMENT_TAG} host=${escapeLiteral(hostname())} pid=${process.pid}'`);
    });
    return shadow;
  }

  /**
   * Takes the history cache kept for the main database, if there is one: renamed to a shadow
   * database of this process (so no other process can take it, and the sweep drops it if this
   * process is killed), with the hashes of the scripts it ran.
   */
  static async claimHistoryCache(mainUrl: string, engineVersion: string): Promise<{ shadow: PostgresShadowDatabase; scripts: string[] } | undefined> {
    const cacheName = historyCacheName(mainUrl, engineVersion);
    const name = newShadowName();
    return withClient(mainUrl, async (client) => {
      await tidyServer(client);
      const shadow = new PostgresShadowDatabase(name, withDatabase(mainUrl, name), mainUrl);
      shadow.unregister = registerCleanup(() => shadow.drop());
      try {
        // Fails when there is none, or when another process is using it: then there is no cache.
        await client.query(`ALTER DATABASE "${cacheName}" RENAME TO "${name}"`);
      } catch {
        shadow.unregister();
        return undefined;
      }
      const { rows } = await client.query<{ comment: string | null }>(`SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = $1`, [name]);
      const record = parseHistoryCacheComment(rows[0]?.comment ?? null);
      const scripts = record?.engine === engineVersion ? record.scripts : undefined;
      if (!scripts) {
        await shadow.drop();
        return undefined;
      }
      return { shadow, scripts };
    });
  }

  /**
   * Keeps this database as the main database's history cache (replacing the one kept before),
   * instead of dropping it, within the cache's bounds (history-cache.ts: the newest per main
   * database, a total size per server). Says whether it was kept, and whether it replaced one.
   */
  async keepAsHistoryCache(engineVersion: string, scripts: readonly string[]): Promise<{ kept: boolean; replaced: boolean; name: string }> {
    const cacheName = historyCacheName(this.mainUrl, engineVersion);
    const notKept = { kept: false, replaced: false, name: cacheName };
    if (this.dropped) return notKept;
    const main = new URL(this.mainUrl);
    const comment = historyCacheComment({
      database: decodeURIComponent(main.pathname.slice(1)),
      schema: main.searchParams.get('schema') ?? '',
      engine: engineVersion,
      keptAt: Date.now(),
      scripts: [...scripts],
    });
    try {
      return await withClient(this.mainUrl, async (client) => {
        // The COMMENT first: a database named like a cache always says whose it is (another run's tidy reads it).
        await client.query(`COMMENT ON DATABASE "${this.name}" IS '${escapeLiteral(comment)}'`);
        const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [cacheName]);
        await client.query(`DROP DATABASE IF EXISTS "${cacheName}" WITH (FORCE)`);
        await client.query(`ALTER DATABASE "${this.name}" RENAME TO "${cacheName}"`);
        this.dropped = true;
        this.unregister?.();
        const kept = await boundHistoryCaches(client, cacheName);
        return { kept, replaced: (rowCount ?? 0) > 0, name: cacheName };
      });
    } catch {
      // Another process kept its cache at the same moment, or the server refused: no cache then.
      await this.drop();
      return notKept;
    }
  }

  async drop(): Promise<void> {
    if (this.dropped) return;
    this.dropped = true;
    this.unregister?.();
    await this.creation?.catch(() => undefined);
    await withClient(this.mainUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${this.name}" WITH (FORCE)`));
  }
}

/**
 * Drops shadow databases that a process on this host created and did not drop because it was
 * killed (SIGKILL, power loss). Databases of live processes and of other hosts are left alone.
 */
export async function sweepOrphanShadowDatabases(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<{ datname: string; comment: string | null }>(
    `SELECT datname, shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname LIKE $1`,
    [`${SHADOW_DATABASE_PREFIX}%`],
  );
  const dropped: string[] = [];
  for (const { datname, comment } of rows) {
    const byName = OWNED_NAME.exec(datname);
    const byComment = /host=(\S+) pid=(\d+)/.exec(comment ?? '');
    const ours = byName ? byName[2] === HOST_TAG : byComment?.[1] === hostname();
    const pid = Number(byName?.[1] ?? byComment?.[2]);
    if (!ours || !pid || isAlive(pid)) continue;
    await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`).catch(() => undefined);
    dropped.push(datname);
  }
  return dropped;
}

/**
 * What a run does first on a server it uses for shadow databases: drop the shadow databases killed
 * processes left, and the history caches whose main database is gone (test databases, a dropped
 * project). Two catalog queries on a connection opened anyway.
 */
export async function tidyServer(client: pg.Client): Promise<void> {
  await sweepOrphanShadowDatabases(client);
  await dropCachesOfDroppedDatabases(client).catch(() => undefined);
}

function newShadowName(): string {
  return `${SHADOW_DATABASE_PREFIX}${process.pid}_${HOST_TAG}${randomBytes(6).toString('hex')}`;
}

/** One cache per main database (server, database, schema) and engine version. */
function historyCacheName(mainUrl: string, engineVersion: string): string {
  const url = new URL(mainUrl);
  const key = `${url.hostname}:${url.port || '5432'}${url.pathname}?schema=${url.searchParams.get('schema') ?? ''}#${engineVersion}`;
  return `${HISTORY_CACHE_PREFIX}${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Where each CLI's users set a shadow database URL (only migrate-kit has the flag). */
const SHADOW_URL_SETTINGS = '`shadowDatabaseUrl` in prisma.config.ts, the schema or ZModel datasource, or keystone.ts `db`; SHADOW_DATABASE_URL; --shadow-database-url where the CLI has it';

function shadowCreationError(error: unknown): MigrateError {
  const code = (error as { code?: string }).code;
  const message = redactSecrets((error as Error).message);
  const denied = code === '42501';
  return new MigrateError(
    'P3014',
    `Prisma Migrate could not create the shadow database. ${denied ? 'The database user has no permission to create databases.' : ''}\n\nOriginal error: ${code ? `Error code: ${code}\n` : ''}${message}`,
    {
      hint: denied
        ? `Grant the user CREATEDB (\`ALTER USER <name> CREATEDB\`), or configure a shadow database you may reset (${SHADOW_URL_SETTINGS}). https://pris.ly/d/migrate-shadow`
        : `Configure a shadow database (${SHADOW_URL_SETTINGS}). https://pris.ly/d/migrate-shadow`,
      cause: error,
    },
  );
}

/** One pg client on `url` for `fn`, always closed. */
export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new PostgresClient({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

function escapeLiteral(text: string): string {
  return text.replace(/'/g, "''");
}
