import { packageTestConfig } from '@migrate-kit/test-support/vitest-config';

export default packageTestConfig();
