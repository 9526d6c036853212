/**
 * The bad-input corpus (issue #6, item 3): one row per case. A case names the CLI, the database,
 * how to bring a fresh project into its starting state, the command line, and what must come
 * out: the exit code, fragments of the message, and, when anything may change at all, what.
 * Everything else (database and project folder) must be left exactly as it was; see
 * bad-input.test.ts for the runner.
 */
import { existsSync, readdirSync } from 'node:fs';
import { expect } from 'vitest';
import type { Case, CaseProject } from './helpers/corpus.js';
import { POSTGRES_SERVER_URL, postgresUrl, UNREACHABLE_POSTGRES_URL, withPostgres } from './helpers/databases.js';
import { migrationName } from './helpers/history.js';
import type { DatabaseSnapshot } from './helpers/snapshot.js';

const INIT = migrationName(1, 'init');

/** The SQL `migrate dev` writes for USER_MODEL, so that a hand-written history matches the schema. */
function initSql(p: CaseProject): string {
  return p.provider === 'postgresql'
    ? '-- CreateTable\nCREATE TABLE "User" (\n    "id" SERIAL NOT NULL,\n    "email" TEXT NOT NULL,\n\n    CONSTRAINT "User_pkey" PRIMARY KEY ("id")\n);\n\n-- CreateIndex\nCREATE UNIQUE INDEX "User_email_key" ON "User"("email");\n'
    : '-- CreateTable\nCREATE TABLE "User" (\n    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,\n    "email" TEXT NOT NULL\n);\n\n-- CreateIndex\nCREATE UNIQUE INDEX "User_email_key" ON "User"("email");\n';
}

/** The project with USER_MODEL migrated (one migration, INIT, applied). */
async function applied(p: CaseProject): Promise<void> {
  p.writeMigration(INIT, initSql(p));
  await p.deploy();
}

/** ...and a row in User, so that dropping anything loses data. */
async function appliedWithData(p: CaseProject): Promise<void> {
  await applied(p);
  await p.db.execute(`INSERT INTO "User" ("email") VALUES ('ada@example.com')`);
}

/** A role's URL for the case's database, with a password the output must never show. */
function urlAs(p: CaseProject, user: string, password = 'right-password'): string {
  return postgresUrl(p.db.name, { user, password });
}

async function ownDatabaseBy(p: CaseProject, role: string): Promise<void> {
  await withPostgres(POSTGRES_SERVER_URL, (c) => c.query(`ALTER DATABASE "${p.db.name}" OWNER TO "${role}"`));
}

// --- what a case may change ------------------------------------------------------------------

/** The database gained exactly these tables (and `_prisma_migrations`), and these migration rows. */
function databaseGains(tables: string[], rows: { name: string | ((p: CaseProject) => string); finished: boolean }[]) {
  return (before: DatabaseSnapshot, after: DatabaseSnapshot, p: CaseProject) => {
    const added = Object.keys(after.tables).filter((t) => !(t in before.tables));
    expect(added.sort()).toEqual([...new Set([...tables, ...('_prisma_migrations' in before.tables ? [] : ['_prisma_migrations'])])].sort());
    for (const [table, shape] of Object.entries(before.tables)) {
      if (table !== '_prisma_migrations') expect(after.tables[table], `table ${table} changed`).toEqual(shape);
    }
    expect(after.migrations.slice(0, before.migrations.length)).toEqual(before.migrations);
    expect(after.migrations.slice(before.migrations.length).map((r) => ({ name: r.name, finished: r.finished }))).toEqual(
      rows.map((r) => ({ name: typeof r.name === 'function' ? r.name(p) : r.name, finished: r.finished })),
    );
  };
}

/**
 * The folder gained one new migration (its migration.sql and down.sql, the lock file if it was
 * missing, and its line in the integrity file migrate-kit.sum, created or extended), dev's schema
 * snapshot (migrate-kit.snapshot.json beside the last applied migration) was written or updated,
 * and nothing else changed.
 */
function folderGainsOneMigration(named: RegExp) {
  return (change: { added: string[]; removed: string[]; changed: string[] }, p: CaseProject) => {
    const rel = p.migrationsDir.slice(p.dir.length + 1);
    const sql = change.added.filter((f) => f.endsWith('/migration.sql'));
    expect(sql).toHaveLength(1);
    expect(sql[0]!.slice(rel.length + 1, -'/migration.sql'.length)).toMatch(named);
    const down = `${sql[0]!.slice(0, -'/migration.sql'.length)}/down.sql`;
    const snapshot = (f: string) => f.startsWith(`${rel}/`) && f.endsWith('/migrate-kit.snapshot.json');
    const allowed = (f: string) => sql.includes(f) || f === down || snapshot(f) || f === `${rel}/migration_lock.toml` || f === `${rel}/migrate-kit.sum`;
    expect(change.added.filter((f) => !allowed(f))).toEqual([]);
    expect(change.removed).toEqual([]);
    expect(change.changed.filter((f) => f !== `${rel}/migrate-kit.sum` && !snapshot(f))).toEqual([]);
  };
}

const TEN_MB = 10 * 1024 * 1024;

