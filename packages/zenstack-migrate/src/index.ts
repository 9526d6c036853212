export { zenMigrateCli } from './cli.js';
export { loadZenStackSource, findZModel, type ZenSourceFlags } from './source.js';
export { zmodelToPrismaSchema } from './zmodel.js';
export { installGroupByPolyfills } from './node-compat.js';
