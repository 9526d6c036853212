import { ErrorCodes, MigrateError } from '../errors.js';
import { redactSecrets } from '../redact.js';

type Mapped = { kind: string; [key: string]: unknown };

/**
 * What a driver adapter threw, as a MigrateError with Prisma's P-code for the same condition
 * (P1000 authentication, P1001 unreachable, P1003 no such database, ...). The adapters wrap
 * driver errors in DriverAdapterError, whose `cause` holds the mapped kind.
 */
export function translateDriverError(error: unknown): MigrateError {
  if (error instanceof MigrateError) return error;
  const cause = (error as { cause?: unknown })?.cause;
  const mapped = (cause && typeof cause === 'object' && 'kind' in cause ? cause : undefined) as Mapped | undefined;
  const original = redactSecrets(String((mapped?.originalMessage as string | undefined) ?? (error as Error)?.message ?? error));
  if (!mapped) return new MigrateError(ErrorCodes.engine, original, { cause: error });
  const at = mapped.host ? ` at \`${mapped.host}${mapped.port ? `:${mapped.port}` : ''}\`` : '';
  switch (mapped.kind) {
    case 'DatabaseNotReachable':
      return new MigrateError('P1001', `Can't reach database server${at}.`, {
        hint: 'Make sure the database server is running and the host and port in the URL are right.',
        cause: error,
      });
    case 'AuthenticationFailed':
      return new MigrateError('P1000', `Authentication failed against the database server: the credentials${mapped.user ? ` for \`${mapped.user}\`` : ''} are not valid.`, {
        hint: 'Check the user and password in the database URL.',
        cause: error,
      });
    case 'DatabaseDoesNotExist':
      return new MigrateError('P1003', `Database \`${mapped.db ?? ''}\` does not exist on the database server.`, {
        hint: 'Create it first (e.g. `createdb <name>`), or fix the database name in the URL.',
        cause: error,
      });
    case 'DatabaseAccessDenied':
      return new MigrateError('P1010', `User was denied access on the database \`${mapped.db ?? ''}\`.`, {
        hint: 'Grant the user access to the database, or use a user who has it.',
        cause: error,
      });
    case 'SocketTimeout':
    case 'ConnectionClosed':
      return new MigrateError('P1017', `The database server closed the connection: ${original}`, { cause: error });
    case 'TlsConnectionError':
      return new MigrateError('P1011', `Error opening a TLS connection: ${redactSecrets(String(mapped.reason ?? original))}`, { cause: error });
    case 'postgres':
      return new MigrateError(ErrorCodes.engine, `Database error code: ${mapped.code}\n\n${redactSecrets(String(mapped.message))}`, { cause: error });
    case 'sqlite':
      return new MigrateError(ErrorCodes.engine, `SQLite error: ${redactSecrets(String(mapped.message))}`, { cause: error });
    default:
      return new MigrateError(ErrorCodes.engine, `${mapped.kind}: ${original}`, { cause: error });
  }
}
