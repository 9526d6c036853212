import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { ErrorCodes, MigrateError } from '@migrate-kit/migrate-core/cli';
import { createJiti } from 'jiti';
import { formatPrismaSchema } from './format-schema.js';

/** The parts of a Keystone config this package reads. */
export interface KeystoneConfigLike {
  db?: {
    provider?: string;
    prismaSchemaPath?: string;
    prismaClientPath?: string;
    onConnect?: (context: unknown) => Promise<void> | void;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

export interface KeystoneProject {
  /** The `keystone.ts` (or .js) that was loaded. */
  entry: string;
  config: KeystoneConfigLike;
  /** The Prisma schema Keystone prints for this config, formatted as `keystone build` writes it. */
  prismaSchema: string;
}

const ENTRY_NAMES = ['keystone.ts', 'keystone.tsx', 'keystone.mts', 'keystone.js', 'keystone.mjs', 'keystone.cjs'];
const ARTIFACTS = '@keystone-6/core/___internal-do-not-use-will-break-in-patch/artifacts';

export function findKeystoneEntry(cwd: string, given?: string): string {
  if (given) {
    const path = resolve(cwd, given);
    if (!existsSync(path)) throw new MigrateError(ErrorCodes.schemaNotFound, `Keystone config not found: ${given}.`, { hint: 'Check the path given to --entry.' });
    return path;
  }
  const found = ENTRY_NAMES.map((name) => join(cwd, name)).find((path) => existsSync(path));
  if (!found) {
    throw new MigrateError(ErrorCodes.schemaNotFound, `No keystone.ts (or keystone.js) in ${cwd}.`, {
      hint: 'Run the command from your Keystone project folder, or pass --entry <path to keystone.ts>.',
    });
  }
  return found;
}

/**
 * Loads a Keystone project's config without starting anything and prints its Prisma schema with
 * Keystone's own printer: the exact text Keystone's `buildArtifacts` returns, including every
 * `extendPrismaSchema` hook (`keystone build` writes the same models; only its generator `output`
 * is made relative to schema.prisma).
 *
 * Why one loader: the config and Keystone's internals must share one instance of
 * `@keystone-6/core` (an ESM copy and a CJS copy break `createSystem`), so both go through the
 * same jiti instance, resolved from the project. The printer is internal to Keystone (its
 * `artifacts` entry only exposes `buildArtifacts`, which spawns `prisma format`): we import the
 * chunk that defines it, found through that entry, and format with Prisma's Wasm formatter.
 * `@keystone-6/core` is a peer dependency for this reason; test/schema.test.ts pins the result.
 */
export async function loadKeystoneProject(cwd: string, entryFlag?: string): Promise<KeystoneProject> {
  const entry = findKeystoneEntry(cwd, entryFlag);
  const jiti = createJiti(entry, { interopDefault: true, moduleCache: true });
  let config: KeystoneConfigLike;
  try {
    config = (await jiti.import(entry, { default: true })) as KeystoneConfigLike;
  } catch (error) {
    const message = (error as Error).message;
    // Keystone's config() reads db.provider first: without `db` it fails with a bare TypeError.
    if (/reading 'provider'/.test(message)) throw missingDbError(entry, message);
    throw new MigrateError('MK_KEYSTONE_CONFIG', `Could not load ${entry}:\n\n${message}`, {
      hint: 'Fix the error in your Keystone config (it must `export default config({ ... })`).',
      cause: error,
    });
  }
  if (!config || typeof config !== 'object' || !config.db || typeof config.db !== 'object') throw missingDbError(entry);
  const artifactsPath = resolveArtifacts(entry);
  const artifacts = (await jiti.import(artifactsPath)) as { createSystem(config: unknown): { config: KeystoneConfigLike; lists: unknown } };
  let system: { config: KeystoneConfigLike; lists: unknown };
  try {
    system = artifacts.createSystem(config);
  } catch (error) {
    throw new MigrateError('MK_KEYSTONE_CONFIG', `Keystone rejected the config in ${entry}: ${(error as Error).message}`, { cause: error });
  }
  const printPrismaSchema = await loadSchemaPrinter(jiti, artifactsPath);
  const printed = printPrismaSchema(system.config, system.lists, system.config.db?.prismaClientPath);
  return { entry, config, prismaSchema: formatPrismaSchema(printed) };
}

function missingDbError(entry: string, keystoneMessage?: string): MigrateError {
  return new MigrateError('MK_KEYSTONE_CONFIG', `${entry} has no \`db\` configuration${keystoneMessage ? ` (Keystone's config() failed with: ${keystoneMessage})` : ''}.`, {
    hint: "Add one, e.g. db: { provider: 'sqlite', prismaClientOptions: () => ({ adapter }) }.",
  });
}

function resolveArtifacts(entry: string): string {
  try {
    return createRequire(entry).resolve(ARTIFACTS);
  } catch {
    throw new MigrateError('MK_KEYSTONE_NOT_INSTALLED', 'Could not find @keystone-6/core from the project.', {
      hint: 'Install it in the project: npm install @keystone-6/core@^8.',
    });
  }
}

type SchemaPrinter = (config: unknown, lists: unknown, prismaClientPath?: string) => string;

async function loadSchemaPrinter(jiti: ReturnType<typeof createJiti>, artifactsPath: string): Promise<SchemaPrinter> {
  const entryText = readFileSync(artifactsPath, 'utf8');
  for (const [, chunk] of entryText.matchAll(/from '(\.\/[^']+\.js)'/g)) {
    const chunkPath = join(dirname(artifactsPath), chunk!);
    const exportName = /\bprintPrismaSchema as (\w+)\b/.exec(readFileSync(chunkPath, 'utf8'))?.[1];
    if (!exportName) continue;
    const printer = ((await jiti.import(chunkPath)) as Record<string, unknown>)[exportName];
    if (typeof printer === 'function') return printer as SchemaPrinter;
  }
  throw new MigrateError('MK_KEYSTONE_VERSION', "This version of @keystone-6/core does not expose its Prisma schema printer where keystone-migrate looks for it.", {
    hint: 'keystone-migrate is tested with @keystone-6/core 8.1; please report the version you use.',
  });
}