/**
 * A migration of 10 MB or more: one table and TEN_MB_ROWS rows of 250 bytes, inserted `perStatement` rows
 * at a time (41,000 one-row INSERTs, or about 80 statements of 500 rows).
 */
function tenMegabyteMigration(options: { perStatement: number; failAtTheEnd?: boolean }): string {
  const payload = 'x'.repeat(250);
  const parts = ['CREATE TABLE "Big" ("id" INTEGER NOT NULL PRIMARY KEY, "payload" TEXT NOT NULL);\n'];
  for (let first = 1; first <= TEN_MB_ROWS; first += options.perStatement) {
    const values: string[] = [];
    for (let i = first; i < first + options.perStatement && i <= TEN_MB_ROWS; i++) values.push(`(${i}, '${payload}')`);
    parts.push(`INSERT INTO "Big" ("id", "payload") VALUES ${values.join(',\n  ')};\n`);
  }
  if (options.failAtTheEnd) parts.push(`INSERT INTO "Big" ("id", "payload") VALUES (1, 'duplicate primary key');\n`);
  const script = parts.join('');
  expect(script.length).toBeGreaterThanOrEqual(TEN_MB);
  return script;
}
/** Rows of 250 bytes: 10.7 MB of script in 500-row statements, 12.5 MB in one-row statements. */
const TEN_MB_ROWS = 41_000;

const BROKEN_HALF_WAY =
  'CREATE TABLE "First" ("id" INTEGER NOT NULL PRIMARY KEY);\nCREATE TABLE "Second" ("id" INTEGER NOT NULL PRIMARY KEY,, "oops" TEXT);\nCREATE TABLE "Third" ("id" INTEGER NOT NULL PRIMARY KEY);\n';

const NOT_INTERACTIVE = 'the environment is not interactive';

