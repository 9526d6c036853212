import { pg } from './pg.js';
import type PgTypes from 'pg';
import { MigrateError } from '../errors.js';
import { connectTimeoutMs, DEFAULT_CONNECT_TIMEOUT_S } from './connect-timeout.js';

/**
 * The pg Client of every PostgreSQL connection migrate-kit opens (the engine's pools, shadow and
 * maintenance connections, the no-engine reads): opening it gives up after the URL's
 * `connect_timeout` with Prisma's P1001 naming host and port.
 *
 * Why: pg waits forever by default (and ignores `connect_timeout` in the URL), so a server that
 * accepts the TCP connection and never answers (a stuck proxy or pooler) hung every command,
 * where Prisma's engine gives up after 5 s. pg's own `connectionTimeoutMillis` is not used: a pool
 * given it replaces the error with its own, and this error must reach the user as it is.
 * Test: test/timeouts.test.ts ("a server that accepts and never answers ...").
 */
export class PostgresClient extends pg.Client {
  private readonly connectTimeout: number | undefined;

  constructor(config: PgTypes.ClientConfig = {}) {
    // Named, so that pg_stat_activity (and our report of who holds the migration lock) says whose
    // session it is; an `application_name` in the URL wins.
    super({ application_name: 'migrate-kit', ...config });
    let timeout: number | undefined;
    try {
      timeout = connectTimeoutMs(config.connectionString ?? '');
    } catch {
      timeout = DEFAULT_CONNECT_TIMEOUT_S * 1000; // reported by resolveConnection, before anything connects
    }
    this.connectTimeout = timeout;
  }

  // biome-ignore lint/suspicious/noExplicitAny: pg's connect() has a promise and a callback form; both are kept.
  override connect(...args: any[]): any {
    const callback = args[0] as ((error: Error | undefined, client?: PgTypes.Client) => void) | undefined;
    let timedOut = false;
    const timer =
      this.connectTimeout === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            // What pg's connectionTimeoutMillis does: end the socket, which fails the connect.
            (this as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
          }, this.connectTimeout);
    const settle = (error: Error | undefined): Error | undefined => {
      clearTimeout(timer);
      return error && timedOut ? this.notAnsweredError(error) : error;
    };
    if (callback) {
      // biome-ignore lint/suspicious/noExplicitAny: see above
      (super.connect as any)((error: Error | null, client?: PgTypes.Client) => callback(settle(error ?? undefined), client));
      return undefined;
    }
    return super.connect().then(
      (client) => {
        settle(undefined);
        return client;
      },
      (error: Error) => Promise.reject(settle(error)),
    );
  }

  private notAnsweredError(cause: Error): MigrateError {
    const at = `${this.host}:${this.port}`;
    const seconds = (this.connectTimeout ?? 0) / 1000;
    return new MigrateError('P1001', `Can't reach database server at \`${at}\`: it did not answer within ${seconds} s (connect_timeout).`, {
      hint: `Make sure the database server is running at \`${at}\` and that nothing in between (a proxy, a pooler, a firewall) holds the connection. \`?connect_timeout=<seconds>\` in the URL sets how long to wait.`,
      details: { host: this.host, port: this.port, connectTimeoutSeconds: seconds },
      cause,
    });
  }
}
