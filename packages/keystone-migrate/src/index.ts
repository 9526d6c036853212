// First: fail clearly when bundled into CommonJS, before any module that needs import.meta runs.
import './assert-not-bundled.js';
export { keystoneMigrateCli } from './cli.js';
export { withMigrations, migrateOnConnect, type WithMigrationsOptions } from './plugin.js';
export { loadKeystoneSource, loadRuntimeSource, type KeystoneSourceFlags } from './source.js';
export { loadKeystoneProject, findKeystoneEntry, type KeystoneProject, type KeystoneConfigLike } from './load-keystone.js';
export { formatPrismaSchema } from './format-schema.js';
