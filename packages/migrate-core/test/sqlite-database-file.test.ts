import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { laterMigrationName, output, projectsFor, tableNames, writeMigrationByHand } from './helpers/lifecycle.js';

const CREATE_USER = 'CREATE TABLE "User" ("id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, "email" TEXT NOT NULL);\nCREATE UNIQUE INDEX "User_email_key" ON "User"("email");\n';

async function readSqlite(file: string, sql: string): Promise<Record<string, unknown>[]> {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all() as Record<string, unknown>[];
  } finally {
    db.close();
  }
}

describe('a SQLite URL whose file does not exist', () => {
  const newProject = projectsFor('sqlite');
  const databaseFile = (dir: string) => join(dir, 'prisma', 'dev.db');

  it.each([
    ['status', ['status']],
    ['resolve --applied', ['resolve', '--applied', laterMigrationName(1, 'init')]],
    ['diff from the live database', ['diff', '--from-url', 'file:./dev.db', '--to-schema', 'prisma/schema.prisma']],
    ['diff to the configured datasource', ['diff', '--from-empty', '--to-config-datasource']],
  ])('%s says the database does not exist (P1003, naming the file) and creates nothing', async (_, args) => {
    const project = await newProject();
    writeMigrationByHand(project, laterMigrationName(1, 'init'), CREATE_USER);
    const file = databaseFile(project.dir);

    const run = await project.cli(args);
    const json = JSON.parse((await project.cli([...args, '--json'])).stdout) as { error: { code: string; message: string } };

    expect(run.code, output(run)).toBe(1);
    expect(run.stderr).toContain('Error: P1003');
    expect(run.stderr).toContain(`Database \`dev.db\` does not exist at \`${file}\``);
    expect(json.error).toMatchObject({ code: 'P1003', file });
    expect(existsSync(file)).toBe(false);
    expect(readdirSync(join(project.dir, 'prisma')).filter((f) => f.startsWith('dev.db'))).toEqual([]);
  });

  it.each([
    ['check', ['check'], 0],
    ['diff --from-migrations', ['diff', '--from-migrations', 'prisma/migrations', '--to-schema', 'prisma/schema.prisma', '--exit-code'], 0],
  ])('%s replays the migrations without the main database, and does not create it', async (_, args, exitCode) => {
    const project = await newProject();
    writeMigrationByHand(project, laterMigrationName(1, 'init'), CREATE_USER);

    const run = await project.cli(args);

    expect(run.code, output(run)).toBe(exitCode);
    expect(existsSync(databaseFile(project.dir))).toBe(false);
  });

  it.each([
    ['dev', ['dev', '--name', 'init']],
    ['deploy', ['deploy']],
    ['reset --force', ['reset', '--force']],
    ['push', ['push']],
  ])('%s creates it, with its folder when that does not exist either (as Prisma does)', async (_, args) => {
    const project = await newProject();
    if (args[0] !== 'dev') writeMigrationByHand(project, laterMigrationName(1, 'init'), CREATE_USER);
    const file = join(project.dir, 'data', 'nested', 'dev.db');

    const run = await project.cli(args, { env: { DATABASE_URL: `file:${file}` } });

    expect(run.code, output(run)).toBe(0);
    expect(existsSync(file)).toBe(true);
    expect(await tableNames({ provider: 'sqlite', query: async (sql) => readSqlite(file, sql) })).toContain('User');
  });
});
