import { defineConfig } from 'prisma/config';

// SQLite by default; PostgreSQL when DATABASE_URL is a postgres URL (keystone.ts decides the same
// way). Each provider keeps its own migrations folder: a migration history is written for one.
const url = process.env.DATABASE_URL ?? 'file:./keystone.db';
const provider = url.startsWith('postgres') ? 'postgresql' : 'sqlite';

export default defineConfig({
  schema: 'schema.prisma',
  migrations: { path: `migrations/${provider}` },
  datasource: { url, shadowDatabaseUrl: process.env.SHADOW_DATABASE_URL },
});
