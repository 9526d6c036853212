import { checkTestServices } from '@migrate-kit/test-support';

/** The tests drive the built CLI, and never skip a database: see checkTestServices. */
export default function setup(): Promise<void> {
  return checkTestServices({
    built: {
      'zenstack-migrate': new URL('../../dist/cli.js', import.meta.url),
      'migrate-core': new URL('../../node_modules/@migrate-kit/migrate-core/dist/cli/index.js', import.meta.url),
    },
  });
}
