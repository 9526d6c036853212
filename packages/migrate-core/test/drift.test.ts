import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase, type TestPostgresDatabase } from '@migrate-kit/test-support';
import { diffCatalogs, type DriftReport } from '../src/index.js';
import { SNAPSHOT_FILE_NAME } from '../src/history/schema-snapshot.js';
import { jsonOf, laterMigrationName, migrationFolders, output, projectsFor, writeMigrationByHand } from './helpers/lifecycle.js';
import { PROVIDERS, type TestProject, type TestProvider } from './helpers/project.js';

const MODELS_1 = 'model User {\n  id Int @id @default(autoincrement())\n  email String @unique\n}';
const MODELS_2 = `${MODELS_1}\n\nmodel Post {\n  id Int @id @default(autoincrement())\n  title String\n  @@index([title])\n}\n\nmodel Tag {\n  id Int @id\n  label String\n}`;

/** A second database the project's migrations are deployed to (production), dropped after the file. */
function secondDatabases(provider: TestProvider) {
  const made: TestPostgresDatabase[] = [];
  afterAll(async () => {
    await Promise.all(made.map((d) => d.drop()));
  });
  return async (project: TestProject) => {
    if (provider === 'postgresql') {
      const db = await createPostgresDatabase();
      made.push(db);
      return { url: db.url, execute: (sql: string) => db.execute(sql) };
    }
    const file = join(project.dir, 'prisma', 'production.db');
    return {
      url: `file:${file}`,
      async execute(sql: string) {
        const { default: Database } = await import('better-sqlite3');
        const db = new Database(file);
        try {
          db.exec(sql);
        } finally {
          db.close();
        }
      },
    };
  };
}

type DriftJson = { drift: DriftReport };

