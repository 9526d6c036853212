export { prismaMigrateCli } from './cli.js';
export { loadPrismaProjectSource, type PrismaSourceFlags } from './source.js';

export { resolveProjectPrisma, runProjectPrisma } from './passthrough.js';
