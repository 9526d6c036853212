// The CLI kit the adapters build their CLIs from: a verb table in, a process exit code out.
export { runCli, type CliDefinition, type VerbDefinition } from './run-cli.js';
export { keystoneMigrationName, operations, type Operation, type OperationName, type FlagDefinition, type Outcome } from './operations.js';
export { createUi, canPrompt, prompterFor, type Ui, type UiStreams } from './ui.js';
