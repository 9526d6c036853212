/**
 * Test helpers the workspace's packages share. The vitest config lives apart, in
 * `@migrate-kit/test-support/vitest-config`, so that tests do not load vitest's config module.
 */
export { describeRun, type JsonDocument, jsonOf, output } from './cli-output.js';
export { columnNames, type Provider, type QueryableDatabase, tableNames } from './database-shape.js';
export { type FolderSnapshotOptions, folderSnapshot } from './folder-snapshot.js';
export { checkTestServices, type TestServicesOptions } from './global-setup.js';
export {
  createPostgresDatabase,
  POSTGRES_SERVER_URL,
  type PostgresUrlOptions,
  postgresUrl,
  type TestPostgresDatabase,
  withPostgresClient,
} from './postgres.js';
export { markedPassword, PASSWORD_MARKERS, passwordLeaks } from './password-leaks.js';
export { migrationFolders, prismaLockFile, sha256, untilNextSecond } from './prisma-migrations.js';
export { createProjectDir, writeFile } from './project-dir.js';
export { SilentServer } from './silent-server.js';
export { type CliRun, type CliRunOptions, type RunningCli, runNodeCli, spawnNodeCli } from './spawn-cli.js';
export { type SqliteConnection, withSqliteFile } from './sqlite.js';
