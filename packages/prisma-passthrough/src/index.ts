export { prismaMigrateCli } from './cli.js';
export { loadPrismaProjectSource, type PrismaSourceFlags } from './source.js';
export { loadPrismaConfig, type LoadedConfig } from './config.js';
export { resolveProjectPrisma, runProjectPrisma } from './passthrough.js';
