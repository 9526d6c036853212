import { MigrateError } from '../errors.js';
import { redactSecrets } from '../redact.js';

/** PostgreSQL's SQLSTATE for "permission denied" (here: `CREATE DATABASE` by a role without CREATEDB). */
export const INSUFFICIENT_PRIVILEGE = '42501';

/**
 * The database in the URL does not exist and the role may not create it: Prisma's P1003 (the
 * database does not exist), saying why it was not created and the SQL that fixes it, instead of
 * PostgreSQL's bare "permission denied to create database" as an unexpected error.
 */
export function databaseCreationDenied(database: { name: string; server: string; role: string }, cause: unknown): MigrateError {
  const name = quoteIdentifier(database.name);
  const role = quoteIdentifier(database.role);
  return new MigrateError(
    'P1003',
    redactSecrets(
      `Database \`${database.name}\` does not exist on the database server at \`${database.server}\`, and the role \`${database.role}\` may not create it (PostgreSQL: permission denied to create database).`,
    ),
    {
      hint: redactSecrets(
        `Create it as a role that may: \`CREATE DATABASE ${name} OWNER ${role};\`, or let this role create databases: \`ALTER ROLE ${role} CREATEDB;\`, then run the command again.`,
      ),
      details: { database: database.name, role: database.role },
      cause,
    },
  );
}

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
