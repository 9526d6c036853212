import { describe, expect, it } from 'vitest';
import { type LintFinding, lintScripts, parseLintConfig, splitSqlStatements } from '../src/index.js';

const lintPg = async (text: string, config?: unknown) => (await lintScripts('postgresql', [{ migration: 'm', file: 'm/migration.sql', text }], { config: parseLintConfig(config, 'test') })).findings;
const lintSqlite = async (text: string, config?: unknown) => (await lintScripts('sqlite', [{ migration: 'm', file: 'm/migration.sql', text }], { config: parseLintConfig(config, 'test') })).findings;
const rules = (findings: LintFinding[]) => findings.map((f) => f.rule);

// Prisma's own output for the changes, as the schema engine writes it.
const PG_CREATE_USER = `-- CreateTable
CREATE TABLE "User" (
    "id" SERIAL NOT NULL,
    "email" VARCHAR(200) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");
`;

describe('splitting SQL into statements', () => {
  it('keeps ; inside strings, quoted identifiers, dollar quotes and comments, and counts lines', () => {
    const statements = splitSqlStatements(`-- a; comment\nSELECT 'a;b', "c;d";\n/* x; /* nested; */ y; */\nDO $body$ BEGIN PERFORM 1; END $body$;\nSELECT E'it\\'s;';`);
    expect(statements.map((s) => [s.startLine, s.endLine, s.tokens[0]!.text])).toEqual([
      [2, 2, 'SELECT'],
      [4, 4, 'DO'],
      [5, 5, 'SELECT'],
    ]);
  });

  it('reads ignore directives from the comments just before a statement', () => {
    const statements = splitSqlStatements(`-- migrate-kit-lint-ignore drop-table, drop-column\nDROP TABLE "A";\nDROP TABLE "B";\n/* migrate-kit-lint-ignore */\nDROP TABLE "C";`);
    expect(statements.map((s) => s.ignored)).toEqual([['drop-table', 'drop-column'], [], ['*']]);
  });
});

describe('PostgreSQL rules (squawk and ours)', () => {
  const cases: [rule: string, triggers: string, clean: string][] = [
    ['drop-table', 'DROP TABLE "Post";', 'CREATE TABLE "Post" ("id" INTEGER NOT NULL);'],
    ['drop-column', 'ALTER TABLE "User" DROP COLUMN "name";', 'ALTER TABLE "User" ADD COLUMN "name" TEXT;'],
    ['drop-schema', 'DROP SCHEMA "audit" CASCADE;', 'CREATE SCHEMA IF NOT EXISTS "audit";'],
    ['column-type-change', 'ALTER TABLE "User" ALTER COLUMN "age" SET DATA TYPE BIGINT;', 'ALTER TABLE "User" ALTER COLUMN "age" SET DEFAULT 0;'],
    ['rename-column', 'ALTER TABLE "User" RENAME COLUMN "name" TO "fullName";', 'ALTER TABLE "User" ADD COLUMN "fullName" TEXT;'],
    ['rename-table', 'ALTER TABLE "User" RENAME TO "Person";', 'CREATE TABLE "Person" ("id" INTEGER NOT NULL);'],
    ['not-null-without-default', 'ALTER TABLE "User" ADD COLUMN "age" INTEGER NOT NULL;', 'ALTER TABLE "User" ADD COLUMN "age" INTEGER NOT NULL DEFAULT 0;'],
    ['set-not-null', 'ALTER TABLE "User" ALTER COLUMN "email" SET NOT NULL;', 'ALTER TABLE "User" ALTER COLUMN "email" DROP DEFAULT;'],
    ['unique-constraint', 'ALTER TABLE "User" ADD CONSTRAINT "User_email_key" UNIQUE ("email");', 'ALTER TABLE "User" ADD COLUMN "email2" TEXT;'],
    ['unique-index', 'CREATE UNIQUE INDEX "User_email_key" ON "User"("email");', `${PG_CREATE_USER}\nCREATE INDEX "User_createdAt_idx" ON "User"("createdAt");`],
    ['index-not-concurrent', 'CREATE UNIQUE INDEX "User_email_key" ON "User"("email");', PG_CREATE_USER],
    ['concurrent-index-in-transaction', 'ALTER TABLE "User" ADD COLUMN "x" TEXT;\nCREATE INDEX CONCURRENTLY "User_email_idx" ON "User"("email");', 'CREATE INDEX CONCURRENTLY "User_email_idx" ON "User"("email");'],
    ['foreign-key-not-valid', 'ALTER TABLE "Post" ADD CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;', 'ALTER TABLE "Post" ADD CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id") NOT VALID;'],
    ['missing-lock-timeout', 'ALTER TABLE "User" ADD COLUMN "age" INTEGER;', "SET lock_timeout = '5s';\nSET statement_timeout = '60s';\nALTER TABLE \"User\" ADD COLUMN \"age\" INTEGER;"],
    ['missing-statement-timeout', 'ALTER TABLE "User" ADD COLUMN "age" INTEGER;', "SET lock_timeout = '5s';\nSET statement_timeout = '60s';\nALTER TABLE \"User\" ADD COLUMN \"age\" INTEGER;"],
    ['primary-key-on-existing-table', 'ALTER TABLE "User" ADD CONSTRAINT "User_pkey" PRIMARY KEY ("id");', PG_CREATE_USER],
  ];
  for (const [rule, triggers, clean] of cases) {
    it(`${rule}: found in its SQL, not in the clean SQL`, async () => {
      expect(rules(await lintPg(triggers))).toContain(rule);
      expect(rules(await lintPg(clean))).not.toContain(rule);
    });
  }

  it("Prisma's CREATE TABLE with SERIAL, VARCHAR and TIMESTAMP(3) is not flagged by the noisy squawk rules (left out by default)", async () => {
    expect(await lintPg(PG_CREATE_USER)).toEqual([]);
    // ...which a project can turn back on.
    expect(rules(await lintPg(PG_CREATE_USER, { rules: { 'squawk/prefer-identity': 'warning' } }))).toContain('squawk/prefer-identity');
  });

  it('says the file, the line, the table, the fix, and keeps squawk rule names', async () => {
    const findings = await lintPg(`-- AlterTable\nALTER TABLE "User"\n  DROP COLUMN "name";\n`, { rules: { 'missing-lock-timeout': 'off', 'missing-statement-timeout': 'off' } });
    expect(findings).toEqual([
      expect.objectContaining({ rule: 'drop-column', severity: 'error', file: 'm/migration.sql', line: 3, table: 'User', source: 'squawk', squawkRule: 'ban-drop-column', fix: expect.stringContaining('later migration') }),
    ]);
  });

  it('a foreign key is one finding, not also constraint-not-valid; timeouts are said once per migration', async () => {
    const found = rules(await lintPg('ALTER TABLE "Post" ADD CONSTRAINT "a_fkey" FOREIGN KEY ("a") REFERENCES "User"("id");\nALTER TABLE "Post" ADD CONSTRAINT "b_fkey" FOREIGN KEY ("b") REFERENCES "User"("id");'));
    expect(found.filter((r) => r === 'foreign-key-not-valid')).toHaveLength(2);
    expect(found).not.toContain('constraint-not-valid');
    expect(found.filter((r) => r === 'missing-lock-timeout')).toHaveLength(1);
  });

  it('an ignore comment silences that rule on the next statement only', async () => {
    const result = await lintScripts('postgresql', [{ migration: 'm', file: 'f', text: '-- migrate-kit-lint-ignore drop-column\nALTER TABLE "User" DROP COLUMN "a";\nALTER TABLE "User" DROP COLUMN "b";' }]);
    expect(result.findings.filter((f) => f.rule === 'drop-column').map((f) => f.line)).toEqual([3]);
    expect(result.ignored).toBe(1);
  });

  it('configured severities apply, and off removes a rule', async () => {
    const findings = await lintPg('DROP TABLE "Post";\nALTER TABLE "User" RENAME COLUMN "a" TO "b";', { rules: { 'drop-table': 'warning', 'rename-column': 'off' } });
    expect(findings.find((f) => f.rule === 'drop-table')?.severity).toBe('warning');
    expect(rules(findings)).not.toContain('rename-column');
  });

  it('does not crash on dollar-quoted functions and reports a syntax error as parse-error', async () => {
    const findings = await lintPg('CREATE FUNCTION f() RETURNS trigger AS $$ BEGIN NEW.x := 1; RETURN NEW; END $$ LANGUAGE plpgsql;\nCREATE TABLE (;');
    expect(rules(findings)).toContain('parse-error');
  });
});

