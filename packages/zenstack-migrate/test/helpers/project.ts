import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type CliRun,
  createPostgresDatabase,
  createProjectDir,
  type Provider,
  runNodeCli,
  type SqliteConnection,
  folderSnapshot as snapshotOf,
  type TestPostgresDatabase,
  withSqliteFile,
  writeFile,
} from '@migrate-kit/test-support';
import { afterAll } from 'vitest';

export { type CliRun, output } from '@migrate-kit/test-support';
export type TestProvider = Provider;
export const PROVIDERS: TestProvider[] = ['sqlite', 'postgresql'];

export const PACKAGE_DIR = fileURLToPath(new URL('../../', import.meta.url));
/** The real CLI, as a project runs it. */
export const BIN = join(PACKAGE_DIR, 'bin', 'zen-migrate.js');
/**
 * Projects live inside the package (git-ignored `.tmp/`), not in the OS temp folder: ZenStack
 * resolves `plugin policy { provider = '@zenstackhq/plugin-policy' }` from the schema's folder
 * upwards, as it would in a real project, and finds it in this package's node_modules.
 */
const TMP_ROOT = join(PACKAGE_DIR, '.tmp');

/**
 * Runs `node bin/zen-migrate.js ...` in `cwd`. stdin is a pipe that is closed at once, so the CLI
 * sees no TTY and must never wait for an answer. The environment is the test's, minus any
 * DATABASE_URL of the machine, plus what the test passes.
 */
export function runZenMigrate(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<CliRun> {
  return runNodeCli([BIN, ...args], { ...options, notInherited: ['DATABASE_URL'] });
}

/** One database of a project: a SQLite file or a PostgreSQL database of its own. */
export interface TestDatabase {
  /** The URL as the project's DATABASE_URL carries it (SQLite: relative to the .zmodel folder). */
  url: string;
  query(sql: string): Promise<Record<string, unknown>[]>;
  /** Statements that return no rows. */
  execute(sql: string): Promise<void>;
  /** SQLite: whether the file exists. PostgreSQL: always true. */
  exists(): boolean;
  drop(): Promise<void>;
}

/** A ZenStack project in `.tmp/<random>/` with its database, removed by `cleanup()`. */
export interface ZenProject {
  provider: TestProvider;
  dir: string;
  /** `<dir>/zenstack`, where `zen` keeps schema.zmodel and its migrations. */
  zenstackDir: string;
  migrationsDir: string;
  db: TestDatabase;
  write(path: string, content: string): void;
  read(path: string): string;
  /** Runs the CLI in the project folder with DATABASE_URL set to the project's database. */
  run(args: string[], options?: { env?: NodeJS.ProcessEnv; cwd?: string }): Promise<CliRun>;
  /** A second database on the same server (deploy targets, concurrent pushes). */
  createDatabase(name: string): Promise<TestDatabase>;
  /** Migration folder names, oldest first. */
  migrationFolders(): string[];
  cleanup(): Promise<void>;
}

export function makeTmpDir(): string {
  return createProjectDir('zen-', TMP_ROOT);
}

function sqliteDatabase(file: string, url: string): TestDatabase {
  const open = <T>(fn: (db: SqliteConnection) => T): T => withSqliteFile(file, fn, { fileMustExist: true });
  return {
    url,
    query: async (sql) => open((db) => db.prepare(sql).all() as Record<string, unknown>[]),
    execute: async (sql) => open((db) => void db.exec(sql)),
    exists: () => existsSync(file),
    drop: async () => {
      for (const suffix of ['', '-journal', '-wal', '-shm']) rmSync(file + suffix, { force: true });
    },
  };
}

function postgresDatabase(pg: TestPostgresDatabase): TestDatabase {
  return {
    url: pg.url,
    query: (sql) => pg.query(sql),
    execute: (sql) => pg.execute(sql),
    exists: () => true,
    drop: () => pg.drop(),
  };
}

/**
 * A fresh project: `package.json`, and `zenstack/` for the test to fill. SQLite databases are
 * `zenstack/<name>.db` (DATABASE_URL `file:./<name>.db`, relative to the .zmodel file);
 * PostgreSQL gets a new database per project.
 */
export async function createZenProject(provider: TestProvider, packageJson: Record<string, unknown> = {}): Promise<ZenProject> {
  const dir = makeTmpDir();
  const zenstackDir = join(dir, 'zenstack');
  mkdirSync(zenstackDir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'zen-project', private: true, ...packageJson }, null, 2));
  const databases: TestDatabase[] = [];
  const createDatabase = async (name: string): Promise<TestDatabase> => {
    const db = provider === 'sqlite' ? sqliteDatabase(join(zenstackDir, `${name}.db`), `file:./${name}.db`) : postgresDatabase(await createPostgresDatabase('zen_migrate'));
    databases.push(db);
    return db;
  };
  const db = await createDatabase('dev');
  const project: ZenProject = {
    provider,
    dir,
    zenstackDir,
    migrationsDir: join(zenstackDir, 'migrations'),
    db,
    write(path, content) {
      writeFile(join(dir, path), content);
    },
    read: (path) => readFileSync(join(dir, path), 'utf8'),
    run: (args, options = {}) => runZenMigrate(args, { cwd: options.cwd ?? dir, env: { DATABASE_URL: db.url, ...options.env } }),
    createDatabase,
    migrationFolders: () => (existsSync(project.migrationsDir) ? readdirSync(project.migrationsDir).filter((n) => n !== 'migration_lock.toml' && n !== 'migrate-kit.sum').sort() : []),
    async cleanup() {
      await Promise.all(databases.map((d) => d.drop()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return project;
}

/** Projects for one describe block, removed after it. */
export function projectsFor(provider: TestProvider): (packageJson?: Record<string, unknown>) => Promise<ZenProject> {
  const created: ZenProject[] = [];
  afterAll(async () => {
    await Promise.all(created.map((p) => p.cleanup()));
  });
  return async (packageJson) => {
    const project = await createZenProject(provider, packageJson);
    created.push(project);
    return project;
  };
}

/** Every file below a folder with its content, SQLite files by their size (an absent folder is `{}`). */
export function folderSnapshot(dir: string): Record<string, string> {
  return snapshotOf(dir, { databasesBySize: true });
}
