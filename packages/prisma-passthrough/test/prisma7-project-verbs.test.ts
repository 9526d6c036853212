import { describeVerbStory } from './helpers/verb-story.js';

// prisma.config.ts with defineConfig: schema, migrations.path and datasource.url (Prisma 7).
describeVerbStory('config');
