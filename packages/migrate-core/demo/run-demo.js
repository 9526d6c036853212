#!/usr/bin/env node
// The whole migrate loop on an embedded SQLite database, through the real `migrate-kit` CLI:
// a first migration, a schema change that would lose data (refused, then accepted with a flag),
// status, and a deploy of the same history to a second database file.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

const bin = fileURLToPath(new URL('../bin/migrate-kit.js', import.meta.url));
const project = mkdtempSync(join(tmpdir(), 'migrate-kit-demo-'));
const schemaPath = join(project, 'prisma', 'schema.prisma');
mkdirSync(join(project, 'prisma'));

const bold = (s) => (process.stdout.isTTY && !('NO_COLOR' in process.env) ? `\x1b[1m${s}\x1b[22m` : s);
const step = (title) => console.log(`\n${bold(`── ${title} ──`)}`);

function migrateKit(args, { expectFailure = false, env = {} } = {}) {
  console.log(`\n$ migrate-kit ${args.join(' ')}`);
  const run = spawnSync(process.execPath, [bin, ...args], { cwd: project, stdio: 'inherit', env: { ...process.env, ...env } });
  if (expectFailure ? run.status === 0 : run.status !== 0) {
    console.error(`\nThe demo expected ${expectFailure ? 'a failure' : 'success'} but got exit code ${run.status}.`);
    process.exit(1);
  }
  if (expectFailure) console.log(`(exit code ${run.status}, as expected: nothing was changed)`);
}

function writeSchema(models) {
  writeFileSync(schemaPath, `datasource db {\n  provider = "sqlite"\n  url      = "file:./dev.db"\n}\n\n${models}`);
}

console.log(`Demo project: ${project}`);

step('1. A schema and its first migration');
writeSchema(`model User {
  id    Int    @id @default(autoincrement())
  email String @unique
  posts Post[]
}

model Post {
  id       Int    @id @default(autoincrement())
  title    String
  views    Int    @default(0)
  author   User   @relation(fields: [authorId], references: [id])
  authorId Int
}
`);
migrateKit(['dev', '--name', 'init']);

const db = new Database(join(project, 'prisma', 'dev.db'));
db.prepare('INSERT INTO "User" (email) VALUES (?), (?)').run('ada@example.com', 'grace@example.com');
db.prepare('INSERT INTO "Post" (title, views, "authorId") VALUES (?, ?, 1), (?, ?, 2)').run('Notes', 42, 'Compilers', 7);
db.close();
console.log('\n(inserted 2 users and 2 posts)');

step('2. A change that would lose data: Post.views is dropped, User.name added');
writeSchema(`model User {
  id    Int     @id @default(autoincrement())
  email String  @unique
  name  String?
  posts Post[]
}

model Post {
  id       Int    @id @default(autoincrement())
  title    String
  author   User   @relation(fields: [authorId], references: [id])
  authorId Int
}
`);
console.log('\nWithout a terminal to ask, the data-loss question must be answered by a flag:');
migrateKit(['dev', '--name', 'drop post views'], { expectFailure: true, env: { MIGRATE_KIT_NON_INTERACTIVE: '1' } });
migrateKit(['dev', '--name', 'drop post views', '--accept-data-loss']);

const migrationsDir = join(project, 'prisma', 'migrations');
const second = readdirSync(migrationsDir).filter((d) => d.endsWith('drop_post_views'))[0];
console.log(`\n${second}/migration.sql:\n${readFileSync(join(migrationsDir, second, 'migration.sql'), 'utf8')}`);

step('3. Status of the development database');
migrateKit(['status']);

step('4. Deploy the same history to a second database file');
migrateKit(['deploy', '--url', 'file:./production.db']);
migrateKit(['status', '--url', 'file:./production.db']);

console.log(`\n${bold('Done.')} Everything the demo wrote is in ${project}`);
