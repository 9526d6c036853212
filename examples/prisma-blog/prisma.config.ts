import { defineConfig } from '@prisma/config';

// SQLite by default; PostgreSQL when DATABASE_URL is a postgres URL. Each provider keeps its own
// schema and migrations folder (a migration history is written for one provider).
const url = process.env.DATABASE_URL ?? 'file:./dev.db';
const provider = url.startsWith('postgres') ? 'postgresql' : 'sqlite';

export default defineConfig({
  schema: `prisma/${provider}/schema.prisma`,
  migrations: { path: `prisma/${provider}/migrations` },
  datasource: { url, shadowDatabaseUrl: process.env.SHADOW_DATABASE_URL },
});
