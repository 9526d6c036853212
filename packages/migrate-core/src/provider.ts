import { ErrorCodes, MigrateError } from './errors.js';

/** The datasource providers of Prisma's schema language. */
export type Provider = 'sqlite' | 'postgresql' | 'mysql' | 'sqlserver' | 'cockroachdb' | 'mongodb';

/** What the in-process (Wasm) schema engine can drive today. */
export type SupportedProvider = 'sqlite' | 'postgresql';

const KNOWN: readonly string[] = ['sqlite', 'postgresql', 'postgres', 'mysql', 'sqlserver', 'cockroachdb', 'mongodb'];

export function normalizeProvider(provider: string): Provider {
  const p = provider.trim().toLowerCase();
  if (p === 'postgres') return 'postgresql';
  if (!KNOWN.includes(p)) {
    throw new MigrateError(ErrorCodes.unsupportedProvider, `Unknown datasource provider "${provider}".`, {
      hint: 'Use one of: sqlite, postgresql (mysql, sqlserver, cockroachdb and mongodb are recognised but not supported yet).',
    });
  }
  return p as Provider;
}

/**
 * The Wasm schema engine only has driver adapters for PostgreSQL and SQLite: a MySQL adapter
 * makes it panic (`Unsupported adapter provider: Mysql`). The other providers need Prisma's
 * native schema-engine binary, which this project exists to avoid downloading.
 */
export function assertSupportedProvider(provider: Provider): asserts provider is SupportedProvider {
  if (provider === 'sqlite' || provider === 'postgresql') return;
  throw new MigrateError(
    ErrorCodes.unsupportedProvider,
    `The "${provider}" provider is not supported yet: the in-process Prisma schema engine (WebAssembly) only drives PostgreSQL and SQLite, and ${provider} needs Prisma's native schema-engine binary.`,
    { hint: 'Use stock `prisma migrate` for this database for now, or switch the datasource to postgresql or sqlite.' },
  );
}
