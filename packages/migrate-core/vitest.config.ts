import { packageTestConfig } from '@migrate-kit/test-support/vitest-config';

export default packageTestConfig({ globalSetup: ['@migrate-kit/test-support/global-setup'] });
