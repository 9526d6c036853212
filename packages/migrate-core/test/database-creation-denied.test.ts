/**
 * A role without CREATEDB pointed at a database that does not exist: the command says so (P1003),
 * names the role, and gives the SQL that fixes it; that SQL does. A real role on the real server,
 * created for the test and dropped after it.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createProjectDir, describeRun, jsonOf, output, POSTGRES_SERVER_URL, postgresUrl, prismaLockFile, withPostgresClient, writeFile } from '@migrate-kit/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasourceBlock, runBin } from './helpers/project.js';

const suffix = randomBytes(5).toString('hex');
const ROLE = `mk_nocreatedb_${suffix}`;
const DATABASE = `mk_test_denied_${suffix}`;
const asAdmin = (sql: string) => withPostgresClient(POSTGRES_SERVER_URL, (c) => c.query(sql));

describe('a missing database the role may not create', () => {
  beforeAll(() => asAdmin(`CREATE ROLE "${ROLE}" LOGIN NOCREATEDB`));
  afterAll(async () => {
    await asAdmin(`DROP DATABASE IF EXISTS "${DATABASE}" WITH (FORCE)`);
    await asAdmin(`DROP ROLE IF EXISTS "${ROLE}"`);
  });

  it('is P1003 naming the database and the role, with the SQL that fixes it (which does)', async () => {
    const dir = createProjectDir();
    writeFile(join(dir, 'prisma', 'schema.prisma'), `${datasourceBlock('postgresql')}\nmodel User {\n  id Int @id\n}\n`);
    writeFile(join(dir, 'prisma', 'migrations', 'migration_lock.toml'), prismaLockFile('postgresql'));
    writeFile(join(dir, 'prisma', 'migrations', '20240101000000_init', 'migration.sql'), 'CREATE TABLE "User" ("id" INTEGER NOT NULL PRIMARY KEY);\n');
    const deploy = (args: string[] = []) => runBin(['deploy', ...args], { cwd: dir, env: { DATABASE_URL: postgresUrl(DATABASE, { user: ROLE }) } });

    const human = await deploy();
    expect(human.code, describeRun(human)).toBe(1);
    expect(output(human)).toContain('P1003');
    expect(output(human)).toContain(`Database \`${DATABASE}\` does not exist`);
    expect(output(human)).toContain(`the role \`${ROLE}\` may not create it`);
    expect(output(human)).toContain(`CREATE DATABASE "${DATABASE}" OWNER "${ROLE}";`);
    expect(output(human)).toContain(`ALTER ROLE "${ROLE}" CREATEDB;`);
    expect(output(human)).not.toMatch(/MK_UNEXPECTED|This is a bug|\n\s+at /);

    const json = await deploy(['--json']);
    expect(json.code).toBe(1);
    expect(jsonOf(json).error).toMatchObject({ code: 'P1003', database: DATABASE, role: ROLE });
    const exists = await withPostgresClient(POSTGRES_SERVER_URL, (c) => c.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]));
    expect(exists.rowCount).toBe(0);

    await asAdmin(`ALTER ROLE "${ROLE}" CREATEDB`);
    const fixed = await deploy();
    expect(fixed.code, describeRun(fixed)).toBe(0);
  });
});
