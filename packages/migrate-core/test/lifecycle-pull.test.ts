import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pull } from '../src/lifecycle/pull.js';
import { createTestProject, datasourceBlock, PROVIDERS, type TestProject } from './helpers/project.js';

// The `pull` operation (db pull) through the API and the migrate-kit CLI: it returns the schema the
// database describes; only the CLI writes it.
const TABLES = 'CREATE TABLE accounts (id INTEGER PRIMARY KEY, handle TEXT NOT NULL);\nCREATE TABLE notes (id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL REFERENCES accounts(id), body TEXT);\n';

describe.each(PROVIDERS)('pull on %s', (provider) => {
  let project: TestProject;

  beforeAll(async () => {
    project = await createTestProject(provider);
    project.setModels('');
    const run = await project.cli(['execute', '--stdin'], { input: TABLES });
    expect(run.code, run.stderr).toBe(0);
  });
  afterAll(() => project.cleanup());

  it('the API returns the introspected schema with the datasource block as written, and writes nothing', async () => {
    const before = readFileSync(project.schemaPath, 'utf8');
    const result = await pull(project.source());
    expect(readFileSync(project.schemaPath, 'utf8')).toBe(before);
    expect(result.files.map((f) => f.path)).toEqual([project.schemaPath]);
    expect(result.modelsCount).toBe(2);
    expect(result.replaced).toEqual([]);
    const schema = result.files[0]!.content;
    expect(schema.startsWith(datasourceBlock(provider))).toBe(true);
    expect(schema).toMatch(/model accounts \{\n {2}id +Int +@id[^\n]*\n {2}handle +String\n {2}notes +notes\[\]\n\}/);
    expect(schema).toMatch(/model notes \{[^}]*account_id +Int\n[^}]*accounts +accounts +@relation\(fields: \[account_id\], references: \[id\]/);
  });

  it('migrate-kit pull writes it; a renamed model keeps its name and @@map on the next pull', async () => {
    const first = await project.cli(['pull']);
    expect(first.code, first.stderr).toBe(0);
    const written = readFileSync(project.schemaPath, 'utf8');
    expect(written).toContain('model accounts {');
    project.setModels(written.slice(written.indexOf('model ')).replace('model accounts {', 'model Account {').replaceAll(' accounts ', ' Account ').replace(/\n\}\n\nmodel notes/, '\n\n  @@map("accounts")\n}\n\nmodel notes'));
    const second = await project.cli(['pull']);
    expect(second.code, second.stderr).toBe(0);
    const repulled = readFileSync(project.schemaPath, 'utf8');
    expect(repulled).toContain('model Account {');
    expect(repulled).toContain('@@map("accounts")');
    expect(repulled).not.toContain('model accounts {');
  });
});
