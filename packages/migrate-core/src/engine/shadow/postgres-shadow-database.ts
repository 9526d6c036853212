import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import pg from 'pg';
import { MigrateError } from '../../errors.js';
import { redactSecrets } from '../../redact.js';
import { registerCleanup } from '../cleanup.js';

export const SHADOW_DATABASE_PREFIX = 'migrate_kit_shadow_';
const COMMENT_TAG = 'migrate-kit shadow database';

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
    const name = `${SHADOW_DATABASE_PREFIX}${process.pid}_${HOST_TAG}${randomBytes(6).toString('hex')}`;
    const shadow = new PostgresShadowDatabase(name, withDatabase(mainUrl, name), mainUrl);
    await withClient(mainUrl, async (client) => {
      await sweepOrphanShadowDatabases(client);
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

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function shadowCreationError(error: unknown): MigrateError {
  const code = (error as { code?: string }).code;
  const message = redactSecrets((error as Error).message);
  const denied = code === '42501';
  return new MigrateError(
    'P3014',
    `Prisma Migrate could not create the shadow database. ${denied ? 'The database user has no permission to create databases.' : ''}\n\nOriginal error: ${code ? `Error code: ${code}\n` : ''}${message}`,
    {
      hint: denied
        ? 'Grant the user CREATEDB (`ALTER USER <name> CREATEDB`), or configure a shadow database you may reset: `shadowDatabaseUrl` (prisma.config.ts datasource.shadowDatabaseUrl, or SHADOW_DATABASE_URL / --shadow-database-url). https://pris.ly/d/migrate-shadow'
        : 'Configure a shadow database with `shadowDatabaseUrl` (SHADOW_DATABASE_URL / --shadow-database-url). https://pris.ly/d/migrate-shadow',
      cause: error,
    },
  );
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
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
