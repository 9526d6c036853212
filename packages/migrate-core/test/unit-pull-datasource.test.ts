import { describe, expect, it } from 'vitest';
import { extractDatasource, withOriginalDatasource } from '../src/schema/datasource.js';

// db pull shows the engine the datasource without its connection keys (Prisma 7 rules) and puts
// the block back as the user wrote it in what the engine returns.
const written = `generator client {
  provider = "prisma-client-js"
}

datasource db {
  provider  = "postgresql"
  // pooled, for the app
  url       = env("DATABASE_URL")
  directUrl = env("DIRECT_URL") // for migrations
}

model A {
  id Int @id
}
`;

describe('withOriginalDatasource', () => {
  it('puts back the url lines and comments the engine never saw, leaving the rest as introspected', () => {
    const shown = extractDatasource([{ path: 'schema.prisma', content: written }]).files[0]!.content;
    expect(shown).not.toContain('env("DATABASE_URL")');
    // What the engine renders from what it was shown: the block re-formatted, models replaced.
    const introspected = 'generator client {\n  provider = "prisma-client-js"\n}\n\ndatasource db {\n  provider = "postgresql"\n}\n\nmodel b {\n  id Int @id\n}\n';
    expect(withOriginalDatasource(introspected, written)).toBe(
      `generator client {\n  provider = "prisma-client-js"\n}\n\n${written.slice(written.indexOf('datasource'), written.indexOf('\n\nmodel A'))}\n\nmodel b {\n  id Int @id\n}\n`,
    );
  });

  it('a `}` inside a string of the block does not end it early', () => {
    const original = 'datasource db {\n  provider = "sqlite"\n  url      = "file:./a}b.db"\n}\n';
    expect(withOriginalDatasource('datasource db {\n  provider = "sqlite"\n}\n\nmodel x {\n  id Int @id\n}\n', original)).toBe(
      `${original}\nmodel x {\n  id Int @id\n}\n`,
    );
  });

  it('a block the engine changed (`schemas` from --schemas) is kept, with the url lines put back after its provider', () => {
    const original = 'datasource db {\n  // main\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n';
    const introspected = 'datasource db {\n  provider = "postgresql"\n  schemas  = ["audit"]\n}\n\nmodel events {\n  id Int @id\n\n  @@schema("audit")\n}\n';
    expect(withOriginalDatasource(introspected, original)).toBe(
      'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n  schemas  = ["audit"]\n}\n\nmodel events {\n  id Int @id\n\n  @@schema("audit")\n}\n',
    );
  });

  it('a file without a datasource block is left as introspected', () => {
    const models = 'model x {\n  id Int @id\n}\n';
    expect(withOriginalDatasource(models, written)).toBe(models);
  });
});
