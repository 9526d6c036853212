import { config, list } from '@keystone-6/core';
import { allowAll } from '@keystone-6/core/access';
import { relationship, select, text, timestamp } from '@keystone-6/core/fields';
import { withMigrations } from '@migrate-kit/keystone-migrate';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';

// SQLite by default; PostgreSQL when DATABASE_URL is a postgres URL (prisma.config.ts picks the
// migrations folder the same way).
const url = process.env.DATABASE_URL ?? 'file:./keystone.db';
const provider = url.startsWith('postgres') ? 'postgresql' : 'sqlite';

export default withMigrations(
  config({
    db: {
      provider,
      prismaClientOptions: () => ({ adapter: provider === 'postgresql' ? new PrismaPg({ connectionString: url }) : new PrismaBetterSqlite3({ url }) }),
    },
    // The Admin UI needs next, react and react-dom in the project; this example is about the database.
    ui: { isDisabled: true },
    lists: {
      User: list({
        access: allowAll,
        fields: {
          name: text({ validation: { isRequired: true } }),
          email: text({ validation: { isRequired: true }, isIndexed: 'unique' }),
          posts: relationship({ ref: 'Post.author', many: true }),
        },
      }),
      Post: list({
        access: allowAll,
        fields: {
          title: text({ validation: { isRequired: true } }),
          slug: text({ isIndexed: 'unique' }),
          status: select({
            options: [
              { label: 'Draft', value: 'draft' },
              { label: 'Published', value: 'published' },
            ],
            defaultValue: 'draft',
          }),
          publishedAt: timestamp(),
          author: relationship({ ref: 'User.posts' }),
          tags: relationship({ ref: 'Tag.posts', many: true }),
        },
      }),
      Tag: list({
        access: allowAll,
        fields: {
          name: text({ isIndexed: 'unique' }),
          posts: relationship({ ref: 'Post.tags', many: true }),
        },
      }),
    },
  }),
  // Apply pending migrations when the server connects, before it answers a request (Keystone
  // 6.1-7's `keystone start --with-migrations`). 'verify' refuses to start instead.
  { mode: process.env.MIGRATE_ON_START === 'verify' ? 'verify' : 'apply' },
);
