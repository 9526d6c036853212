/**
 * The datasource reader (schema/datasource.ts) against Prisma's own parser of the schema
 * language, @prisma/prisma-schema-wasm: over generated schemas (passwords of every printable ASCII
 * character in literal URLs, `}` and quotes in comments and strings, env() values, CRLF, models
 * around the block, several files), it must find the properties Prisma finds, on the same lines,
 * with the values written, and leave the engine a schema in which Prisma finds none of them.
 */
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MigrateError } from '../src/errors.js';
import { extractDatasource } from '../src/schema/datasource.js';

interface SchemaWasm {
  lint(input: string): string;
  get_config(params: string): string;
}
const wasm = createRequire(import.meta.url)('@prisma/prisma-schema-wasm') as SchemaWasm;

interface Diagnostic {
  file_name: string;
  start: number;
  end: number;
  text: string;
}

/** The connection properties Prisma's parser finds (it refuses each one under Prisma 7 rules), as `file:line:key`. */
function prismaConnectionProperties(files: { path: string; content: string }[]): string[] {
  const diagnostics = JSON.parse(wasm.lint(JSON.stringify(files.map((f) => [f.path, f.content])))) as Diagnostic[];
  const found: string[] = [];
  for (const d of diagnostics) {
    const key = /^The datasource property `(url|directUrl|shadowDatabaseUrl)` is no longer supported/.exec(d.text)?.[1];
    if (!key) continue;
    const content = files.find((f) => f.path === d.file_name)!.content;
    // Offsets are bytes of UTF-8; the schemas here are ASCII, so bytes are characters.
    const line = content.slice(0, d.start).split(/\r\n|\r|\n/).length;
    found.push(`${d.file_name}:${line}:${key}`);
  }
  return found.sort();
}

function prismaDatasource(files: { path: string; content: string }[]): { name: string; provider: string } {
  const config = JSON.parse(wasm.get_config(JSON.stringify({ prismaSchema: files.map((f) => [f.path, f.content]), datasourceOverrides: {}, ignoreEnvVarErrors: true, env: {} }))) as {
    config: { datasources: { name: string; provider: string }[] };
  };
  const { name, provider } = config.config.datasources[0]!;
  return { name, provider };
}

function thrown(fn: () => unknown): MigrateError {
  try {
    fn();
  } catch (error) {
    return error as MigrateError;
  }
  throw new Error('expected an error');
}

describe('the datasource reader', () => {
  it('reads a literal url whose password holds } and quotes, beside comments holding }', () => {
    const password = 'p}a"s\\s{w}o//rd';
    const content = [
      'datasource db {',
      '  provider = "postgresql"',
      '  // an old one: "postgresql://u:x}@h/db" }',
      `  url = ${JSON.stringify(`postgresql://u:${password}@127.0.0.1:5432/app`)} // not { this }`,
      '  /// documentation }',
      '  shadowDatabaseUrl = env( "SHADOW" )',
      '}',
      '',
      'model A {',
      '  id   Int    @id',
      '  name String @default("}")',
      '}',
      '',
    ].join('\n');
    const { datasource, files } = extractDatasource([{ path: 'schema.prisma', content }]);
    expect(datasource.url).toEqual({ kind: 'literal', value: `postgresql://u:${password}@127.0.0.1:5432/app` });
    expect(datasource.shadowDatabaseUrl).toEqual({ kind: 'env', variable: 'SHADOW' });
    const out = files[0]!.content;
    expect(out.split('\n')).toHaveLength(content.split('\n').length);
    expect(out).not.toContain('w}o');
    expect(out).not.toContain('SHADOW');
    expect(prismaConnectionProperties([{ path: 'schema.prisma', content }])).toEqual(['schema.prisma:4:url', 'schema.prisma:6:shadowDatabaseUrl']);
    expect(prismaConnectionProperties(files)).toEqual([]);
  });

  it('refuses a url it cannot read without showing it', () => {
    const content = 'datasource db {\n  provider = "postgresql"\n  url = "postgresql://u:hunter22@h/db\n}\n';
    const error = thrown(() => extractDatasource([{ path: 'schema.prisma', content }]));
    expect(error.code).toBe('MK_USAGE');
    expect(error.message).toContain('line 3');
    expect(error.message).not.toContain('hunter22');
    const withoutEquals = 'datasource db {\n  provider = "postgresql"\n  url "postgresql://u:hunter22@h/db"\n}\n';
    expect(thrown(() => extractDatasource([{ path: 'schema.prisma', content: withoutEquals }])).message).toContain('line 3');
  });

  it('keeps CRLF line ends and finds the block in the second file', () => {
    const files = [
      { path: 'a.prisma', content: 'model A {\r\n  id Int @id @default(1) // }\r\n}\r\n' },
      { path: 'b.prisma', content: 'datasource db {\r\n  provider = "sqlite"\r\n  url = "file:./a}b.db"\r\n}\r\n' },
    ];
    const { datasource, files: out } = extractDatasource(files);
    expect(datasource).toMatchObject({ name: 'db', provider: 'sqlite', url: { kind: 'literal', value: 'file:./a}b.db' }, file: 'b.prisma' });
    expect(out[1]!.content).toBe('datasource db {\r\n  provider = "sqlite"\r\n\r\n}\r\n');
  });
});

