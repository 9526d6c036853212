import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { ErrorCodes, MigrateError } from '../errors.js';
import type { SchemaFile } from '../source.js';

/**
 * Reads a Prisma schema from a file, or from a folder of `.prisma` files (Prisma's multi-file
 * schemas: every `.prisma` file below the folder, in a stable order).
 */
export function readPrismaSchema(path: string): SchemaFile[] {
  const absolute = resolve(path);
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(absolute);
  } catch {
    throw new MigrateError(ErrorCodes.schemaNotFound, `Could not find a Prisma schema at ${path}.`, {
      hint: 'Pass --schema <file or folder>, or create prisma/schema.prisma.',
    });
  }
  if (stat.isFile()) return [{ path: absolute, content: readFileSync(absolute, 'utf8') }];
  const files = listPrismaFiles(absolute).map((file) => ({ path: file, content: readFileSync(file, 'utf8') }));
  if (files.length === 0) {
    throw new MigrateError(ErrorCodes.schemaNotFound, `The folder ${path} holds no .prisma files.`, {
      hint: 'Point --schema at a schema.prisma file or at a folder of .prisma files.',
    });
  }
  return files;
}

function listPrismaFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules' && entry.name !== 'migrations') out.push(...listPrismaFiles(full));
    else if (entry.isFile() && entry.name.endsWith('.prisma')) out.push(full);
  }
  return out.sort((a, b) => relative(dir, a).localeCompare(relative(dir, b)));
}
