import { describeVerbStory } from './helpers/verb-story.js';

// No config file: `url = env("DATABASE_URL")` in the schema, the value in .env (Prisma 6 style).
describeVerbStory('env');
