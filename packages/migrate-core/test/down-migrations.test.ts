import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkDown, createMigration, deploy, diff, down, draftMigration, status } from '../src/index.js';
import { columnsDroppedByRedefinitions, dataLossOfSummary } from '../src/lifecycle/down-script.js';
import { databaseSnapshot, jsonOf, migrationFolders, migrationRows, output, projectsFor, tableNames } from './helpers/lifecycle.js';
import { PROVIDERS, type TestProject, type TestProvider } from './helpers/project.js';

/** A schema as models and enums, each a list of body lines, changed one step at a time. */
interface SchemaState {
  models: Record<string, string[]>;
  enums: Record<string, string[]>;
}

function render(state: SchemaState): string {
  const models = Object.entries(state.models).map(([name, lines]) => `model ${name} {\n  ${lines.join('\n  ')}\n}`);
  const enums = Object.entries(state.enums).map(([name, values]) => `enum ${name} {\n  ${values.join('\n  ')}\n}`);
  return [...models, ...enums].join('\n\n');
}

type Step = [name: string, change: (s: SchemaState) => void];

/**
 * Schema changes of every kind: tables, columns, indexes and relations added, dropped and renamed
 * (PostgreSQL: enum values too). A rename is what Prisma makes of it (a drop and a create).
 */
function steps(provider: TestProvider): Step[] {
  const common: Step[] = [
    ['add_user', (s) => {
        s.models.User = ['id Int @id @default(autoincrement())', 'email String @unique'];
      },
    ],
    ['add_user_name', (s) => {
        s.models.User!.push('name String?');
      },
    ],
    ['add_post', (s) => {
        s.models.Post = ['id Int @id @default(autoincrement())', 'title String'];
      },
    ],
    [
      'add_post_author',
      (s) => {
        s.models.Post!.push('authorId Int?', 'author User? @relation(fields: [authorId], references: [id])');
        s.models.User!.push('posts Post[]');
      },
    ],
    ['add_post_title_index', (s) => {
        s.models.Post!.push('@@index([title])');
      },
    ],
    ['add_user_name_unique', (s) => {
        s.models.User = s.models.User!.map((l) => (l === 'name String?' ? 'name String? @unique' : l));
      },
    ],
    ['rename_post_title', (s) => {
        s.models.Post = s.models.Post!.map((l) => l.replace('title String', 'headline String').replace('@@index([title])', '@@index([headline])'));
      },
    ],
    ['rename_post_index', (s) => {
        s.models.Post = s.models.Post!.map((l) => (l === '@@index([headline])' ? '@@index([headline], map: "post_headline_idx")' : l));
      },
    ],
    ['add_tag', (s) => {
        s.models.Tag = ['id Int @id @default(autoincrement())', 'label String'];
      },
    ],
    [
      'add_post_tags',
      (s) => {
        s.models.Post!.push('tags Tag[]');
        s.models.Tag!.push('posts Post[]');
      },
    ],
    [
      'rename_tag_to_label',
      (s) => {
        s.models.Label = s.models.Tag!;
        delete s.models.Tag;
        s.models.Post = s.models.Post!.map((l) => (l === 'tags Tag[]' ? 'tags Label[]' : l));
      },
    ],
    ['drop_user_name', (s) => {
        s.models.User = s.models.User!.filter((l) => !l.startsWith('name '));
      },
    ],
    ['add_user_created_at', (s) => {
        s.models.User!.push('createdAt DateTime @default(now())');
      },
    ],
    [
      'add_comment',
      (s) => {
        s.models.Comment = ['id Int @id @default(autoincrement())', 'body String', 'postId Int', 'post Post @relation(fields: [postId], references: [id], onDelete: Cascade)'];
        s.models.Post!.push('comments Comment[]');
      },
    ],
    ['drop_post_index', (s) => {
        s.models.Post = s.models.Post!.filter((l) => !l.startsWith('@@index'));
      },
    ],
    ['comment_body_optional', (s) => {
        s.models.Comment = s.models.Comment!.map((l) => (l === 'body String' ? 'body String?' : l));
      },
    ],
    ['add_post_views', (s) => {
        s.models.Post!.push('views Int @default(0)');
      },
    ],
    ['add_comment_index', (s) => {
        s.models.Comment!.push('@@index([postId, id])');
      },
    ],
    [
      'drop_comment',
      (s) => {
        delete s.models.Comment;
        s.models.Post = s.models.Post!.filter((l) => l !== 'comments Comment[]');
      },
    ],
    [
      'drop_post_author',
      (s) => {
        s.models.Post = s.models.Post!.filter((l) => !l.startsWith('author'));
        s.models.User = s.models.User!.filter((l) => l !== 'posts Post[]');
      },
    ],
    [
      'drop_label',
      (s) => {
        delete s.models.Label;
        s.models.Post = s.models.Post!.filter((l) => l !== 'tags Label[]');
      },
    ],
    [
      'rename_post_to_article',
      (s) => {
        s.models.Article = s.models.Post!;
        delete s.models.Post;
      },
    ],
  ];
  if (provider !== 'postgresql') return common;
  return [
    ...common,
    [
      'add_role_enum',
      (s) => {
        s.enums.Role = ['READER', 'WRITER'];
        s.models.User!.push('role Role @default(READER)');
      },
    ],
    ['add_role_value', (s) => {
        s.enums.Role!.push('ADMIN');
      },
    ],
    ['drop_role_value', (s) => {
        s.enums.Role = s.enums.Role!.filter((v) => v !== 'WRITER');
      },
    ],
  ];
}

