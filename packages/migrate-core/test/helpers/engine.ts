import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CliRun, POSTGRES_SERVER_URL, type RunningCli, runNodeCli, spawnNodeCli, writeFile } from '@migrate-kit/test-support';
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import type { MigrationList, SchemaEngine } from '@prisma/schema-engine-wasm';
import pg from 'pg';
import { loadSchemaEngineWasm } from '../../src/engine/wasm-module.js';
import { renderLockFile } from '../../src/history/lock-file.js';
import { BIN } from './project.js';

/** The package folder: the cwd of child processes that import the package's dependencies and dist/. */
export const PACKAGE_DIR = fileURLToPath(new URL('../..', import.meta.url));

export const NO_FILTER = { externalTables: [], externalEnums: [] };

/** A migrations list in the engine's shape, from (name, script) pairs. */
export function migrationList(provider: 'sqlite' | 'postgresql', migrations: [string, string][], baseDir = '/nonexistent'): MigrationList {
  return {
    baseDir,
    lockfile: { path: 'migration_lock.toml', content: renderLockFile(provider) },
    shadowDbInitScript: '',
    migrationDirectories: migrations.map(([name, script]) => ({
      path: name,
      migrationFile: { path: 'migration.sql', content: { tag: 'ok', value: script } },
    })),
  };
}

/** `count` migrations of two statements each (a table and an index), as (name, script) pairs. */
export function generatedHistory(count: number): [string, string][] {
  return Array.from({ length: count }, (_, i) => {
    const n = String(i + 1).padStart(4, '0');
    return [`2020010100${n}_table_${n}`, `CREATE TABLE "t${n}" ("id" INTEGER NOT NULL PRIMARY KEY, "name" TEXT);\nCREATE INDEX "t${n}_name_idx" ON "t${n}"("name");\n`];
  });
}

/** Writes a migrations folder (with its lock file) to disk. */
export function writeHistory(migrationsDir: string, provider: 'sqlite' | 'postgresql', migrations: [string, string][]): void {
  writeFile(join(migrationsDir, 'migration_lock.toml'), renderLockFile(provider));
  for (const [name, script] of migrations) writeFile(join(migrationsDir, name, 'migration.sql'), script);
}

export interface UpstreamEngine {
  engine: SchemaEngine;
  /** What the adapter really threw, for an engine error that says only `External error id#N`. */
  underlyingError(error: unknown): Error | undefined;
  dispose(): Promise<void>;
}

/**
 * Prisma's own driver adapter factory, untouched, in front of the Wasm engine: what the engine
 * does without our compatibility layer. `dispose` frees the engine and closes what the factory opened.
 */
export async function openUpstreamEngine(
  factory: SqlMigrationAwareDriverAdapterFactory,
  datamodel?: string,
): Promise<UpstreamEngine> {
  const opened: SqlDriverAdapter[] = [];
  const recording: SqlMigrationAwareDriverAdapterFactory = {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => {
      const adapter = await factory.connect();
      opened.push(adapter);
      return adapter;
    },
    connectToShadowDb: async () => {
      const adapter = await factory.connectToShadowDb();
      opened.push(adapter);
      return adapter;
    },
  };
  const bound = bindMigrationAwareSqlAdapterFactory(recording);
  const engine = await loadSchemaEngineWasm().SchemaEngine.new({ datamodels: datamodel ? [['schema.prisma', datamodel]] : undefined }, () => undefined, bound);
  return {
    engine,
    underlyingError(error) {
      const id = /External error id#(\d+)/.exec((error as Error)?.message ?? '')?.[1];
      return id === undefined ? undefined : (bound.errorRegistry.consumeError(Number(id))?.error as Error | undefined);
    },
    async dispose() {
      engine.free();
      await Promise.allSettled(opened.map((a) => a.dispose()));
    },
  };
}

/** Runs a Node ESM script in the package folder (so it resolves the package's dependencies and dist/). */
export function runNodeScript(script: string, timeoutMs = 30_000): Promise<CliRun> {
  return runNodeCli(['--input-type=module', '-e', script], { cwd: PACKAGE_DIR, timeoutMs });
}

/** The built `migrate-kit` bin as a child process whose pid the test needs (to signal it, or to find its shadow databases). */
export function spawnBin(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): RunningCli {
  return spawnNodeCli([BIN, ...args], options);
}

/** A connection to the test server's maintenance database, for watching pg_database while something runs. */
export async function serverClient(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: POSTGRES_SERVER_URL });
  await client.connect();
  return client;
}

export interface ShadowDatabaseRow {
  name: string;
  comment: string | null;
}

/** The temporary shadow databases a given process created (their names carry its pid), with their COMMENT. */
export async function shadowDatabasesOf(client: pg.Client, pid: number): Promise<ShadowDatabaseRow[]> {
  const { rows } = await client.query<ShadowDatabaseRow>(
    `SELECT datname AS name, shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname LIKE $1`,
    [`migrate\\_kit\\_shadow\\_${pid}\\_%`],
  );
  return rows;
}

/** Polls `probe` until it returns a value, or fails after `timeoutMs`. */
export async function pollFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000, everyMs = 5): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A Node script (`-e`) in a child process run from the package folder, its stdout and stderr gathered together. */
export function startNodeScript(nodeArgs: string[], env: NodeJS.ProcessEnv): { child: ChildProcessWithoutNullStreams; exited: Promise<number | null>; output: () => string } {
  const child = spawn(process.execPath, nodeArgs, { cwd: PACKAGE_DIR, env });
  let output = '';
  child.stdout.on('data', (d) => {
    output += d;
  });
  child.stderr.on('data', (d) => {
    output += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return { child, exited, output: () => output };
}
