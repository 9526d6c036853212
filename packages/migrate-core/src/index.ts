// The programmatic API of migrate-core. The adapters' CLIs use exactly this.
export { MigrateError, isMigrateError, ErrorCodes } from './errors.js';
export { redactUrl, redactSecrets } from './redact.js';
export { type Provider, type SupportedProvider, normalizeProvider, assertSupportedProvider } from './provider.js';
export type { SchemaFile, SchemaFilter, SchemaSource } from './source.js';

export { extractDatasource, resolveUrlSetting, withOriginalDatasource, type DatasourceSettings } from './schema/datasource.js';
export { readPrismaSchema } from './schema/load.js';
export { loadPrismaSchemaSource, type PrismaSchemaSourceOptions } from './schema/prisma-schema-source.js';
export { loadPrismaConfig, type LoadedConfig } from './schema/prisma-config.js';

export { migrationChecksum, checksumMatches } from './history/checksum.js';
export { renderLockFile, parseLockFileProvider, assertLockFileProvider, LOCK_FILE_NAME } from './history/lock-file.js';
export { sanitizeMigrationName, parseMigrationFolderName, migrationTimestamp } from './history/migration-name.js';
export { readMigrationsFolder, writeMigration, type MigrationsFolder, type LocalMigration } from './history/migrations-folder.js';
export { SUM_FILE_NAME, verifyIntegrity, renderSumFile, type IntegrityResult } from './history/integrity-file.js';

export type { Engine, EngineEvent } from './engine/engine.js';
export { openEngine, WasmEngine } from './engine/wasm-engine.js';
export { resolveConnection, describeConnection, type Connection } from './engine/connection.js';
export { schemaEngineVersion } from './engine/wasm-module.js';
export { sweepOrphanShadowDatabases, SHADOW_DATABASE_PREFIX } from './engine/shadow/postgres-shadow-database.js';
export { INTERRUPTED_MIGRATION_LOGS } from './engine/adapters/postgres-migration-transaction.js';

export type { Prompter, Question } from './lifecycle/prompter.js';
export { nonInteractivePrompter } from './lifecycle/prompter.js';
export type { LifecycleOptions, ProgressEvent, AppliedMigration } from './lifecycle/session.js';
export { createMigration, type CreateMigrationOptions, type CreateMigrationResult } from './lifecycle/create-migration.js';
export { deploy, planDeploy, type DeployResult, type DeployPlan } from './lifecycle/deploy.js';
export { hash, type HashResult } from './lifecycle/hash.js';
export { status, summarizeStatus, type StatusReport, type MigrationState } from './lifecycle/status.js';
export { resolve, type ResolveOptions, type ResolveResult } from './lifecycle/resolve.js';
export { reset, type ResetOptions, type ResetResult } from './lifecycle/reset.js';
export { push, type PushOptions, type PushResult } from './lifecycle/push.js';
export { pull, type PullOptions, type PullResult } from './lifecycle/pull.js';
export { diff, type DiffInput, type DiffOutput, type DiffSide } from './lifecycle/diff.js';
export { check, type CheckResult } from './lifecycle/check.js';
export { down, type DownOptions, type DownResult } from './lifecycle/down.js';
export { checkDown, type CheckDownResult } from './lifecycle/check-down.js';
export { execute } from './lifecycle/execute.js';
export { draftMigration, type DraftMigrationOptions, type DraftMigrationResult } from './lifecycle/draft-migration.js';
export { checkDrift, diffCatalogs, recordSchemaSnapshot, type DriftReport, type DriftDifference, type DriftObject } from './lifecycle/drift.js';
export { readCatalog, type Catalog, type CatalogTable, type CatalogColumn } from './engine/catalog.js';
export { SNAPSHOT_FILE_NAME, readSchemaSnapshot, type SchemaSnapshot } from './history/schema-snapshot.js';
export { applyDevelopment, type ApplyDevelopmentOptions, type ApplyDevelopmentResult } from './lifecycle/apply-development.js';
export { baseline, DEFAULT_BASELINE_NAME, type BaselineOptions, type BaselineResult } from './lifecycle/baseline.js';
export { historyCache, type HistoryCacheResult, type HistoryCacheInfo } from './lifecycle/history-cache.js';
export { lint, type LintOptions, type LintResult } from './lifecycle/lint.js';
export { lintScripts, type LintFinding, type LintScript } from './lint/lint-scripts.js';
export { LINT_RULES, type LintRule, type LintSeverity } from './lint/rules.js';
export { readLintConfig, parseLintConfig, LINT_CONFIG_FILE, type LintConfig } from './lint/config.js';
export { splitSqlStatements, type SqlStatement } from './lint/sql-statements.js';
