/**
 * A database made by `zen db push` (tables, no `_prisma_migrations`) adopts migrations by the steps
 * `migrate dev` names when it refuses with P3005: `zen-migrate migrate diff ... -o ...` (a verb zen
 * itself lacks) writes the first migration from the live database, `migrate resolve --applied`
 * records it, and `migrate dev` then finds nothing to do. Real databases, the built CLI.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { output, PROVIDERS, projectsFor } from './helpers/project.js';

const schema = (provider: string) =>
  `datasource db {\n  provider = '${provider}'\n  url      = env('DATABASE_URL')\n}\n\nmodel User {\n  id    Int    @id @default(autoincrement())\n  email String @unique\n}\n`;

describe.each(PROVIDERS)('zen-migrate: baselining a pushed %s database', (provider) => {
  const newProject = projectsFor(provider);

  it('dev names the migrate diff and resolve steps, and following them keeps the data', async () => {
    const project = await newProject();
    project.write('zenstack/schema.zmodel', schema(provider));
    const push = await project.run(['db', 'push']);
    expect(push.code, output(push)).toBe(0);
    await project.db.execute(`INSERT INTO "User" ("email") VALUES ('kept@example.com')`);

    const dev = await project.run(['migrate', 'dev', '--name', 'next']);
    expect(dev.code, output(dev)).toBe(1);
    expect(dev.stderr).toContain('P3005');
    const diffStep = /zen-migrate migrate diff [^\n]*/.exec(dev.stderr)?.[0];
    expect(diffStep, output(dev)).toBeDefined();
    expect(dev.stderr).toContain('zen-migrate migrate resolve --applied 0_init');

    const diffArgs = diffStep!.split(' ').slice(1);
    const diff = await project.run(diffArgs);
    expect(diff.code, output(diff)).toBe(0);
    expect(readFileSync(join(project.migrationsDir, '0_init', 'migration.sql'), 'utf8')).toContain('CREATE TABLE');

    const resolve = await project.run(['migrate', 'resolve', '--applied', '0_init']);
    expect(resolve.code, output(resolve)).toBe(0);
    const again = await project.run(['migrate', 'dev', '--name', 'next']);
    expect(again.code, output(again)).toBe(0);
    expect(again.stdout).toContain('Already in sync');
    expect(await project.db.query(`SELECT "email" FROM "User"`)).toEqual([{ email: 'kept@example.com' }]);
  });

  it('migrate baseline does it in one command, as the P3005 refusal says; dev then finds nothing to do', async () => {
    const project = await newProject();
    project.write('zenstack/schema.zmodel', schema(provider));
    const push = await project.run(['db', 'push']);
    expect(push.code, output(push)).toBe(0);
    await project.db.execute(`INSERT INTO "User" ("email") VALUES ('kept@example.com')`);
    const dev = await project.run(['migrate', 'dev', '--name', 'next']);
    expect(dev.stderr).toContain('zen-migrate migrate baseline');

    const run = await project.run(['migrate', 'baseline', '--name', 'init']);

    expect(run.code, output(run)).toBe(0);
    const folders = readdirSync(project.migrationsDir).filter((f) => f !== 'migration_lock.toml' && f !== 'migrate-kit.sum');
    expect(folders).toHaveLength(1);
    expect(folders[0]).toMatch(/^\d{14}_init$/);
    expect(readFileSync(join(project.migrationsDir, folders[0]!, 'migration.sql'), 'utf8')).toContain('CREATE TABLE');
    const status = await project.run(['migrate', 'status']);
    expect(status.code, output(status)).toBe(0);
    const again = await project.run(['migrate', 'dev', '--name', 'next']);
    expect(again.code, output(again)).toBe(0);
    expect(again.stdout).toContain('Already in sync');
    expect(await project.db.query(`SELECT "email" FROM "User"`)).toEqual([{ email: 'kept@example.com' }]);
  });
});
