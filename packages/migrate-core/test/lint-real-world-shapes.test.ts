/**
 * Issue 12: lint runs without crashing on real migration histories. Run by hand on public ones
 * while it was built (documenso: 163 PostgreSQL migrations, rallly: 145, pingvin-share: 24 SQLite;
 * none of their code is here). This is the generated equivalent the suite keeps: the shapes those
 * histories hold beyond what Prisma generates (enum changes in their own transaction, DO blocks
 * and functions whose bodies hold semicolons, triggers, extensions, data backfills, strings and
 * comments with semicolons and quotes, SQLite table redefinitions and trigger bodies), written
 * here from scratch. Every finding must be well formed and point into its file.
 */
import { describe, expect, it } from 'vitest';
import { type LintScript, lintScripts } from '../src/lint/lint-scripts.js';
import { splitSqlStatements } from '../src/lint/sql-statements.js';

const POSTGRES_SHAPES: Record<string, string> = {
  init: `-- CreateEnum
CREATE TYPE "Role" AS ENUM ('USER', 'ADMIN');

-- CreateTable
CREATE TABLE "User" (
    "id" SERIAL NOT NULL,
    "email" TEXT NOT NULL,
    "role" "Role" NOT NULL DEFAULT 'USER',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");
`,
  enum_in_its_own_transaction: `-- AlterEnum
BEGIN;
CREATE TYPE "Role_new" AS ENUM ('USER', 'OWNER');
ALTER TABLE "User" ALTER COLUMN "role" DROP DEFAULT;
ALTER TABLE "User" ALTER COLUMN "role" TYPE "Role_new" USING ("role"::text::"Role_new");
ALTER TYPE "Role" RENAME TO "Role_old";
ALTER TYPE "Role_new" RENAME TO "Role";
DROP TYPE "Role_old";
ALTER TABLE "User" ALTER COLUMN "role" SET DEFAULT 'USER';
COMMIT;

-- AlterEnum
ALTER TYPE "Role" ADD VALUE 'GUEST';
`,
  functions_and_triggers: `CREATE EXTENSION IF NOT EXISTS "pg_trgm";

CREATE OR REPLACE FUNCTION touch_updated_at() RETURNS trigger AS $body$
BEGIN
  NEW."updatedAt" := now(); -- a comment; with a semicolon
  RETURN NEW;
END;
$body$ LANGUAGE plpgsql;

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'Plan') THEN
    CREATE TYPE "Plan" AS ENUM ('FREE', 'PRO');
  END IF;
END
$$;

ALTER TABLE "User" ADD COLUMN "updatedAt" TIMESTAMP(3);
CREATE TRIGGER user_touch BEFORE UPDATE ON "User" FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE INDEX "User_email_trgm_idx" ON "User" USING GIN ("email" gin_trgm_ops);
`,
  backfill_and_not_null: `ALTER TABLE "User" ADD COLUMN "name" TEXT;
UPDATE "User" SET "name" = split_part("email", '@', 1) WHERE "name" IS NULL; /* block comment; with ; */
UPDATE "User" SET "name" = 'O''Brien; the first' WHERE "id" = 1;
UPDATE "User" SET "name" = E'tab\\there; ok' WHERE "id" = 2;
ALTER TABLE "User" ALTER COLUMN "name" SET NOT NULL;
ALTER TABLE "User" RENAME COLUMN "name" TO "displayName";
ALTER TABLE "User" ALTER COLUMN "displayName" TYPE VARCHAR(200);
`,
  relations_and_drops: `CREATE TABLE "Post" ("id" TEXT NOT NULL, "authorId" INTEGER NOT NULL, CONSTRAINT "Post_pkey" PRIMARY KEY ("id"));
ALTER TABLE "Post" ADD CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
CREATE INDEX "Post_authorId_idx" ON "Post"("authorId") WHERE "authorId" > 0;
ALTER TABLE "User" ADD CONSTRAINT "User_displayName_key" UNIQUE ("displayName");
DROP INDEX "User_email_trgm_idx";
ALTER TABLE "User" DROP COLUMN "updatedAt";
DROP TABLE IF EXISTS "Legacy" CASCADE;
DROP SCHEMA IF EXISTS "old_stuff" CASCADE;
`,
  empty: `-- This is an empty migration.`,
};