describe.each(PROVIDERS)('drift on deploy on %s', (provider) => {
  const newProject = projectsFor(provider);
  const newSecondDatabase = secondDatabases(provider);

  /** Two migrations made through the real dev path, deployed to a second database. */
  async function deployedProject() {
    const project = await newProject();
    expect(output(await project.cli(['dev', '--name', 'init']))).toContain('in sync');
    project.setModels(MODELS_2);
    expect(output(await project.cli(['dev', '--name', 'post_and_tag']))).toContain('in sync');
    const production = await newSecondDatabase(project);
    const deployed = await project.cli(['deploy', '--check-drift', '--json'], { env: { DATABASE_URL: production.url } });
    return { project, production, deployed };
  }

  it('reports no drift on a clean deploy, from the snapshot dev wrote beside the last migration', async () => {
    const { project, deployed } = await deployedProject();

    const folders = migrationFolders(project.migrationsDir);
    expect(folders.every((name) => existsSync(join(project.migrationsDir, name, SNAPSHOT_FILE_NAME)))).toBe(true);
    expect(deployed.code).toBe(0);
    const json = jsonOf<DriftJson>(deployed);
    expect(json.drift).toEqual({ state: 'clean', migration: folders.at(-1), snapshot: `${folders.at(-1)}/${SNAPSHOT_FILE_NAME}`, differences: [] });
  });

  it('a dev that applies nothing keeps the last applied migration\'s snapshot as it is (it is not read again); one that applies writes the new one', async () => {
    const project = await newProject();
    expect(output(await project.cli(['dev', '--name', 'init']))).toContain('in sync');
    const [init] = migrationFolders(project.migrationsDir);
    const snapshot = join(project.migrationsDir, init!, SNAPSHOT_FILE_NAME);
    // A mark the catalog read would not write: it survives only if the file is left alone.
    const kept = `${readFileSync(snapshot, 'utf8').trimEnd()}\n`.replace('{', '{\n  "kept": true,');
    writeFileSync(snapshot, kept);

    project.setModels(MODELS_2);
    expect((await project.cli(['dev', '--create-only', '--name', 'post_and_tag'])).code).toBe(0);
    expect(readFileSync(snapshot, 'utf8')).toBe(kept);

    expect((await project.cli(['dev'])).code).toBe(0);
    const created = migrationFolders(project.migrationsDir).at(-1)!;
    expect(JSON.parse(readFileSync(join(project.migrationsDir, created, SNAPSHOT_FILE_NAME), 'utf8')).migration).toBe(created);
  });

  it('names each table, column and index changed by hand, as a warning unless --fail-on-drift', async () => {
    const { project, production } = await deployedProject();
    const retypeTag =
      provider === 'postgresql'
        ? 'ALTER TABLE "Tag" ALTER COLUMN "label" TYPE VARCHAR(50);'
        : 'CREATE TABLE "new_Tag" ("id" INTEGER NOT NULL PRIMARY KEY, "label" INTEGER NOT NULL); DROP TABLE "Tag"; ALTER TABLE "new_Tag" RENAME TO "Tag";';
    await production.execute(
      `ALTER TABLE "User" ADD COLUMN "nickname" TEXT; DROP INDEX "Post_title_idx"; CREATE TABLE "Audit" ("id" INTEGER NOT NULL PRIMARY KEY, "at" TEXT); ${retypeTag}${provider === 'postgresql' ? ` CREATE TYPE "Mood" AS ENUM ('calm', 'busy');` : ''}`,
    );
    const env = { DATABASE_URL: production.url };

    const warned = await project.cli(['deploy', '--check-drift'], { env });
    const failed = await project.cli(['deploy', '--check-drift', '--fail-on-drift', '--json'], { env });
    const status = await project.cli(['status', '--drift', '--json'], { env });

    expect(warned.code).toBe(0);
    expect(output(warned)).toContain('Drift: the database differs from what its migrations produce');
    expect(failed.code).toBe(1);
    const { differences } = jsonOf<DriftJson>(failed).drift;
    expect(differences.map((d) => [d.object, d.name, d.change])).toEqual([
      ...(provider === 'postgresql' ? [['enum', 'Mood', 'added']] : []),
      ['table', 'Audit', 'added'],
      ['index', 'Post.Post_title_idx', 'removed'],
      ['column', 'Tag.label', 'changed'],
      ['column', 'User.nickname', 'added'],
    ]);
    expect(differences.find((d) => d.name === 'Tag.label')).toMatchObject(
      provider === 'postgresql' ? { expected: 'text NOT NULL', actual: 'character varying(50) NOT NULL' } : { expected: 'TEXT NOT NULL', actual: 'INTEGER NOT NULL' },
    );
    for (const line of ['[+] table Audit added', '[-] index Post.Post_title_idx missing', '[~] column Tag.label changed', '[+] column User.nickname added']) {
      expect(output(warned)).toContain(line);
    }
    expect(status.code).toBe(0);
    expect(jsonOf<DriftJson>(status).drift.differences).toEqual(differences);
  });

  it('does not count a hand-edited migration (an expression index added after --create-only, applied by dev) as drift', async () => {
    const project = await newProject();
    await project.cli(['dev', '--name', 'init']);
    project.setModels(MODELS_2);
    const drafted = await project.cli(['dev', '--create-only', '--name', 'post_and_tag']);
    expect(drafted.code).toBe(0);
    const name = migrationFolders(project.migrationsDir).at(-1)!;
    appendFileSync(join(project.migrationsDir, name, 'migration.sql'), '\n-- added by hand: an expression index the Prisma schema cannot express\nCREATE INDEX "Tag_label_lower_idx" ON "Tag"(lower("label"));\n');
    const applied = await project.cli(['dev']);
    expect(applied.code).toBe(0);
    // The schema engine does not model expression indexes: dev keeps it, and writes no migration that drops it.
    expect(migrationFolders(project.migrationsDir).at(-1)).toBe(name);
    const production = await newSecondDatabase(project);

    const deployed = await project.cli(['deploy', '--check-drift', '--fail-on-drift', '--json'], { env: { DATABASE_URL: production.url } });

    expect(readFileSync(join(project.migrationsDir, name, SNAPSHOT_FILE_NAME), 'utf8')).toContain('Tag_label_lower_idx');
    expect(deployed.code).toBe(0);
    expect(jsonOf<DriftJson>(deployed).drift).toMatchObject({ state: 'clean', migration: name });
    // Dropping the hand-made index is drift like any other.
    await production.execute('DROP INDEX "Tag_label_lower_idx";');
    const after = await project.cli(['status', '--drift', '--json'], { env: { DATABASE_URL: production.url } });
    expect(jsonOf<DriftJson>(after).drift.differences.map((d) => [d.object, d.name, d.change])).toEqual([['index', 'Tag.Tag_label_lower_idx', 'removed']]);
  });

  it('says so when the applied migrations have no snapshot (stock Prisma), failing only with --fail-on-drift', async () => {
    const project = await newProject();
    const name = laterMigrationName(1, 'by_hand');
    writeMigrationByHand(project, name, 'CREATE TABLE "A" ("id" INTEGER NOT NULL PRIMARY KEY);\n');

    const warned = await project.cli(['deploy', '--check-drift', '--json']);
    const failed = await project.cli(['deploy', '--fail-on-drift']);

    expect(warned.code).toBe(0);
    expect(jsonOf<DriftJson>(warned).drift).toEqual({ state: 'noSnapshot', migration: name, snapshot: `${name}/${SNAPSHOT_FILE_NAME}`, differences: [] });
    expect(failed.code).toBe(1);
    expect(output(failed)).toContain(`${name}, has no schema snapshot`);
    expect(output(failed)).toContain('Run migrate-kit dev on a development database');
    // The development path writes it: dev on a database holding the migrations.
    expect((await project.cli(['dev'])).code).toBe(0);
    expect((await project.cli(['status', '--drift', '--fail-on-drift'])).code).toBe(0);
  });
});

describe('diffCatalogs', () => {
  it('lists an enum whose values changed (PostgreSQL)', () => {
    expect(diffCatalogs({ tables: {}, enums: { Role: "'USER', 'ADMIN'" } }, { tables: {}, enums: { Role: "'USER', 'ADMIN', 'OWNER'" } })).toEqual([
      { object: 'enum', name: 'Role', change: 'changed', expected: "'USER', 'ADMIN'", actual: "'USER', 'ADMIN', 'OWNER'" },
    ]);
  });

  it('lists a constraint whose definition changed, and a removed table once (not its columns)', () => {
    const table = (constraint: string) => ({ columns: { id: { type: 'integer', nullable: false, default: null } }, indexes: {}, constraints: { A_check: constraint } });
    expect(diffCatalogs({ tables: { A: table('CHECK ((id > 0))'), B: table('x') } }, { tables: { A: table('CHECK ((id > 1))') } })).toEqual([
      { object: 'constraint', name: 'A.A_check', change: 'changed', expected: 'CHECK ((id > 0))', actual: 'CHECK ((id > 1))' },
      { object: 'table', name: 'B', change: 'removed', expected: '(id)' },
    ]);
  });
});
