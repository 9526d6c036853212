import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeRun, output } from './helpers/cli.js';
import { PROVIDERS, tableNames } from './helpers/database.js';
import { projectsFor, type TestProject } from './helpers/project.js';

// Everything but the migrate and db verbs is handed to the project's own `prisma` (7.10.1, this
// package's devDependency, found from the project folder as a project finds it).
const PRISMA_VERSION = (createRequire(import.meta.url)('prisma/package.json') as { version: string }).version;

const BADLY_INDENTED = (datasource: string) =>
  `${datasource}\nmodel   User {\nid Int @id @default(autoincrement())\n        email String @unique\n  name String?\n  createdAt     DateTime @default(now())\n}\n`;

/** The field lines of a model block. */
function fieldLines(schema: string, model: string): string[] {
  const body = new RegExp(`model ${model} \\{\\n([^}]*)\\}`).exec(schema)?.[1] ?? '';
  return body.split('\n').filter((line) => line.trim() !== '');
}

describe.each(PROVIDERS)('prisma format and validate, passed through, on a %s schema', (provider) => {
  const newProject = projectsFor();
  let project: TestProject;

  beforeAll(async () => {
    project = await newProject({ provider, style: 'config' });
  });

  it("format rewrites a badly indented schema with Prisma's formatter and exits 0; validate then exits 0", async () => {
    project.write('prisma/schema.prisma', BADLY_INDENTED(project.datasource));
    const format = await project.cli(['format']);
    expect(format.code, describeRun(format)).toBe(0);
    const formatted = project.read('prisma/schema.prisma');
    expect(formatted).not.toBe(BADLY_INDENTED(project.datasource));
    expect(formatted).toContain('model User {');
    const fields = fieldLines(formatted, 'User');
    expect(fields.map((line) => line.trim().split(/\s+/)[0])).toEqual(['id', 'email', 'name', 'createdAt']);
    // Two spaces in, and the types and attributes aligned in columns.
    for (const line of fields) expect(line).toMatch(/^ {2}\S/);
    expect(new Set(fields.map((line) => line.search(/\s(Int|String|DateTime)/)))).toHaveLength(1);

    const validate = await project.cli(['validate']);
    expect(validate.code, describeRun(validate)).toBe(0);
    expect(output(validate)).toContain('is valid');
  });

  it("validate exits non-zero on an invalid schema with Prisma's own message, and leaves the file alone", async () => {
    const broken = `${project.datasource}\nmodel User {\n  id    Int   @id\n  email Strin\n}\n`;
    project.write('prisma/schema.prisma', broken);
    const validate = await project.cli(['validate']);
    expect(validate.code, describeRun(validate)).toBe(1);
    expect(output(validate)).toContain('P1012');
    expect(output(validate)).toContain('Type "Strin" is neither a built-in type');
    expect(project.read('prisma/schema.prisma')).toBe(broken);
  });
});

describe('other commands passed through', () => {
  const newProject = projectsFor();
  let project: TestProject;

  beforeAll(async () => {
    project = await newProject({ provider: 'sqlite', style: 'config' });
  });

  it("an unknown verb gets Prisma's own error and a non-zero exit", async () => {
    const run = await project.cli(['frobnicate']);
    expect(run.code, describeRun(run)).not.toBe(0);
    expect(output(run)).toContain('Unknown command "frobnicate"');
    expect(await tableNames(project.db)).toEqual([]);
  });

  it('db pull is not handed over (it needed the native engine there): it runs in-process, P4001 on an empty database, the schema untouched', async () => {
    const schema = project.read('prisma/schema.prisma');
    await project.db.exec('PRAGMA user_version = 1;');
    const run = await project.cli(['db', 'pull']);
    expect(run.code, describeRun(run)).toBe(1);
    expect(output(run)).toContain('P4001');
    expect(output(run)).not.toContain("This command needs Prisma's native schema engine");
    expect(project.read('prisma/schema.prisma')).toBe(schema);
  });

  it("version is Prisma's, and the stand-in for the native engine answers it instead of failing the command", async () => {
    const run = await project.cli(['version']);
    expect(run.code, describeRun(run)).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^prisma\\s+: ${PRISMA_VERSION.replace(/\./g, '\\.')}$`, 'm'));
    expect(run.stdout).toMatch(/^Schema Engine\s+: .*in-process/m);
  });

  it('a project without prisma installed is told which package to add; its migrate and db verbs still run', async () => {
    const outside = await newProject({ provider: 'sqlite', style: 'env', outsideRepo: true });
    const format = await outside.cli(['format']);
    expect(format.code, describeRun(format)).toBe(1);
    expect(format.stderr).toContain('MK_PRISMA_NOT_INSTALLED');
    expect(format.stderr).toContain('npm install --save-dev prisma');
    expect(readFileSync(outside.schemaPath, 'utf8')).toContain('model User');

    const push = await outside.cli(['db', 'push']);
    expect(push.code, describeRun(push)).toBe(0);
    expect(await tableNames(outside.db)).toEqual(['User']);
  });
});
