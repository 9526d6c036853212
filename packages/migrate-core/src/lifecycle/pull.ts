import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { isMigrateError, MigrateError } from '../errors.js';
import { withOriginalDatasource } from '../schema/datasource.js';
import { readPrismaSchema } from '../schema/load.js';
import type { SchemaFile, SchemaSource } from '../source.js';
import { type LifecycleOptions, withSession } from './session.js';

export interface PullOptions {
  /** Ignore the models of the current schema (no `@@map`, relation names or comments are kept) and replace its files. */
  force?: boolean | undefined;
  /** The database schemas to introspect (PostgreSQL), instead of those the datasource's `schemas` names. */
  schemas?: string[] | undefined;
}

export interface PullResult {
  /** The schema files as the database describes them, with their paths: what `db pull` writes. */
  files: SchemaFile[];
  /** Schema files the introspected ones replace, to be removed before writing (with `force`, as Prisma does). */
  replaced: string[];
  modelsCount: number;
  /** What the engine says it kept from the previous schema or could not represent; null when nothing. */
  warnings: string | null;
}

/**
 * `db pull`: introspects the database and returns the schema it describes. Without `force`,
 * what the engine's re-introspection keeps from the current files is kept (`@@map`/`@map`
 * names, relation field names, `///` comments, `@ignore`), models stay in the file they are
 * in and new ones go to `introspected.prisma` beside the schema (a folder schema); the
 * generator and datasource blocks stay as written (URLs included). Reads the database only and
 * writes nothing: the caller writes or prints the files.
 * Fails with P4001 when the database has no tables, P1003 when it does not exist, P1012 when the
 * current schema is invalid (unless `force`).
 */
export async function pull(source: SchemaSource, options: PullOptions & LifecycleOptions = {}): Promise<PullResult> {
  const original = readPrismaSchema(source.schemaPath);
  const rootDir = statSync(source.schemaPath).isDirectory() ? source.schemaPath : dirname(source.schemaPath);
  const result = await withSession(source, options, (session) =>
    session.engine.introspect({ schema: session.schema(), baseDirectoryPath: rootDir, force: Boolean(options.force), compositeTypeDepth: -1, namespaces: options.schemas?.length ? options.schemas : null }),
  ).catch((error: unknown) => {
    throw explainPullError(error);
  });
  const datasourceFile = original.find((f) => /^[ \t]*datasource[ \t]/m.test(f.content));
  const files = result.schema.files.map((f) => ({ path: f.path, content: datasourceFile ? withOriginalDatasource(f.content, datasourceFile.content) : f.content }));
  return {
    files,
    replaced: options.force ? original.map((f) => f.path) : [],
    modelsCount: files.reduce((n, f) => n + (f.content.match(/^model\s+/gm) ?? []).length, 0),
    warnings: result.warnings?.trim() ? result.warnings : null,
  };
}

/** Prisma's explanations of the errors `db pull` users meet, on top of the engine's code. */
function explainPullError(error: unknown): unknown {
  if (!isMigrateError(error)) return error;
  if (error.code === 'P4001') {
    return new MigrateError(
      'P4001',
      'The introspected database was empty: `db pull` could not create any models in your Prisma schema, and you will not be able to generate Prisma Client from it.',
      {
        hint: (command) =>
          `Create a table in the database, or make sure the datasource URL points to a database that is not empty (it must contain at least one table). Then run \`${command('pull')}\` again.`,
        cause: error,
      },
    );
  }
  if (error.code === 'P1003') {
    return new MigrateError('P1003', `The introspected database does not exist: ${error.message}`, {
      hint: (command) => `Create the database, or make sure the datasource URL points to an existing database. Then run \`${command('pull')}\` again.`,
      cause: error,
    });
  }
  if (error.code === 'P1012') {
    return new MigrateError('P1012', `${error.message}\n\nIntrospection failed as your current Prisma schema file is invalid.`, {
      hint: (command) =>
        `Fix the schema (\`prisma validate\` shows what is broken), then run this command again; or run \`${command('pull')} --force\` to ignore the current schema and overwrite it (all local modifications will be lost).`,
      cause: error,
    });
  }
  return error;
}