const PRINTABLE = fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c));
const URL_SPECIAL = fc.constantFrom(...'/@:}{#?%" \\\'');
const passwordArb = fc.array(fc.oneof(PRINTABLE, URL_SPECIAL), { minLength: 1, maxLength: 24 }).map((cs) => cs.join(''));
const commentArb = fc.array(fc.oneof(PRINTABLE, URL_SPECIAL), { maxLength: 20 }).map((cs) => cs.join(''));

type Value = { kind: 'literal'; value: string } | { kind: 'env'; variable: string };
const valueArb: fc.Arbitrary<Value> = fc.oneof(
  passwordArb.map((p) => ({ kind: 'literal' as const, value: `postgresql://u:${p}@127.0.0.1:5432/app` })),
  fc.constantFrom('DATABASE_URL', 'DIRECT_URL', 'SHADOW_URL').map((variable) => ({ kind: 'env' as const, variable })),
);

const schemaArb = fc.record({
  name: fc.constantFrom('db', 'main', 'ds-1'),
  provider: fc.constantFrom('postgresql', 'sqlite'),
  url: fc.option(valueArb, { nil: undefined }),
  directUrl: fc.option(valueArb, { nil: undefined }),
  shadowDatabaseUrl: fc.option(valueArb, { nil: undefined }),
  comments: fc.array(fc.tuple(fc.constantFrom('//', '///'), commentArb), { maxLength: 3 }),
  trailing: fc.array(commentArb, { minLength: 4, maxLength: 4 }),
  order: fc.shuffledSubarray([0, 1, 2, 3, 4, 5, 6], { minLength: 7, maxLength: 7 }),
  newline: fc.constantFrom('\n', '\r\n'),
  indent: fc.constantFrom('  ', '\t', ''),
  split: fc.boolean(),
});

describe('against Prisma\'s parser (@prisma/prisma-schema-wasm)', () => {
  it('finds the same properties on the same lines, reads the values written, and leaves none for the engine', () => {
    fc.assert(
      fc.property(schemaArb, (s) => {
        const render = (v: Value) => (v.kind === 'env' ? `env("${v.variable}")` : JSON.stringify(v.value));
        const members: string[] = [];
        const comment = (i: number) => (s.trailing[i] ? ` // ${s.trailing[i]}` : '');
        for (const slot of s.order) {
          if (slot === 0) members.push(`provider = "${s.provider}"${comment(0)}`);
          if (slot === 1 && s.url) members.push(`url = ${render(s.url)}${comment(1)}`);
          if (slot === 2 && s.directUrl) members.push(`directUrl   =   ${render(s.directUrl)}${comment(2)}`);
          if (slot === 3 && s.shadowDatabaseUrl) members.push(`shadowDatabaseUrl=${render(s.shadowDatabaseUrl)}${comment(3)}`);
          if (slot >= 4 && s.comments[slot - 4]) members.push(`${s.comments[slot - 4]![0]} ${s.comments[slot - 4]![1]}`);
        }
        const nl = s.newline;
        const block = `datasource ${s.name} {${nl}${members.map((m) => `${s.indent}${m}${nl}`).join('')}}${nl}`;
        const models = `model A {${nl}  id Int @id @default(1) // }${nl}  b  String @default("} {")${nl}}${nl}`;
        const files = s.split
          ? [
              { path: 'models.prisma', content: models },
              { path: 'schema.prisma', content: `// the datasource }${nl}${block}` },
            ]
          : [{ path: 'schema.prisma', content: `${models}${nl}${block}` }];

        const { datasource, files: out } = extractDatasource(files);
        expect(datasource.url).toEqual(s.url);
        expect(datasource.directUrl).toEqual(s.directUrl);
        expect(datasource.shadowDatabaseUrl).toEqual(s.shadowDatabaseUrl);
        expect({ name: datasource.name, provider: datasource.provider }).toEqual(prismaDatasource(files));

        const ours = files.flatMap((f) => {
          const lines = f.content.split(/\r\n|\n/);
          const blanked = out.find((o) => o.path === f.path)!.content.split(/\r\n|\n/);
          expect(blanked).toHaveLength(lines.length);
          return lines.flatMap((line, i) => (blanked[i] === line ? [] : [`${f.path}:${i + 1}:${/^\s*(\w+)/.exec(line)![1]}`]));
        });
        expect(ours.sort()).toEqual(prismaConnectionProperties(files));
        expect(prismaConnectionProperties(out)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
