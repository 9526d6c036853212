import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each item starts many processes of its own (16 deploys at once): files run one at a time
    // so that one item's load does not decide another's timing.
    fileParallelism: false,
    pool: 'forks',
    testTimeout: 30 * 60_000,
    hookTimeout: 120_000,
    globalSetup: ['test/helpers/global-setup.ts'],
    reporters: ['default'],
  },
});
