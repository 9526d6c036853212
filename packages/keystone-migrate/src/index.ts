// First: fail clearly when bundled into CommonJS, before any module that needs import.meta runs.
import './assert-not-bundled.js';

export { keystoneMigrateCli } from './cli.js';
export { formatPrismaSchema } from './format-schema.js';
export { findKeystoneEntry, type KeystoneConfigLike, type KeystoneProject, loadKeystoneProject } from './load-keystone.js';
export { migrateOnConnect, type WithMigrationsOptions, withMigrations } from './plugin.js';
export { type KeystoneSourceFlags, loadKeystoneSource, loadRuntimeSource } from './source.js';
