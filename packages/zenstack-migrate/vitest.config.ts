import { packageTestConfig } from '@migrate-kit/test-support/vitest-config';

export default packageTestConfig({
  // Every test drives the real CLI, and each process loads ZenStack's language services.
  testTimeout: 120_000,
  globalSetup: ['test/helpers/global-setup.ts'],
});
