// The CLI kit the adapters build their CLIs from: a verb table in, a process exit code out.

export { type FlagDefinition, keystoneMigrationName, type Operation, type OperationName, type Outcome, operations } from './operations.js';
export { findProjectPackage, type InstalledPackage, runProjectScript } from './project-cli.js';
export { type CliDefinition, runCli, type VerbDefinition } from './run-cli.js';
export { canPrompt, createUi, prompterFor, type Ui, type UiStreams } from './ui.js';
