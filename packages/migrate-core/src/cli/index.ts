// The CLI kit the adapters build their CLIs from: a verb table in, a process exit code out.

export { type FlagDefinition, keystoneMigrationName, type Operation, type OperationName, type Outcome, operations } from './operations.js';
export { findProjectPackage, type InstalledPackage, runProjectScript } from './project-cli.js';
export { type CliDefinition, runCli, type VerbDefinition } from './run-cli.js';
export { canPrompt, createUi, prompterFor, type Ui, type UiStreams } from './ui.js';

// What the adapters' schema sources and messages need, without the lifecycle modules the package
// index loads (a CLI imports only the verb it runs: ~20 ms of start-up, bench/RESULTS.md).
export { ErrorCodes, isMigrateError, MigrateError } from '../errors.js';
export { normalizeProvider } from '../provider.js';
export { redactSecrets } from '../redact.js';
export { extractDatasource, resolveUrlSetting } from '../schema/datasource.js';
export { readPrismaSchema } from '../schema/load.js';
export { type LoadedConfig, loadPrismaConfig } from '../schema/prisma-config.js';
export type { SchemaSource } from '../source.js';
