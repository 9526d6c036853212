import { describe, expect, it } from 'vitest';
import { resolveConnection, sqliteFile } from '../src/engine/connection.js';
import type { MigrateError } from '../src/errors.js';
import { redactSecrets, redactUrl } from '../src/redact.js';
import { extractDatasource, resolveUrlSetting } from '../src/schema/datasource.js';

const prisma6 = `generator client {
  provider = "prisma-client-js"
}

datasource db {
  provider          = "postgresql"
  url               = env("DATABASE_URL")
  directUrl         = "postgresql://u:p@direct/db" // pooled vs direct
  shadowDatabaseUrl = env("SHADOW_URL")
}

model A {
  id Int @id
}
`;

function thrown(fn: () => unknown): MigrateError {
  try {
    fn();
  } catch (error) {
    return error as MigrateError;
  }
  throw new Error('expected an error');
}

describe('Prisma 6-style datasource settings', () => {
  it('are read as connection settings', () => {
    const { datasource } = extractDatasource([{ path: 'schema.prisma', content: prisma6 }]);
    expect(datasource.provider).toBe('postgresql');
    expect(datasource.url).toEqual({ kind: 'env', variable: 'DATABASE_URL' });
    expect(datasource.directUrl).toEqual({ kind: 'literal', value: 'postgresql://u:p@direct/db' });
    expect(datasource.shadowDatabaseUrl).toEqual({ kind: 'env', variable: 'SHADOW_URL' });
  });

  it('are removed from what the engine sees, keeping line numbers', () => {
    const { files } = extractDatasource([{ path: 'schema.prisma', content: prisma6 }]);
    const out = files[0]!.content;
    expect(out).not.toMatch(/url|Url/);
    expect(out.split('\n')).toHaveLength(prisma6.split('\n').length);
    expect(out).toContain('provider          = "postgresql"');
    expect(out).toContain('model A {');
  });

  it('find the datasource in any file of a multi-file schema, and refuse two', () => {
    const files = [
      { path: 'a.prisma', content: 'model A {\n  id Int @id\n}\n' },
      { path: 'b.prisma', content: 'datasource db {\n  provider = "sqlite"\n}\n' },
    ];
    expect(extractDatasource(files).datasource.provider).toBe('sqlite');
    expect(thrown(() => extractDatasource([...files, { path: 'c.prisma', content: files[1]!.content }])).message).toContain('second datasource');
    expect(thrown(() => extractDatasource([files[0]!])).code).toBe('MK_USAGE');
  });

  it('a missing environment variable is an error naming it', () => {
    const error = thrown(() => resolveUrlSetting({ kind: 'env', variable: 'NOPE_URL' }, {}));
    expect(error.code).toBe('MK_MISSING_URL');
    expect(error.message).toContain('NOPE_URL');
    expect(resolveUrlSetting({ kind: 'env', variable: 'X' }, { X: 'file:./a.db' })).toBe('file:./a.db');
  });
});

describe('connections', () => {
  it('resolve relative SQLite paths against the schema folder', () => {
    expect(sqliteFile('file:./dev.db', '/p/prisma')).toBe('/p/prisma/dev.db');
    expect(sqliteFile('file:/abs/dev.db?connection_limit=1', '/p')).toBe('/abs/dev.db');
    expect(thrown(() => sqliteFile('./dev.db', '/p')).code).toBe('MK_INVALID_URL');
  });

  it('reject a malformed PostgreSQL URL without printing its password', () => {
    const error = thrown(() => resolveConnection({ provider: 'postgresql', url: 'postgresql//bob:hunter2@x', baseDir: '/' }));
    expect(error.code).toBe('MK_INVALID_URL');
    expect(error.message).not.toContain('hunter2');
  });

  it('refuse MySQL with the reason', () => {
    const error = thrown(() => resolveConnection({ provider: 'mysql', url: 'mysql://root@localhost/x', baseDir: '/' }));
    expect(error.code).toBe('MK_UNSUPPORTED_PROVIDER');
    expect(error.message).toContain('WebAssembly');
  });

  it('refuse a shadow database that is the main database', () => {
    const url = 'postgresql://u@h:5432/app';
    expect(thrown(() => resolveConnection({ provider: 'postgresql', url, shadowDatabaseUrl: url, baseDir: '/' })).code).toBe('MK_INVALID_URL');
  });
});

describe('redaction', () => {
  it('hides passwords in URLs and in free text', () => {
    expect(redactUrl('postgresql://bob:s3cret@db:5432/app')).toBe('postgresql://bob:***@db:5432/app');
    expect(redactUrl('postgresql://db/app?user=bob&password=s3cret')).toBe('postgresql://db/app?user=bob&password=***');
    expect(redactSecrets('failed for postgres://a:b%40c@h/d and s3cret', ['s3cret'])).toBe('failed for postgres://a:***@h/d and ***');
  });
});