/** The database's schema as the engine renders it (every table, column, index, constraint and enum). */
async function schemaOf(project: TestProject): Promise<string> {
  const result = await diff({ from: { kind: 'empty' }, to: { kind: 'url', url: project.url }, script: true, provider: project.provider, url: project.url, baseDir: project.dir });
  return result.text;
}

async function createThrough(project: TestProject, stepsToTake: Step[], state: SchemaState = { models: {}, enums: {} }): Promise<string[]> {
  const names: string[] = [];
  for (const [name, change] of stepsToTake) {
    change(state);
    project.setModels(render(state));
    // Several migrations are created within one second: the index keeps the folder order the creation order.
    const result = await createMigration(project.source(), { name: `s${String(names.length).padStart(2, '0')}_${name}`, acceptDataLoss: true });
    expect(result.created, name).toBeDefined();
    names.push(result.created!.name);
  }
  return names;
}

describe.each(PROVIDERS)('down migrations on %s', (provider) => {
  const newProject = projectsFor(provider);

  it('dev writes down.sql beside migration.sql; all up then all down leaves the database empty; up again gives the same schema', async () => {
    const project = await newProject();
    const sequence = steps(provider);
    expect(sequence.length).toBeGreaterThanOrEqual(20);
    const names = await createThrough(project, sequence);
    for (const name of names) expect(existsSync(join(project.migrationsDir, name, 'down.sql')), name).toBe(true);
    // The step that added a table loses data on the way down: the header says so.
    const addPost = readFileSync(join(project.migrationsDir, names[2]!, 'down.sql'), 'utf8');
    expect(addPost).toMatch(/^\/\*\n {2}Warnings:\n\n {2}- You are about to drop the `Post` table/);
    expect(addPost).toMatch(/DROP TABLE ("public"\.)?"Post"/);
    // SQLite drops the column by redefining the table: the header still names the column.
    expect(readFileSync(join(project.migrationsDir, names[1]!, 'down.sql'), 'utf8')).toContain('You are about to drop the column `name` on the `User` table.');
    const up = await schemaOf(project);
    expect(up).toMatch(/CREATE TABLE ("public"\.)?"Article"/);

    const rolledBack = await down(project.source(), { steps: names.length, force: true });
    expect(rolledBack.rolledBack).toEqual([...names].reverse());
    expect(await tableNames(project)).toEqual(['_prisma_migrations']);
    // No table, index or enum left (PostgreSQL: the schema itself stays).
    expect(await schemaOf(project)).not.toMatch(/CREATE (TABLE|TYPE|INDEX|UNIQUE INDEX)/);
    expect((await migrationRows(project)).every((r) => r.finished && r.rolledBack)).toBe(true);
    const report = await status(project.source());
    expect(report.migrations.map((m) => m.state)).toEqual(names.map(() => 'pending'));

    // Prisma's semantics: a rolled-back row is ignored, and deploy applies the migration again.
    const again = await deploy(project.source());
    expect(again.applied.map((m) => m.name)).toEqual(names);
    expect(await schemaOf(project)).toBe(up);
    expect((await status(project.source())).exitCode).toBe(0);

    // Every generated down.sql passes its round trip on the shadow database (SQLite: in memory, fast;
    // PostgreSQL replays the history twice per migration, and the round trip above proved the same).
    if (provider !== 'sqlite') return;
    const checked = await checkDown(project.source());
    expect(checked).toMatchObject({ ok: true, failing: [], withoutDown: [] });
    expect(checked.checked).toEqual(names);
  }, 240_000);

  it('down rolls back one step by default, --to rolls back what follows a migration, and refuses when a down.sql is missing', async () => {
    const project = await newProject();
    const names = await createThrough(project, steps(provider).slice(0, 4));

    const cli = await project.cli(['down', '--force', '--json']);
    expect(cli.code).toBe(0);
    expect(jsonOf(cli)).toMatchObject({ ok: true, rolledBack: [names[3]] });
    expect(await tableNames(project)).toEqual(['Post', 'User', '_prisma_migrations']);

    // Without a TTY, nothing waits for an answer: the flag is named and nothing changes.
    const before = await databaseSnapshot(project);
    const asked = await project.cli(['down', '--json']);
    expect(asked.code).toBe(1);
    expect(jsonOf(asked)).toMatchObject({ ok: false, error: { code: 'MK_NON_INTERACTIVE' } });
    expect(output(asked)).toContain('--force');
    expect(await databaseSnapshot(project)).toEqual(before);

    // A migration without down.sql in the range: a clear error, nothing rolled back.
    rmSync(join(project.migrationsDir, names[1]!, 'down.sql'));
    const refused = await project.cli(['down', '--to', names[0]!, '--force', '--json']);
    expect(refused.code).toBe(1);
    expect(jsonOf(refused)).toMatchObject({ ok: false, error: { code: 'MK_DOWN_SCRIPT_MISSING' } });
    expect(output(refused)).toContain(names[1]);
    expect(await databaseSnapshot(project)).toEqual(before);

    const one = await project.cli(['down', '--to', names[2]!, '--force']);
    expect(one.code).toBe(1);
    expect(output(one)).toContain('nothing after it');
    await down(project.source(), { force: true });
    expect(await tableNames(project)).toEqual(['User', '_prisma_migrations']);

    const reapplied = await deploy(project.source());
    expect(reapplied.applied.map((m) => m.name)).toEqual([names[2], names[3]]);
    expect(await tableNames(project)).toEqual(['Post', 'User', '_prisma_migrations']);
  }, 120_000);

  it('check --down reports a down.sql edited by hand that does not return to the state before its migration', async () => {
    const project = await newProject();
    const names = await createThrough(project, steps(provider).slice(0, 3));
    const file = join(project.migrationsDir, names[2]!, 'down.sql');
    writeFileSync(file, '-- forgot to drop the table\n');
    const run = await project.cli(['check', '--down', '--json']);
    expect(run.code).toBe(1);
    expect(jsonOf(run)).toMatchObject({ ok: false, checked: names, failing: [{ name: names[2] }] });
    expect(JSON.stringify(jsonOf(run))).toContain('Post');
    if (provider !== 'sqlite') return;
    const human = await project.cli(['check', '--down']);
    expect(human.code).toBe(1);
    expect(output(human)).toContain(`${names[2]}/down.sql does not return to the state before the migration`);
  }, 120_000);
});

