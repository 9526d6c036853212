import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { extensionsCreatedBy, withoutExtensionsAlreadyThere } from '../src/schema/extensions.js';
import { jsonOf, migrationFolders, migrationScript, output, projectsFor } from './helpers/lifecycle.js';
import type { TestProject } from './helpers/project.js';

// `extensions = [citext]` (preview feature postgresqlExtensions) with `@db.Citext`. The Wasm engine
// loses the extension list of the databases it describes without the schema's preview features
// (its shadow database, and the main database in db push): every dev wrote a migration holding only
// `CREATE EXTENSION IF NOT EXISTS "citext"`, check always exited 1, db push always ran a step.

const CITEXT_USER = 'model User {\n  id    Int    @id @default(autoincrement())\n  email String @unique @db.Citext\n}';

function setExtensionsSchema(project: TestProject, extensions: string): void {
  project.setModels(CITEXT_USER);
  const datasource = readFileSync(project.schemaPath, 'utf8').replace('provider = "postgresql"', `provider   = "postgresql"\n  extensions = [${extensions}]`);
  writeFileSync(project.schemaPath, `generator client {\n  provider        = "prisma-client-js"\n  previewFeatures = ["postgresqlExtensions"]\n}\n\n${datasource}`);
}

describe.each([
  ['with the history cache', {}],
  ['with the history cache off', { MIGRATE_KIT_HISTORY_CACHE: 'off' }],
])('a PostgreSQL schema with extensions = [citext], %s', (_label, env) => {
  const newProject = projectsFor('postgresql');

  it('the first dev creates the extension; an unchanged schema then gives no migration, check exits 0, push runs no step', async () => {
    const project = await newProject();
    setExtensionsSchema(project, 'citext');
    const init = await project.cli(['dev', '--name', 'init'], { env });
    expect(init.code, output(init)).toBe(0);
    const [first] = migrationFolders(project.migrationsDir);
    expect(migrationScript(project, first!)).toContain('CREATE EXTENSION IF NOT EXISTS "citext"');

    const again = await project.cli(['dev', '--name', 'again'], { env });
    expect(again.code, output(again)).toBe(0);
    expect(migrationFolders(project.migrationsDir)).toEqual([first]);

    const check = await project.cli(['check'], { env });
    expect(check.code, output(check)).toBe(0);

    const diff = await project.cli(['diff', '--from-migrations', project.migrationsDir, '--to-schema', project.schemaPath, '--exit-code'], { env });
    expect(diff.code, output(diff)).toBe(0);

    const push = await project.cli(['push', '--json'], { env });
    expect(push.code, output(push)).toBe(0);
    expect(jsonOf<{ executedSteps: number }>(push).executedSteps).toBe(0);
  });

  it('an extension added to the list later is created by the next migration, and only it', async () => {
    const project = await newProject();
    setExtensionsSchema(project, 'citext');
    expect((await project.cli(['dev', '--name', 'init'], { env })).code).toBe(0);

    setExtensionsSchema(project, 'citext, pg_trgm(schema: "public")');
    const added = await project.cli(['dev', '--name', 'trgm'], { env });
    expect(added.code, output(added)).toBe(0);
    const folders = migrationFolders(project.migrationsDir);
    expect(folders).toHaveLength(2);
    const script = migrationScript(project, folders[1]!);
    expect(script).toContain('CREATE EXTENSION IF NOT EXISTS "pg_trgm"');
    expect(script).not.toContain('citext');
    expect((await project.query(`SELECT extname FROM pg_extension WHERE extname = 'pg_trgm'`)).length).toBe(1);
  });
});

describe('extensions a history creates, and the schema without them', () => {
  it('follows CREATE and DROP EXTENSION in order, quoted or not, ignoring comments', () => {
    const created = extensionsCreatedBy([
      '-- CREATE EXTENSION "commented";\nCREATE EXTENSION IF NOT EXISTS "citext";\ncreate extension pg_trgm with schema public;',
      '/* CREATE EXTENSION hidden; */ CREATE EXTENSION "uuid-ossp";\nDROP EXTENSION IF EXISTS pg_trgm, "other" CASCADE;',
    ]);
    expect([...created].sort()).toEqual(['citext', 'uuid-ossp']);
  });

  it('removes only the entries already there, by their database name, keeping the lines', () => {
    const schema = 'datasource db {\n  provider   = "postgresql"\n  extensions = [\n    citext,\n    uuidOssp(map: "uuid-ossp", schema: "public"),\n    pg_trgm(schema: "x, y")\n  ]\n}\n';
    const [file] = withoutExtensionsAlreadyThere([{ path: 'schema.prisma', content: schema }], new Set(['citext', 'uuid-ossp']));
    expect(file!.content).toBe('datasource db {\n  provider   = "postgresql"\n  extensions = [pg_trgm(schema: "x, y")\n\n\n\n]\n}\n');
    expect(file!.content.split('\n')).toHaveLength(schema.split('\n').length);
  });
});