const SQLITE_SHAPES: Record<string, string> = {
  init: `-- CreateTable
CREATE TABLE "User" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "email" TEXT NOT NULL,
    "name" TEXT
);

-- CreateIndex
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");
`,
  redefine: `-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_User" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "plan" TEXT NOT NULL DEFAULT 'free'
);
INSERT INTO "new_User" ("email", "id", "name") SELECT "email", "id", coalesce("name", 'x;y') FROM "User";
DROP TABLE "User";
ALTER TABLE "new_User" RENAME TO "User";
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
`,
  trigger_and_view: `CREATE TRIGGER "user_audit" AFTER UPDATE ON "User"
BEGIN
  UPDATE "User" SET "name" = 'changed; twice' WHERE "id" = NEW."id";
  SELECT 1;
END;
CREATE VIEW "UserNames" AS SELECT "name" FROM "User"; -- trailing comment; here
ALTER TABLE "User" ADD COLUMN "age" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "User" RENAME COLUMN "age" TO "years";
ALTER TABLE "User" DROP COLUMN "years";
DROP VIEW "UserNames";
DROP TABLE "Legacy";
`,
  empty: `-- This is an empty migration.`,
};

function scriptsOf(shapes: Record<string, string>): LintScript[] {
  return Object.entries(shapes).map(([name, text], i) => ({ migration: `2024010100000${i}_${name}`, file: `migrations/${name}/migration.sql`, text }));
}

function expectWellFormed(scripts: LintScript[], findings: Awaited<ReturnType<typeof lintScripts>>['findings']): void {
  const lines = new Map(scripts.map((s) => [s.migration, s.text.split('\n').length]));
  for (const f of findings) {
    const what = JSON.stringify(f);
    expect(['error', 'warning', 'info'], what).toContain(f.severity);
    expect(f.rule, what).toMatch(/^[a-z0-9/-]+$/);
    expect(f.message.length, what).toBeGreaterThan(0);
    expect(f.fix.length, what).toBeGreaterThan(0);
    expect(lines.has(f.migration), what).toBe(true);
    expect(f.line, what).toBeGreaterThanOrEqual(1);
    expect(f.line, what).toBeLessThanOrEqual(lines.get(f.migration)!);
  }
}

describe('lint on the shapes of real migration histories', () => {
  it('PostgreSQL: no crash, every finding well formed, and the data-losing and locking statements found', async () => {
    const scripts = scriptsOf(POSTGRES_SHAPES);
    const { findings } = await lintScripts('postgresql', scripts);
    expectWellFormed(scripts, findings);
    const rulesIn = (name: string) => new Set(findings.filter((f) => f.migration.endsWith(name)).map((f) => f.rule));
    // What a reviewer must see in the last two migrations, whatever else is reported.
    expect(rulesIn('relations_and_drops').size).toBeGreaterThan(0);
    expect([...rulesIn('relations_and_drops')].some((r) => r.includes('drop'))).toBe(true);
    expect(rulesIn('backfill_and_not_null').size).toBeGreaterThan(0);
    expect(rulesIn('empty').size).toBe(0);
  });

  it('SQLite: no crash, every finding well formed, a trigger body stays one statement, and the redefinition and drops are found', async () => {
    const trigger = splitSqlStatements(SQLITE_SHAPES.trigger_and_view!);
    expect(trigger[0]!.text).toMatch(/^CREATE TRIGGER[\s\S]*END$/);
    expect(trigger).toHaveLength(7);
    const scripts = scriptsOf(SQLITE_SHAPES);
    const { findings } = await lintScripts('sqlite', scripts);
    expectWellFormed(scripts, findings);
    const rules = new Set(findings.map((f) => f.rule));
    expect([...rules].some((r) => r.includes('redefine'))).toBe(true);
    expect([...rules].some((r) => r.includes('drop'))).toBe(true);
    expect(findings.filter((f) => f.migration.endsWith('empty'))).toEqual([]);
  });

  it('PostgreSQL function and DO bodies are not split at their inner semicolons', () => {
    const statements = splitSqlStatements(POSTGRES_SHAPES.functions_and_triggers!);
    expect(statements.map((s) => s.text.split(/\s+/).slice(0, 2).join(' '))).toEqual([
      'CREATE EXTENSION',
      'CREATE OR',
      'DO $$',
      'ALTER TABLE',
      'CREATE TRIGGER',
      'CREATE INDEX',
    ]);
  });
});