describe('down.sql without a session (keystone create)', () => {
  const newProject = projectsFor('sqlite');

  it('draftMigration writes down.sql in the same folder', async () => {
    const project = await newProject();
    project.setModels('model User {\n  id Int @id\n}');
    const result = await draftMigration(project.source(), { name: 'init', sanitizeName: (n) => n });
    expect(migrationFolders(project.migrationsDir)).toEqual([result.created!.name]);
    expect(readFileSync(join(project.migrationsDir, result.created!.name, 'down.sql'), 'utf8')).toContain('DROP TABLE "User"');
  });
});

describe('the data a down step loses, read from the engine summary', () => {
  it('lists dropped tables, columns and enum values, and nothing for additions', () => {
    const summary = '\n[-] Removed tables\n  - Post\n\n[*] Changed the `Role` enum\n  [-] Removed variant `B`\n\n[*] Changed the `User` table\n  [+] Added column `x`\n  [-] Removed column `name`\n';
    expect(dataLossOfSummary(summary)).toEqual([
      'You are about to drop the `Post` table. If the table is not empty, all the data it contains will be lost.',
      'The value `B` of the enum `Role` will be removed. If it is still used in the database, this will fail.',
      'You are about to drop the column `name` on the `User` table. All the data in the column will be lost.',
    ]);
    expect(dataLossOfSummary('[+] Added tables\n  - Post\n')).toEqual([]);
  });

  it('SQLite: the columns a redefined table does not copy', () => {
    const start = 'CREATE TABLE "User" (\n    "id" INTEGER NOT NULL PRIMARY KEY,\n    "email" TEXT NOT NULL,\n    "name" TEXT\n);\n';
    const script = 'CREATE TABLE "new_User" (\n    "id" INTEGER NOT NULL PRIMARY KEY\n);\nINSERT INTO "new_User" ("email", "id") SELECT "email", "id" FROM "User";\nDROP TABLE "User";\nALTER TABLE "new_User" RENAME TO "User";\n';
    expect(columnsDroppedByRedefinitions(script, start)).toEqual(['You are about to drop the column `name` on the `User` table. All the data in the column will be lost.']);
  });
});

describe('down and the migration lock (PostgreSQL)', () => {
  const newProject = projectsFor('postgresql');

  it('waits for the lock another session holds, ends with P1002, and rolls nothing back', async () => {
    const project = await newProject();
    await createThrough(project, steps('postgresql').slice(0, 1));
    const before = await databaseSnapshot(project);
    // The key Prisma's engine takes with pg_advisory_lock (test/migration-lock.test.ts).
    const { default: pg } = await import('pg');
    const holder = new pg.Client({ connectionString: project.url, application_name: 'left-over-deploy' });
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock(72707369)');
      const run = await project.cli(['down', '--force', '--json']);
      expect(run.code).toBe(1);
      expect(jsonOf(run)).toMatchObject({ ok: false, error: { code: 'P1002' } });
      expect(await databaseSnapshot(project)).toEqual(before);
    } finally {
      await holder.end();
    }
  }, 60_000);
});
