import { isAbsolute, resolve } from 'node:path';
import { ErrorCodes, MigrateError } from '../errors.js';
import { assertSupportedProvider } from '../provider.js';
import { redactUrl, registerUrlSecret } from '../redact.js';
import { connectTimeoutMs } from './connect-timeout.js';
import type { SchemaSource } from '../source.js';
import { shadowIsMainDatabaseError } from './shadow/shadow-is-not-main.js';

export type Connection =
  | {
      provider: 'sqlite';
      url: string;
      file: string;
      shadowFile?: string | undefined;
      shadowDatabaseUrl?: string | undefined;
      /** The project's configured database, when this run's database is another one (`diff --from-url`): never taken for the shadow either. */
      datasourceUrl?: string | undefined;
      /** How long a statement waits for another connection's lock (`?socket_timeout=<seconds>`, as in Prisma's SQLite URLs). */
      busyTimeoutMs?: number | undefined;
    }
  | {
      provider: 'postgresql';
      url: string;
      shadowDatabaseUrl?: string | undefined;
      schema?: string | undefined;
      /** The project's configured database, when this run's database is another one (`diff --from-url`): never taken for the shadow either. */
      datasourceUrl?: string | undefined;
    };

/** Turns a source's provider and URLs into a checked connection, or an error naming the fix. */
export function resolveConnection(source: Pick<SchemaSource, 'provider' | 'url' | 'shadowDatabaseUrl' | 'baseDir' | 'missingUrlHint'>): Connection {
  assertSupportedProvider(source.provider);
  const url = source.url;
  if (!url) {
    throw new MigrateError(ErrorCodes.missingUrl, 'No database URL is configured.', {
      hint:
        source.missingUrlHint ??
        'Set DATABASE_URL, or the datasource url where your project configures it (prisma.config.ts, the schema or ZModel datasource, or --url where the CLI has it).',
    });
  }
  registerUrlSecret(url);
  registerUrlSecret(source.shadowDatabaseUrl);
  if (source.provider === 'sqlite') {
    return {
      provider: 'sqlite',
      url,
      file: sqliteFile(url, source.baseDir),
      shadowFile: source.shadowDatabaseUrl ? sqliteFile(source.shadowDatabaseUrl, source.baseDir) : undefined,
      shadowDatabaseUrl: source.shadowDatabaseUrl,
      busyTimeoutMs: sqliteBusyTimeoutMs(url),
    };
  }
  checkPostgresUrl(url, 'url');
  if (source.shadowDatabaseUrl) {
    checkPostgresUrl(source.shadowDatabaseUrl, 'shadowDatabaseUrl');
    // The same spelling, caught before connecting; other spellings are caught by what the server says (shadow/shadow-is-not-main.ts).
    if (sameDatabase(url, source.shadowDatabaseUrl)) throw shadowIsMainDatabaseError(url, source.shadowDatabaseUrl, 'the same host, port and database');
  }
  const schema = new URL(url).searchParams.get('schema') ?? undefined;
  return { provider: 'postgresql', url, shadowDatabaseUrl: source.shadowDatabaseUrl, schema };
}

/** `file:./dev.db` -> absolute path, relative paths resolved against `baseDir` (as Prisma resolves them against the schema). */
export function sqliteFile(url: string, baseDir: string): string {
  const withoutScheme = url.replace(/^(file|sqlite):(\/\/)?/, '');
  const path = withoutScheme.split('?')[0] ?? '';
  if (!url.startsWith('file:') && !url.startsWith('sqlite:')) {
    throw new MigrateError(ErrorCodes.invalidUrl, `The SQLite URL "${redactUrl(url)}" must start with \`file:\`.`, {
      hint: 'Write it like file:./dev.db (relative to the schema) or file:/absolute/path/dev.db.',
    });
  }
  if (path === '' || path === ':memory:') {
    throw new MigrateError(ErrorCodes.invalidUrl, `The SQLite URL "${redactUrl(url)}" names no file.`, { hint: 'Write it like file:./dev.db.' });
  }
  return isAbsolute(path) ? path : resolve(baseDir, path);
}

/** `?socket_timeout=<seconds>` of a SQLite URL (Prisma's name for the wait on a locked database file). */
function sqliteBusyTimeoutMs(url: string): number | undefined {
  const query = url.split('?')[1];
  const value = query ? new URLSearchParams(query).get('socket_timeout') : null;
  if (value === null) return undefined;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new MigrateError(ErrorCodes.invalidUrl, `The SQLite URL's socket_timeout "${value}" is not a number of seconds.`, {
      hint: 'Write it like file:./dev.db?socket_timeout=10 (seconds to wait for a locked database file), or leave it out (30 s).',
    });
  }
  return Math.round(seconds * 1000);
}

// Before the example URL: an `@` after it on the line would read as the end of its password.
const PERCENT_ENCODE_HINT = 'Percent-encode @ : / ? # % and spaces in the user and the password (@ is %40, / is %2F), and write the URL like postgresql://USER:PASSWORD@HOST:5432/DATABASE.';

function checkPostgresUrl(url: string, what: string): void {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || !/^postgres(ql)?:$/.test(parsed.protocol) || !parsed.hostname) {
    throw new MigrateError(ErrorCodes.invalidUrl, `The ${what} "${redactUrl(url)}" is not a valid PostgreSQL URL.`, {
      hint: url.includes('@') ? PERCENT_ENCODE_HINT : 'Write it like postgresql://USER:PASSWORD@HOST:5432/DATABASE.',
    });
  }
  // Why: a password with an unencoded `/`, `?` or `#` ends the URL's host part early, so the URL
  // parses with a piece of the password as its host, port or database (`u:ab@cd/ef@db` connects
  // to host `cd`). Refuse it rather than send a piece of the password to another server.
  // Test: test/redaction.test.ts ("a password with an unencoded / ? # is refused").
  const hostPart = url.indexOf('//') + 2;
  const hostPartEnd = url.slice(hostPart).search(/[/?#]/);
  if (hostPartEnd !== -1 && url.lastIndexOf('@') > hostPart + hostPartEnd) {
    throw new MigrateError(ErrorCodes.invalidUrl, `The ${what} "${redactUrl(url)}" is not a valid PostgreSQL URL: its user or password holds a character that ends a URL's host part.`, {
      hint: PERCENT_ENCODE_HINT,
    });
  }
  connectTimeoutMs(url); // a connect_timeout that is not a number of seconds fails here, before anything connects
}

function sameDatabase(a: string, b: string): boolean {
  const x = new URL(a);
  const y = new URL(b);
  return x.hostname === y.hostname && (x.port || '5432') === (y.port || '5432') && x.pathname === y.pathname;
}

/** How a connection is shown to people: `SQLite database "dev.db" at "file:./dev.db"`, `PostgreSQL database "app" at "localhost:5432"`. */
export function describeConnection(connection: Connection): string {
  if (connection.provider === 'sqlite') return `SQLite database "${connection.file.split(/[\\/]/).pop()}" at "${connection.file}"`;
  const parsed = new URL(connection.url);
  const schema = connection.schema ? `, schema "${connection.schema}"` : '';
  return `PostgreSQL database "${decodeURIComponent(parsed.pathname.slice(1))}"${schema} at "${parsed.host}"`;
}
