import { describe, expect, it } from 'vitest';
import { unsupportedColumnsOf, unsupportedColumnsOnlyRecreated } from '../src/lifecycle/unsupported-columns.js';
import { jsonOf, migrationFolders, output, projectsFor } from './helpers/lifecycle.js';

// The engine cannot diff a column of a type Prisma does not support exactly: each `dev` writes a
// migration setting the same type again (Prisma's native engine does the same). `dev` says so.

const XML_DOC = 'model Doc {\n  id   Int                 @id @default(autoincrement())\n  body Unsupported("xml")? @map("content")\n\n  @@map("documents")\n}';

describe('dev with an Unsupported("xml") column on PostgreSQL', () => {
  const newProject = projectsFor('postgresql');

  it('warns, naming the column, when the new migration only sets its type again; a real type change gets no warning', async () => {
    const project = await newProject();
    project.setModels(XML_DOC);
    const init = await project.cli(['dev', '--name', 'init']);
    expect(init.code, output(init)).toBe(0);
    expect(init.stderr).not.toMatch(/Prisma does not support/);

    const again = await project.cli(['dev', '--name', 'again']);
    expect(again.code, output(again)).toBe(0);
    expect(migrationFolders(project.migrationsDir)).toHaveLength(2);
    expect(again.stderr).toMatch(/only re-creates or alters a column of a type Prisma does not support.*"documents"\."content" \(Unsupported\("xml"\)\).*Prisma's native engine does the same/s);

    const json = await project.cli(['dev', '--name', 'json', '--json']);
    expect(jsonOf<{ unsupportedColumnsRecreated: unknown }>(json).unsupportedColumnsRecreated).toEqual([
      { table: 'documents', column: 'content', type: 'Unsupported("xml")' },
    ]);

    project.setModels(XML_DOC.replace('Unsupported("xml")', 'Unsupported("jsonb")'));
    const changed = await project.cli(['dev', '--name', 'to_jsonb', '--create-only']);
    expect(changed.code, output(changed)).toBe(0);
    expect(changed.stderr).not.toMatch(/Prisma does not support/);
  });
});

describe('which migrations only repeat Unsupported columns', () => {
  const files = [{ path: 'schema.prisma', content: `datasource db {\n  provider = "postgresql"\n}\n\n${XML_DOC}\n\nmodel Shape {\n  id   Int @id\n  area Unsupported("circle")\n  name String\n}\n` }];

  it('reads the Unsupported fields with their table and column names', () => {
    expect(unsupportedColumnsOf(files)).toEqual([
      { table: 'documents', column: 'content', type: 'Unsupported("xml")' },
      { table: 'Shape', column: 'area', type: 'Unsupported("circle")' },
    ]);
  });

  it('names them for an ALTER or a DROP and ADD of those columns only, and for nothing else', () => {
    const header = '/*\n  Warnings:\n\n  - You are about to alter the column `content`.\n*/\n-- AlterTable\n';
    expect(unsupportedColumnsOnlyRecreated(`${header}ALTER TABLE "documents" ALTER COLUMN "content" SET DATA TYPE xml;\n`, files)).toEqual([
      { table: 'documents', column: 'content', type: 'Unsupported("xml")' },
    ]);
    expect(unsupportedColumnsOnlyRecreated('ALTER TABLE "Shape" DROP COLUMN "area",\nADD COLUMN "area" circle NOT NULL;', files)).toHaveLength(1);
    expect(unsupportedColumnsOnlyRecreated('ALTER TABLE "Shape" ADD COLUMN "area" circle NOT NULL;', files)).toEqual([]);
    expect(unsupportedColumnsOnlyRecreated('ALTER TABLE "Shape" ALTER COLUMN "name" SET DATA TYPE TEXT;', files)).toEqual([]);
    expect(
      unsupportedColumnsOnlyRecreated('ALTER TABLE "documents" ALTER COLUMN "content" SET DATA TYPE xml;\nCREATE TABLE "Other" ("id" INTEGER);', files),
    ).toEqual([]);
  });
});