// Prisma's SQLite output for making User.name required and dropping User.age (a "redefine table").
const SQLITE_REDEFINE = `-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_User" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL
);
INSERT INTO "new_User" ("email", "id") SELECT "email", "id" FROM "User";
DROP TABLE "User";
ALTER TABLE "new_User" RENAME TO "User";
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
`;

describe('SQLite rules (node-sql-parser)', () => {
  const cases: [rule: string, triggers: string, clean: string][] = [
    ['drop-table', 'DROP TABLE "Post";', 'CREATE TABLE "Post" ("id" INTEGER NOT NULL PRIMARY KEY);'],
    ['drop-column', 'ALTER TABLE "User" DROP COLUMN "name";', 'ALTER TABLE "User" ADD COLUMN "name" TEXT;'],
    ['not-null-without-default', 'ALTER TABLE "User" ADD COLUMN "age" INTEGER NOT NULL;', 'ALTER TABLE "User" ADD COLUMN "age" INTEGER NOT NULL DEFAULT 0;'],
    ['unique-index', 'CREATE UNIQUE INDEX "User_email_key" ON "User"("email");', 'CREATE TABLE "User" ("id" INTEGER NOT NULL PRIMARY KEY, "email" TEXT NOT NULL);\nCREATE UNIQUE INDEX "User_email_key" ON "User"("email");'],
    ['rename-column', 'ALTER TABLE "User" RENAME COLUMN "a" TO "b";', 'ALTER TABLE "User" ADD COLUMN "b" TEXT;'],
    ['rename-table', 'ALTER TABLE "User" RENAME TO "Person";', SQLITE_REDEFINE],
    ['redefine-table', SQLITE_REDEFINE, 'CREATE TABLE "new_User" ("id" INTEGER NOT NULL PRIMARY KEY);\nALTER TABLE "Post" ADD COLUMN "x" TEXT;'],
  ];
  for (const [rule, triggers, clean] of cases) {
    it(`${rule}: found in its SQL, not in the clean SQL`, async () => {
      expect(rules(await lintSqlite(triggers))).toContain(rule);
      expect(rules(await lintSqlite(clean))).not.toContain(rule);
    });
  }

  it("the redefine pattern is one finding on the table (not a drop-table), plus the NOT NULL column the copy cannot fill", async () => {
    const findings = await lintSqlite(SQLITE_REDEFINE);
    expect(findings.map((f) => [f.rule, f.line, f.table])).toEqual([
      ['redefine-table', 4, 'User'],
      ['not-null-without-default', 4, 'User'],
    ]);
    expect(findings[0]!.message).toContain('2 columns copied (email, id), not filled from the old table: name;');
  });

  it('an ignore comment silences the next statement', async () => {
    expect(await lintSqlite('-- migrate-kit-lint-ignore drop-table\nDROP TABLE "Post";')).toEqual([]);
  });
});
