import { ErrorCodes, MigrateError } from '../errors.js';

/** Prisma's default for `connect_timeout`: seconds to wait for a new connection to be ready. */
export const DEFAULT_CONNECT_TIMEOUT_S = 5;

/**
 * How long opening a connection may take, from the URL's `?connect_timeout=<seconds>` (Prisma's
 * parameter; `0` means no limit), 5 s when absent. Throws on a value that is not a number of seconds.
 */
export function connectTimeoutMs(url: string): number | undefined {
  const value = connectTimeoutParam(url);
  if (value === null) return DEFAULT_CONNECT_TIMEOUT_S * 1000;
  const seconds = Number(value);
  if (value.trim() === '' || !Number.isFinite(seconds) || seconds < 0) {
    throw new MigrateError(ErrorCodes.invalidUrl, `The database URL's connect_timeout "${value}" is not a number of seconds.`, {
      hint: `Write it like ?connect_timeout=10 (seconds to wait for the server to answer; 0 waits forever), or leave it out (${DEFAULT_CONNECT_TIMEOUT_S} s).`,
    });
  }
  return seconds === 0 ? undefined : Math.round(seconds * 1000);
}

function connectTimeoutParam(url: string): string | null {
  try {
    return new URL(url).searchParams.get('connect_timeout');
  } catch {
    return null;
  }
}
