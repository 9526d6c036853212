import type { TestProvider, ZenProject } from './project.js';

/**
 * The ZModel the tests migrate: everything of ZenStack's own that must not reach the database as
 * is (an import, a `type` mixin, `@@delegate` polymorphism, access policies from the policy
 * plugin, a view) and, on PostgreSQL, models in two schemas (`auth` and `public`).
 */
export interface ZenSchemaOptions {
  /** The datasource url expression (default: `env('DATABASE_URL')`); `null` leaves it out. */
  url?: string | null;
  /** Extra fields for `model Video` (a schema change). */
  videoFields?: string;
  /** Leave `model Tag` out (a destructive change). */
  withoutTag?: boolean;
}

/** `@@schema('x')` on PostgreSQL (multi-schema), nothing on SQLite. */
const inSchema = (provider: TestProvider, schema: string) => (provider === 'postgresql' ? `\n  @@schema('${schema}')` : '');

/** zenstack/base.zmodel: the mixin (an imported file sees only what it imports itself, so no models that point back). */
export function baseZModel(): string {
  return `// Shared declarations, imported by schema.zmodel.
type Timestamps {
  createdAt DateTime @default(now())
  updatedAt DateTime @updatedAt
}
`;
}

/** zenstack/schema.zmodel: datasource, plugin, models with the mixin, a delegate base and its concrete model, a view. */
export function schemaZModel(provider: TestProvider, options: ZenSchemaOptions = {}): string {
  const url = options.url === undefined ? "env('DATABASE_URL')" : options.url;
  const datasource = [`  provider = '${provider}'`, url === null ? '' : `  url      = ${url}`, provider === 'postgresql' ? "  schemas  = ['public', 'auth']" : '']
    .filter(Boolean)
    .join('\n');
  return `import './base'

datasource db {
${datasource}
}

plugin policy {
  provider = '@zenstackhq/plugin-policy'
}

model User with Timestamps {
  id     Int     @id @default(autoincrement())
  email  String  @unique
  assets Asset[]

  @@allow('create,read', true)
  @@allow('update,delete', auth() == this)${inSchema(provider, 'auth')}
}

model Asset with Timestamps {
  id      Int    @id @default(autoincrement())
  kind    String
  owner   User   @relation(fields: [ownerId], references: [id])
  ownerId Int

  @@delegate(kind)
  @@allow('read', true)
  @@allow('all', owner == auth())
  @@deny('delete', auth() == null)${inSchema(provider, 'public')}
}

// Inherits @@schema from Asset: repeating it here makes ZenStack's generator emit it twice.
model Video extends Asset {
  url String${options.videoFields ? `\n  ${options.videoFields}` : ''}
}

${
  options.withoutTag
    ? ''
    : `model Tag {
  id   Int    @id @default(autoincrement())
  name String @unique

  @@allow('read', true)${inSchema(provider, 'public')}
}
`
}
view UserInfo {
  id    Int    @unique
  email String${inSchema(provider, 'public')}
}
`;
}

/** Writes zenstack/base.zmodel and zenstack/schema.zmodel. */
export function writeZenSchema(project: ZenProject, options: ZenSchemaOptions = {}): void {
  project.write('zenstack/base.zmodel', baseZModel());
  project.write('zenstack/schema.zmodel', schemaZModel(project.provider, options));
}

/** The SQL that creates the UserInfo view the ZModel declares (the engine writes none). */
export function userInfoViewSql(provider: TestProvider): string {
  return provider === 'sqlite'
    ? 'CREATE VIEW "UserInfo" AS SELECT "id", "email" FROM "User";\n'
    : 'CREATE VIEW "public"."UserInfo" AS SELECT "id", "email" FROM "auth"."User";\n';
}

/** Tables (and views) as `schema.name` on PostgreSQL, `name` on SQLite, sorted. */
export async function relations(project: ZenProject, kind: 'table' | 'view', db = project.db): Promise<string[]> {
  const rows =
    project.provider === 'sqlite'
      ? await db.query(`SELECT name FROM sqlite_master WHERE type = '${kind}' AND name NOT LIKE 'sqlite_%'`)
      : await db.query(
          `SELECT table_schema || '.' || table_name AS name FROM information_schema.tables WHERE table_schema IN ('public', 'auth') AND table_type = '${kind === 'table' ? 'BASE TABLE' : 'VIEW'}'`,
        );
  return rows.map((r) => String(r.name)).sort();
}

/** Column names of a table (`schema.table` on PostgreSQL), sorted. */
export async function columns(project: ZenProject, table: string, db = project.db): Promise<string[]> {
  if (project.provider === 'sqlite') return (await db.query(`SELECT name FROM pragma_table_info('${table}')`)).map((r) => String(r.name)).sort();
  const [schema, name] = table.split('.');
  const rows = await db.query(`SELECT column_name AS name FROM information_schema.columns WHERE table_schema = '${schema}' AND table_name = '${name}'`);
  return rows.map((r) => String(r.name)).sort();
}

/** The qualified name of a model's table: `User` on SQLite, `auth.User` on PostgreSQL. */
export function tableName(provider: TestProvider, model: string): string {
  if (provider === 'sqlite') return model;
  return `${model === 'User' ? 'auth' : 'public'}.${model}`;
}

export interface MigrationRow {
  id: string;
  migration_name: string;
  checksum: string;
  finished: boolean;
  rolledBack: boolean;
}

/** `_prisma_migrations`, oldest first. */
export async function migrationRows(project: ZenProject, db = project.db): Promise<MigrationRow[]> {
  const rows = await db.query('SELECT id, migration_name, checksum, finished_at, rolled_back_at FROM _prisma_migrations ORDER BY started_at, migration_name');
  return rows.map((r) => ({
    id: String(r.id),
    migration_name: String(r.migration_name),
    checksum: String(r.checksum),
    finished: r.finished_at !== null,
    rolledBack: r.rolled_back_at !== null,
  }));
}

/** Everything that tells whether a command changed the database: tables, views, their columns, the migration rows. */
export async function databaseSnapshot(project: ZenProject, db = project.db): Promise<unknown> {
  if (!db.exists()) return 'no database file';
  const tables = await relations(project, 'table', db);
  const views = await relations(project, 'view', db);
  const shape = await Promise.all(tables.map(async (t) => [t, await columns(project, t, db)]));
  const history = tables.some((t) => t.endsWith('_prisma_migrations')) ? await migrationRows(project, db) : [];
  return { shape, views, history };
}

/** `YYYYMMDDHHMMSS` of a moment, as migration folders are named. */
export function migrationTimestamp(date: Date): string {
  return date.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}