export const CASES: Case[] = [
  // --- command lines -------------------------------------------------------------------------
  { id: 'mk-unknown-verb', title: 'an unknown verb', cli: 'migrate-kit', provider: 'sqlite', args: ['frobnicate'], exit: 1, says: ["unknown command 'frobnicate'"] },
  { id: 'mk-unknown-flag', quick: true, title: 'an unknown flag', cli: 'migrate-kit', provider: 'sqlite', args: ['deploy', '--frobnicate'], exit: 1, says: ["unknown option '--frobnicate'"] },
  { id: 'mk-flag-without-value', title: 'a flag without its value', cli: 'migrate-kit', provider: 'sqlite', args: ['dev', '--name'], exit: 1, says: ["option '-n, --name <name>' argument missing"] },
  { id: 'mk-resolve-without-flag', title: 'resolve with neither --applied nor --rolled-back', cli: 'migrate-kit', provider: 'sqlite', arrange: applied, args: ['resolve'], exit: 1, says: ['--applied or --rolled-back must be part of the command'] },
  {
    id: 'mk-resolve-unknown-migration', quick: true,
    title: 'resolve --applied a migration that is not in the folder',
    cli: 'migrate-kit',
    provider: 'postgresql',
    arrange: applied,
    args: ['resolve', '--applied', '20990101000000_nope'],
    exit: 1,
    says: ['P3017', '20990101000000_nope'],
  },
  {
    id: 'mk-resolve-path-traversal',
    title: 'resolve --applied a path outside the migrations folder',
    cli: 'migrate-kit',
    provider: 'sqlite',
    arrange: applied,
    args: ['resolve', '--applied', '../../../../etc/passwd'],
    exit: 1,
    says: ['P3017', '../../../../etc/passwd'],
  },
  {
    id: 'mk-resolve-rolled-back-not-failed',
    title: 'resolve --rolled-back a migration that did not fail',
    cli: 'migrate-kit',
    provider: 'postgresql',
    arrange: applied,
    args: ['resolve', '--rolled-back', INIT],
    exit: 1,
    says: ['P3012', INIT, 'not in a failed state'],
  },
  {
    id: 'mk-diff-two-from',
    title: 'diff with two --from sides',
    cli: 'migrate-kit',
    provider: 'sqlite',
    args: ['diff', '--from-empty', '--from-schema', 'prisma/schema.prisma', '--to-empty'],
    exit: 1,
    says: ['2 `--from-...` parameter(s) provided. 1 must be provided.'],
  },
  { id: 'mk-execute-without-input', title: 'execute with neither --file nor --stdin', cli: 'migrate-kit', provider: 'sqlite', args: ['execute'], exit: 1, says: ['Either --stdin or --file must be provided'] },
  { id: 'mk-execute-missing-file', title: 'execute --file that does not exist', cli: 'migrate-kit', provider: 'sqlite', args: ['execute', '--file', 'no-such-script.sql'], exit: 1, says: ['no-such-script.sql'] },
  {
    id: 'mk-execute-error-half-way', quick: true,
    title: 'execute a script that fails after a first statement that worked (PostgreSQL: one transaction)',
    cli: 'migrate-kit',
    provider: 'postgresql',
    arrange: async (p) => {
      await applied(p);
      p.write('script.sql', `INSERT INTO "User" ("email") VALUES ('first@example.com');\nINSERT INTO "Nope" ("id") VALUES (1);\n`);
    },
    args: ['execute', '--file', 'script.sql'],
    exit: 1,
    // The engine words PostgreSQL's 42P01 as Prisma's P1014 ("The underlying table for model `Nope` does not exist").
    says: ['Nope', 'does not exist'],
  },

  // --- schemas --------------------------------------------------------------------------------
  { id: 'mk-no-schema', title: 'no schema anywhere', cli: 'migrate-kit', provider: 'sqlite', arrange: (p) => p.remove('prisma/schema.prisma'), args: ['deploy'], exit: 1, says: ['Could not find a Prisma schema', '--schema'] },
  { id: 'mk-schema-flag-missing-file', title: '--schema names a file that does not exist', cli: 'migrate-kit', provider: 'sqlite', args: ['deploy', '--schema', 'nope/schema.prisma'], exit: 1, says: ['nope/schema.prisma'] },
  {
    id: 'mk-schema-unclosed-block', quick: true,
    title: 'a schema with an unclosed model block',
    cli: 'migrate-kit',
    provider: 'postgresql',
    arrange: (p) => p.setModels('model User {\n  id Int @id\n  email String\n'),
    args: ['dev', '--name', 'x'],
    exit: 1,
    says: ['P1012', 'schema.prisma'],
  },
  {
    id: 'mk-schema-unknown-type', quick: true,
    title: 'a field of an unknown type',
    cli: 'migrate-kit',
    provider: 'sqlite',
    arrange: (p) => p.setModels('model User {\n  id   Int   @id\n  name Strin\n}'),
    args: ['dev', '--name', 'x'],
    exit: 1,
    says: ['P1012', 'Strin'],
  },
  {
    id: 'mk-schema-relation-without-opposite',
    title: 'a relation without its opposite field',
    cli: 'migrate-kit',
    provider: 'postgresql',
    arrange: (p) => p.setModels('model User {\n  id Int @id\n}\n\nmodel Post {\n  id       Int  @id\n  authorId Int\n  author   User @relation(fields: [authorId], references: [id])\n}'),
    args: ['dev', '--name', 'x'],
    exit: 1,
    says: ['P1012', 'opposite relation field'],
  },
  {
    id: 'mk-schema-mysql',
    title: 'a MySQL datasource (the in-process engine has no MySQL)',
    cli: 'migrate-kit',
    provider: 'sqlite',
    arrange: (p) => p.write('prisma/schema.prisma', 'datasource db {\n  provider = "mysql"\n}\n\nmodel User {\n  id Int @id\n}\n'),
    args: ['deploy'],
    env: () => ({ DATABASE_URL: 'mysql://root:mysql-secret@127.0.0.1:3306/x' }),
    exit: 1,
    says: [/mysql/i],
    never: ['mysql-secret'],
  },
  {
    id: 'mk-schema-mongodb',
    title: 'a MongoDB datasource',
    cli: 'migrate-kit',
    provider: 'sqlite',
    arrange: (p) => p.write('prisma/schema.prisma', 'datasource db {\n  provider = "mongodb"\n}\n\nmodel User {\n  id String @id @map("_id")\n}\n'),
    args: ['deploy'],
    env: () => ({ DATABASE_URL: 'mongodb://mongo-user:mongo-secret@127.0.0.1:27017/x' }),
    exit: 1,
    says: [/mongodb/i],
    never: ['mongo-secret'],
  },
  {
    id: 'mk-schema-two-datasources', quick: true,
    title: 'two datasource blocks',
    cli: 'migrate-kit',
    provider: 'sqlite',
    arrange: (p) => p.write('prisma/schema.prisma', 'datasource a {\n  provider = "sqlite"\n}\n\ndatasource b {\n  provider = "sqlite"\n}\n\nmodel User {\n  id Int @id\n}\n'),
    args: ['deploy'],
    exit: 1,
    says: ['Found a second datasource block'],
  },
  {
    id: 'mk-schema-no-datasource',
    title: 'no datasource block',
    cli: 'migrate-kit',
    provider: 'sqlite',
    arrange: (p) => p.write('prisma/schema.prisma', 'model User {\n  id Int @id\n}\n'),
    args: ['deploy'],
    exit: 1,
    says: [/datasource/i],
  },
  { id: 'mk-schema-empty', title: 'an empty schema file', cli: 'migrate-kit', provider: 'sqlite', arrange: (p) => p.write('prisma/schema.prisma', ''), args: ['status'], exit: 1, says: [/datasource/i] },
  {
    id: 'mk-schema-binary',
    title: 'a schema file of binary garbage (not UTF-8)',
    cli: 'migrate-kit',
    provider: 'sqlite',
    arrange: (p) => p.write('prisma/schema.prisma', Buffer.from([0xff, 0xfe, 0x00, 0x9f, 0x92, 0x96, 0xc3, 0x28, 0x00, 0x01, 0x7b, 0x7d])),
    args: ['status'],
    exit: 1,
    says: [/schema/i],
  },

  // --- the migrations folder ------------------------------------------------------------------
  {
    id: 'mk-lock-provider-mismatch', quick: true,
    title: 'migration_lock.toml says postgresql, the schema sqlite',
    cli: 'migrate-kit',
    provider: 'sqlite',
    arrange: (p) => {
      p.writeMigration(INIT, initSql(p));
      p.write('prisma/migrations/migration_lock.toml', 'provider = "postgresql"\n');
    },
    args: ['deploy'],
    exit: 1,
    says: ['P3019', 'postgresql', 'sqlite'],
  },
  {
    id: 'mk-lock-garbage',
    title: 'migration_lock.toml that is not TOML',
    cli: 'migrate-kit',
    provider: 'postgresql',
    arrange: (p) => {
      p.writeMigration(INIT, initSql(p));
      p.write('prisma/migrations/migration_lock.toml', '{{{ this is not toml\n');
    },
    args: ['deploy'],
    exit: 1,
    says: ['migration_lock.toml'],
  },
  {
    id: 'mk-edited-migration-dev', quick: true,
    title: 'dev after an applied migration was edited',
    cli: 'migrate-kit',
    provider: 'postgresql',
    arrange: async (p) => {
      await applied(p);
      p.write(`prisma/migrations/${INIT}/migration.sql`, `${initSql(p)}-- edited after it was applied\n`);
      p.setModels('model User {\n  id    Int     @id @default(autoincrement())\n  email String  @unique\n  name  String?\n}');
    },
    args: ['dev', '--name', 'add_name'],
    // 130: a person has to decide (reset or restore), as Prisma 6.5+ exits.
    exit: 130,
    says: [INIT, 'was modified after it was applied', 'Nothing was changed', 'reset'],
  },
  {
    id: 'mk-edited-migration-deploy',
    title: 'deploy after an applied migration was edited warns and applies nothing',
    cli: 'migrate-kit',
    provider: 'sqlite',
    arrange: async (p) => {
      await applied(p);
      p.write(`prisma/migrations/${INIT}/migration.sql`, `${initSql(p)}-- edited after it was applied\n`);
    },
    args: ['deploy'],
    exit: 0,
    says: [`The migration \`${INIT}\` was modified after it was applied.`, 'No pending migrations to apply.'],
  },
  {
    id: 'mk-missing-migration-status', quick: true,
    title: 'status when an applied migration is missing from the folder',
    cli: 'migrate-kit',
    provider: 'postgresql',
    arrange: async (p) => {
      await applied(p);
      p.writeMigration(migrationName(2, 'second'), 'CREATE TABLE "Second" ("id" INTEGER NOT NULL PRIMARY KEY);\n');
      await p.deploy();
      p.remove(`prisma/migrations/${INIT}`);
    },
    args: ['status'],
    // As Prisma's status: the missing migration is reported, and with nothing pending the exit code is 0.
    exit: 0,
    says: [INIT, 'missing from the local migrations directory'],
  },
  {
    id: 'mk-missing-migration-dev',
    title: 'dev when an applied migration is missing from the folder',
    cli: 'migrate-kit',
    provider: 'sqlite',
    arrange: async (p) => {
      await applied(p);
      p.remove(`prisma/migrations/${INIT}`);
    },
    args: ['dev', '--name', 'x'],
    exit: 130,
    says: [INIT, 'missing from the local migrations directory', 'Nothing was changed', 'reset'],
  },
  {
    id: 'mk-migration-folder-without-sql',
    title: 'a migration folder without migration.sql',
    cli: 'migrate-kit',
    provider: 'postgresql',
    arrange: (p) => {
      p.writeMigration(INIT, initSql(p));
      p.write(`prisma/migrations/${migrationName(2, 'empty')}/notes.txt`, 'forgot the SQL\n');
    },
    args: ['deploy'],
    exit: 1,
    // Prisma's P3015 text, naming the folder that lacks the file.
    says: ['P3015', `Could not find the migration file at ${migrationName(2, 'empty')}/migration.sql`],
    // As Prisma's engine does, the migrations before it are applied; the one without a file stops the deploy, with no row.
    changes: { database: databaseGains(['User'], [{ name: INIT, finished: true }]) },
  },
  {
    id: 'mk-syntax-error-half-way-postgresql', quick: true,
    title: 'a migration with a syntax error half way (PostgreSQL: nothing of it is applied)',
    cli: 'migrate-kit',
    provider: 'postgresql',
    arrange: (p) => p.writeMigration(migrationName(1, 'broken'), BROKEN_HALF_WAY),
    args: ['deploy'],
    exit: 1,
    says: ['P3018', migrationName(1, 'broken'), 'syntax error'],
    changes: { database: databaseGains([], [{ name: migrationName(1, 'broken'), finished: false }]) },
  },
  {
    id: 'mk-syntax-error-half-way-sqlite', quick: true,
    title: 'a migration with a syntax error half way (SQLite: the statements before it stay applied)',
    cli: 'migrate-kit',
    provider: 'sqlite',
    arrange: (p) => p.writeMigration(migrationName(1, 'broken'), BROKEN_HALF_WAY),
    args: ['deploy'],
    exit: 1,
    says: ['P3018', migrationName(1, 'broken'), 'syntax error'],
    // SQLite runs a migration statement by statement, outside a transaction (as Prisma's native engine does).
    changes: { database: databaseGains(['First'], [{ name: migrationName(1, 'broken'), finished: false }]) },
  },

  // --- connections and permissions -------------------------------------------------------------
  { id: 'mk-unreachable-server', quick: true, title: 'nothing listens at the URL', cli: 'migrate-kit', provider: 'postgresql', args: ['deploy'], env: () => ({ DATABASE_URL: UNREACHABLE_POSTGRES_URL }), exit: 1, says: ['P1001', "Can't reach database server"] },
  {
    id: 'mk-database-does-not-exist',
    // status reads only (deploy, dev, reset and push create a missing database, as Prisma's do).
    title: 'status on a database that does not exist',
    cli: 'migrate-kit',
    provider: 'postgresql',
    args: ['status'],
    env: (p) => ({ DATABASE_URL: postgresUrl(`${p.db.name}_nope`, { password: p.password }) }),
    exit: 1,
    says: ['P1003', 'does not exist'],
  },
  {
    id: 'mk-role-does-not-exist', quick: true,
    title: 'a user that does not exist',
    cli: 'migrate-kit',
    provider: 'postgresql',
    args: ['deploy'],
    env: (p) => ({ DATABASE_URL: urlAs(p, 'mk_corpus_nobody') }),
    exit: 1,
    says: [/P10(00|10)/],
  },
  {
    id: 'mk-role-without-login',
    title: 'a user that may not log in',
    cli: 'migrate-kit',
    provider: 'postgresql',
    args: ['deploy'],
    env: (p, ctx) => ({ DATABASE_URL: urlAs(p, ctx.roleWithoutLogin) }),
    exit: 1,
    says: [/P10(00|10)/],
  },
  {
    id: 'mk-wrong-password',
    title: 'a wrong password',
    cli: 'migrate-kit',
    provider: 'postgresql',
    requires: 'password-authentication',
    args: ['deploy'],
    env: (p, ctx) => ({ DATABASE_URL: urlAs(p, ctx.roleWithoutCreateDb, 'wrong-password') }),
    exit: 1,
    says: ['P1000'],
    never: ['wrong-password'],
  },
  {
    id: 'mk-no-permission-for-shadow-database', quick: true,
    title: 'dev as a user who may not create databases (no shadow database)',
    cli: 'migrate-kit',
    provider: 'postgresql',
    arrange: async (p, ctx) => ownDatabaseBy(p, ctx.roleWithoutCreateDb),
    args: ['dev', '--name', 'init'],
    env: (p, ctx) => ({ DATABASE_URL: urlAs(p, ctx.roleWithoutCreateDb) }),
    exit: 1,
    says: ['P3014', 'shadow database'],
  },
  {
    id: 'mk-no-permission-to-create-tables',
    title: 'deploy as a user who may not create tables',
    cli: 'migrate-kit',
    provider: 'postgresql',
    arrange: (p) => p.writeMigration(INIT, initSql(p)),
    args: ['deploy'],
    env: (p, ctx) => ({ DATABASE_URL: urlAs(p, ctx.roleWithoutPrivileges) }),
    exit: 1,
    says: ['permission denied'],
  },
  { id: 'mk-no-url', title: 'no database URL at all', cli: 'migrate-kit', provider: 'postgresql', args: ['deploy'], env: () => ({ DATABASE_URL: undefined }), exit: 1, says: [/url/i] },
  { id: 'mk-url-not-a-url', title: '--url that is not a URL', cli: 'migrate-kit', provider: 'postgresql', args: ['deploy', '--url', 'not a url'], exit: 1, says: [/url/i] },
  {
    id: 'mk-url-of-another-provider',
    title: 'a MySQL URL for a PostgreSQL schema',
    cli: 'migrate-kit',
    provider: 'postgresql',
    args: ['deploy'],
    env: () => ({ DATABASE_URL: 'mysql://root:mysql-secret@127.0.0.1:3306/x' }),
    exit: 1,
    says: [/postgres/i],
    never: ['mysql-secret'],
  },

  // --- prompts without a TTY -------------------------------------------------------------------
  { id: 'mk-reset-without-force', quick: true, title: 'reset without --force and no TTY', cli: 'migrate-kit', provider: 'postgresql', arrange: appliedWithData, args: ['reset'], exit: 1, says: [NOT_INTERACTIVE, '--force'] },
  {
    id: 'mk-dev-data-loss', quick: true,
    title: 'dev that would drop a column with data, without --accept-data-loss',
    cli: 'migrate-kit',
    provider: 'sqlite',
    arrange: async (p) => {
      await appliedWithData(p);
      p.setModels('model User {\n  id Int @id @default(autoincrement())\n}');
    },
    args: ['dev', '--name', 'drop_email'],
    exit: 1,
    says: [NOT_INTERACTIVE, '--accept-data-loss'],
  },
  {
    id: 'mk-push-data-loss',
    title: 'push that would drop a column with data, without --accept-data-loss',
    cli: 'migrate-kit',
    provider: 'postgresql',
    arrange: async (p) => {
      await appliedWithData(p);
      p.setModels('model User {\n  id Int @id @default(autoincrement())\n}');
    },
    args: ['push'],
    exit: 1,
    says: ['--accept-data-loss'],
  },
  {
    id: 'mk-dev-drift',
    title: 'dev on a database that drifted from the migrations',
    cli: 'migrate-kit',
    provider: 'postgresql',
    arrange: async (p) => {
      await applied(p);
      await p.db.execute('CREATE TABLE "drift" ("id" INTEGER)');
    },
    args: ['dev', '--name', 'x'],
    exit: 130,
    says: ['Drift detected', '- drift', 'Nothing was changed', 'reset'],
  },
  {
    id: 'mk-dev-without-name',
    title: 'dev without --name and no TTY: Prisma\'s CI behaviour, a migration named by its timestamp only',
    cli: 'migrate-kit',
    provider: 'sqlite',
    args: ['dev'],
    exit: 0,
    says: ['have been created and applied'],
    changes: {
      database: databaseGains(['User'], [{ name: (p) => readdir(p)[0]!, finished: true }]),
      folder: folderGainsOneMigration(/^\d{14}$/),
    },
  },

  // --- unicode, spaces, size -------------------------------------------------------------------
  {
    id: 'mk-unicode-path', quick: true,
    title: 'a project folder with spaces and unicode in its path',
    cli: 'migrate-kit',
    provider: 'sqlite',
    folderName: 'Mein Projekt – ünïcødé 🚀 (copy)',
    arrange: (p) => p.writeMigration(INIT, initSql(p)),
    args: ['deploy'],
    exit: 0,
    says: ['All migrations have been successfully applied.', INIT],
    changes: { database: databaseGains(['User'], [{ name: INIT, finished: true }]) },
  },
  {
    id: 'mk-unicode-migration-name', quick: true,
    title: 'dev --name with unicode, spaces and an emoji (slugified as Prisma does)',
    cli: 'migrate-kit',
    provider: 'postgresql',
    args: ['dev', '--name', 'Añadir usuário 🚀 Straße'],
    exit: 0,
    says: ['_anadir_usuario_strasse'],
    changes: {
      database: databaseGains(['User'], [{ name: (p) => readdir(p)[0]!, finished: true }]),
      folder: folderGainsOneMigration(/^\d{14}_anadir_usuario_strasse$/),
    },
  },
  {
    id: 'mk-unicode-migration-folder',
    title: 'a hand-named migration folder with spaces and unicode',
    cli: 'migrate-kit',
    provider: 'postgresql',
    arrange: (p) => p.writeMigration('20200101000001_café crème 🚀', initSql(p)),
    args: ['deploy'],
    exit: 0,
    says: ['20200101000001_café crème 🚀'],
    changes: { database: databaseGains(['User'], [{ name: '20200101000001_café crème 🚀', finished: true }]) },
  },
  {
    id: 'mk-unicode-schema-path',
    title: '--schema and --migrations with spaces and unicode',
    cli: 'migrate-kit',
    provider: 'sqlite',
    arrange: (p) => {
      p.write('schémas à moi/main schema.prisma', p.read('prisma/schema.prisma'));
      p.write(`mïgrations dir/${INIT}/migration.sql`, initSql(p));
      p.write('mïgrations dir/migration_lock.toml', 'provider = "sqlite"\n');
    },
    args: ['deploy', '--schema', 'schémas à moi/main schema.prisma', '--migrations', 'mïgrations dir'],
    exit: 0,
    says: ['All migrations have been successfully applied.'],
    changes: { database: databaseGains(['User'], [{ name: INIT, finished: true }]) },
  },
  {
    id: 'mk-10mb-migration-postgresql', quick: true,
    title: 'a 10 MB migration',
    cli: 'migrate-kit',
    provider: 'postgresql',
    // 41,000 statements: PostgreSQL runs the whole script as one implicit transaction.
    arrange: (p) => p.writeMigration(migrationName(1, 'big'), tenMegabyteMigration({ perStatement: 1 })),
    args: ['deploy'],
    exit: 0,
    says: ['All migrations have been successfully applied.'],
    changes: {
      database: (before, after, p) => {
        databaseGains(['Big'], [{ name: migrationName(1, 'big'), finished: true }])(before, after, p);
        expect(after.tables.Big?.rows).toBe(TEN_MB_ROWS);
      },
    },
  },
  {
    id: 'mk-10mb-migration-sqlite',
    title: 'a 10 MB migration',
    cli: 'migrate-kit',
    provider: 'sqlite',
    // Multi-row INSERTs: SQLite commits every statement of a migration on its own (no transaction
    // around it, as with Prisma's engine), and 41,000 one-row commits take minutes on a slow disk
    // (measured here: 22-60 s and more; see README.md).
    arrange: (p) => p.writeMigration(migrationName(1, 'big'), tenMegabyteMigration({ perStatement: 500 })),
    args: ['deploy'],
    exit: 0,
    says: ['All migrations have been successfully applied.'],
    changes: {
      database: (before, after, p) => {
        databaseGains(['Big'], [{ name: migrationName(1, 'big'), finished: true }])(before, after, p);
        expect(after.tables.Big?.rows).toBe(TEN_MB_ROWS);
      },
    },
  },
  {
    id: 'mk-10mb-migration-failing-at-its-end',
    title: 'a 10 MB migration whose last statement fails (nothing of it stays; the error does not echo 10 MB)',
    cli: 'migrate-kit',
    provider: 'postgresql',
    arrange: (p) => p.writeMigration(migrationName(1, 'big'), tenMegabyteMigration({ perStatement: 1, failAtTheEnd: true })),
    args: ['deploy'],
    exit: 1,
    says: ['P3018', migrationName(1, 'big'), 'Database error code: 23505', 'duplicate key value violates unique constraint "Big_pkey"'],
    never: [/x{1000}/],
    changes: { database: databaseGains([], [{ name: migrationName(1, 'big'), finished: false }]) },
  },

  // --- prisma-migrate (Prisma 6 style projects: url = env("DATABASE_URL")) --------------------
  { id: 'pm-unknown-flag', title: 'an unknown flag on a migrate verb', cli: 'prisma-migrate', provider: 'sqlite', args: ['migrate', 'deploy', '--frobnicate'], exit: 1, says: ["unknown option '--frobnicate'"] },
  {
    id: 'pm-removed-from-url', quick: true,
    title: 'migrate diff --from-url (removed in Prisma 7)',
    cli: 'prisma-migrate',
    provider: 'postgresql',
    args: (p) => ['migrate', 'diff', '--from-url', p.url, '--to-empty'],
    exit: 1,
    says: ['`--from-url` was removed', '--from-config-datasource'],
  },
  { id: 'pm-env-var-missing', quick: true, title: 'the schema reads DATABASE_URL, which is not set', cli: 'prisma-migrate', provider: 'postgresql', args: ['migrate', 'deploy'], env: () => ({ DATABASE_URL: undefined }), exit: 1, says: ['DATABASE_URL'] },
  {
    id: 'pm-two-schemas',
    title: 'both schema.prisma and prisma/schema.prisma',
    cli: 'prisma-migrate',
    provider: 'sqlite',
    arrange: (p) => p.write('schema.prisma', p.read('prisma/schema.prisma')),
    args: ['migrate', 'status'],
    exit: 1,
    says: ['Found two Prisma schemas', '--schema'],
  },
  {
    id: 'pm-config-throws',
    title: 'a prisma.config.ts that throws',
    cli: 'prisma-migrate',
    provider: 'sqlite',
    arrange: (p) => p.write('prisma.config.ts', "throw new Error('config exploded on purpose');\nexport default {};\n"),
    args: ['migrate', 'status'],
    exit: 1,
    says: ['config exploded on purpose'],
  },
  {
    id: 'pm-config-syntax-error',
    title: 'a prisma.config.ts with a syntax error',
    cli: 'prisma-migrate',
    provider: 'sqlite',
    arrange: (p) => p.write('prisma.config.ts', 'export default {\n  schema: "prisma/schema.prisma",,\n'),
    args: ['migrate', 'status'],
    exit: 1,
    says: ['prisma.config.ts'],
  },
  {
    id: 'pm-schema-validation', quick: true,
    title: 'a schema with a duplicate model',
    cli: 'prisma-migrate',
    provider: 'postgresql',
    arrange: (p) => p.setModels('model User {\n  id Int @id\n}\n\nmodel User {\n  id Int @id\n}'),
    args: ['migrate', 'dev', '--name', 'x'],
    exit: 1,
    says: ['P1012', 'User'],
  },
  {
    id: 'pm-lock-provider-mismatch',
    title: 'migration_lock.toml says sqlite, the schema postgresql',
    cli: 'prisma-migrate',
    provider: 'postgresql',
    arrange: (p) => {
      p.writeMigration(INIT, initSql(p));
      p.write('prisma/migrations/migration_lock.toml', 'provider = "sqlite"\n');
    },
    args: ['migrate', 'deploy'],
    exit: 1,
    says: ['P3019'],
  },
  { id: 'pm-reset-without-force', title: 'migrate reset without --force and no TTY', cli: 'prisma-migrate', provider: 'sqlite', arrange: appliedWithData, args: ['migrate', 'reset'], exit: 1, says: [NOT_INTERACTIVE, '--force'] },
  { id: 'pm-unreachable-server', title: 'nothing listens at the URL', cli: 'prisma-migrate', provider: 'postgresql', args: ['migrate', 'status'], env: () => ({ DATABASE_URL: UNREACHABLE_POSTGRES_URL }), exit: 1, says: ['P1001'] },
  {
    id: 'pm-execute-stdin-syntax-error',
    title: 'db execute --stdin with a syntax error',
    cli: 'prisma-migrate',
    provider: 'postgresql',
    arrange: applied,
    args: ['db', 'execute', '--stdin'],
    input: `INSERT INTO "User" ("email") VALUES ('x@example.com');\nSELEC 1;\n`,
    exit: 1,
    says: ['syntax error'],
  },
  {
    id: 'pm-url-wrong-protocol',
    title: 'a file: URL for a PostgreSQL schema',
    cli: 'prisma-migrate',
    provider: 'postgresql',
    args: ['migrate', 'deploy'],
    env: () => ({ DATABASE_URL: 'file:./dev.db' }),
    exit: 1,
    says: [/postgres/i],
  },
  {
    id: 'pm-unicode-schema-path',
    title: '--schema with spaces and unicode',
    cli: 'prisma-migrate',
    provider: 'postgresql',
    arrange: (p) => {
      p.write('my schemas/schéma 🚀.prisma', p.read('prisma/schema.prisma'));
      p.write(`my schemas/migrations/${INIT}/migration.sql`, initSql(p));
      p.write('my schemas/migrations/migration_lock.toml', 'provider = "postgresql"\n');
    },
    args: ['migrate', 'deploy', '--schema', 'my schemas/schéma 🚀.prisma'],
    exit: 0,
    says: ['All migrations have been successfully applied.'],
    changes: { database: databaseGains(['User'], [{ name: INIT, finished: true }]) },
  },
  {
    id: 'pm-edited-migration-status',
    title: 'migrate status after an applied migration was edited',
    cli: 'prisma-migrate',
    provider: 'sqlite',
    arrange: async (p) => {
      await applied(p);
      p.write(`prisma/migrations/${INIT}/migration.sql`, `${initSql(p)}-- edited\n`);
    },
    args: ['migrate', 'status'],
    exit: 0,
    says: [`The migration \`${INIT}\` was modified after it was applied.`],
  },
  {
    id: 'pm-missing-migration-deploy',
    title: 'migrate deploy when an applied migration is missing from the folder, with a new one pending',
    cli: 'prisma-migrate',
    provider: 'postgresql',
    arrange: async (p) => {
      await applied(p);
      p.remove(`prisma/migrations/${INIT}`);
      p.writeMigration(migrationName(2, 'second'), 'CREATE TABLE "Second" ("id" INTEGER NOT NULL PRIMARY KEY);\n');
    },
    args: ['migrate', 'deploy'],
    exit: 0,
    says: [migrationName(2, 'second')],
    // Prisma's deploy applies what is pending and ignores what is missing locally (status reports it).
    changes: { database: databaseGains(['Second'], [{ name: migrationName(2, 'second'), finished: true }]) },
  },

  // --- zen-migrate (a few: each process loads ZenStack for several seconds) ---------------------
  {
    id: 'zm-zmodel-syntax-error', quick: true,
    title: 'a ZModel with a syntax error',
    cli: 'zen-migrate',
    provider: 'sqlite',
    arrange: (p) => p.setModels('model User {\n  id Int @id\n  email String @unique\n'),
    args: ['migrate', 'dev', '--name', 'x'],
    exit: 1,
    says: ['schema.zmodel'],
  },
  {
    id: 'zm-no-url',
    title: 'a ZModel datasource without url',
    cli: 'zen-migrate',
    provider: 'postgresql',
    arrange: (p) => p.write('zenstack/schema.zmodel', "datasource db {\n  provider = 'postgresql'\n}\n\nmodel User {\n  id Int @id\n}\n"),
    args: ['migrate', 'deploy'],
    exit: 1,
    says: ['has no url'],
  },
  { id: 'zm-unknown-flag', title: 'an unknown flag', cli: 'zen-migrate', provider: 'sqlite', args: ['migrate', 'deploy', '--frobnicate'], exit: 1, says: ["unknown option '--frobnicate'"] },
  {
    id: 'zm-reset-without-force',
    title: 'migrate reset without --force and no TTY',
    cli: 'zen-migrate',
    provider: 'postgresql',
    arrange: appliedWithData,
    args: ['migrate', 'reset'],
    exit: 1,
    says: [NOT_INTERACTIVE, '--force'],
  },
  {
    id: 'zm-lock-provider-mismatch',
    title: 'migration_lock.toml says postgresql, the ZModel sqlite',
    cli: 'zen-migrate',
    provider: 'sqlite',
    arrange: (p) => {
      p.writeMigration(INIT, initSql(p));
      p.write('zenstack/migrations/migration_lock.toml', 'provider = "postgresql"\n');
    },
    args: ['migrate', 'deploy'],
    exit: 1,
    says: ['P3019'],
  },

  // --- keystone-migrate (a few: each process loads Keystone for several seconds) ---------------
  {
    id: 'km-config-syntax-error',
    title: 'a keystone.ts with a syntax error',
    cli: 'keystone-migrate',
    provider: 'sqlite',
    arrange: (p) => p.write('keystone.ts', 'export default config({\n  db: {,\n'),
    args: ['status'],
    exit: 1,
    says: ['keystone.ts'],
  },
  { id: 'km-no-keystone-ts', title: 'no keystone.ts', cli: 'keystone-migrate', provider: 'sqlite', arrange: (p) => p.remove('keystone.ts'), args: ['status'], exit: 1, says: ['No keystone.ts', '--entry'] },
  { id: 'km-create-without-name', quick: true, title: 'create without --name and no TTY', cli: 'keystone-migrate', provider: 'postgresql', args: ['create'], exit: 1, says: ['--name'] },
  {
    id: 'km-reset-without-force',
    title: 'reset without --force and no TTY',
    cli: 'keystone-migrate',
    provider: 'sqlite',
    arrange: appliedWithData,
    args: ['reset'],
    exit: 1,
    says: [NOT_INTERACTIVE, '--force'],
  },
  { id: 'km-unknown-flag', title: 'an unknown flag', cli: 'keystone-migrate', provider: 'sqlite', args: ['deploy', '--frobnicate'], exit: 1, says: ["unknown option '--frobnicate'"] },
];

/** The migration folders of the project, sorted. */
function readdir(p: CaseProject): string[] {
  return existsSync(p.migrationsDir) ? readdirSync(p.migrationsDir).filter((n) => n !== 'migration_lock.toml' && n !== 'migrate-kit.sum').sort() : [];
}

