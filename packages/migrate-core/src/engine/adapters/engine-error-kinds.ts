import type { Error as DriverAdapterErrorPayload } from '@prisma/driver-adapter-utils';

/**
 * The driver-adapter error kinds the Wasm schema engine (8.1) can decode: the variants it lists in
 * "unknown variant `X`, expected one of ...". @prisma/driver-adapter-utils declares more
 * (`InvalidInputValue`, `RestrictViolation`, `SocketTimeout`, `InconsistentColumnData`), and an
 * adapter error of such a kind reached the user as that serde message with a Wasm stack trace.
 * Test: test/migration-errors.test.ts ("every error kind an adapter can produce is one the engine decodes").
 */
export const KINDS_THE_ENGINE_DECODES: ReadonlySet<string> = new Set([
  'GenericJs',
  'UnsupportedNativeDataType',
  'InvalidIsolationLevel',
  'LengthMismatch',
  'UniqueConstraintViolation',
  'NullConstraintViolation',
  'ForeignKeyConstraintViolation',
  'DatabaseNotReachable',
  'DatabaseDoesNotExist',
  'DatabaseAlreadyExists',
  'DatabaseAccessDenied',
  'ConnectionClosed',
  'TlsConnectionError',
  'AuthenticationFailed',
  'TransactionWriteConflict',
  'TableDoesNotExist',
  'ColumnNotFound',
  'TooManyConnections',
  'ValueOutOfRange',
  'MissingFullTextSearchIndex',
  'TransactionAlreadyClosed',
  'postgres',
  'mysql',
  'sqlite',
  'mssql',
]);

/**
 * An adapter error the engine can decode, saying the same thing: a kind it knows passes as it is;
 * a socket timeout is the connection lost (`ConnectionClosed`, Prisma's P1017); any other kind
 * becomes the provider's generic kind carrying the driver's own code and message.
 */
export function decodableByEngine(error: DriverAdapterErrorPayload, provider: 'postgres' | 'sqlite' = 'postgres'): DriverAdapterErrorPayload {
  if (KINDS_THE_ENGINE_DECODES.has(error.kind)) return error;
  const { originalCode, originalMessage } = error;
  if (error.kind === 'SocketTimeout') return { kind: 'ConnectionClosed', originalCode, originalMessage };
  const said = 'message' in error ? error.message : 'cause' in error ? error.cause : undefined;
  const message = String(originalMessage ?? said ?? error.kind);
  if (provider === 'sqlite') return { kind: 'sqlite', extendedCode: 1, message, originalCode, originalMessage };
  return { kind: 'postgres', code: originalCode ?? 'N/A', severity: 'ERROR', message, detail: undefined, column: undefined, hint: undefined, originalCode, originalMessage };
}
