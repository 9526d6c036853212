import type { Provider } from './provider.js';

/** One Prisma schema file as the engine sees it. `path` is used in error messages only. */
export interface SchemaFile {
  path: string;
  content: string;
}

/** Tables/enums that another tool manages (prisma.config.ts `tables.external`, `enums.external`). */
export interface SchemaFilter {
  externalTables: string[];
  externalEnums: string[];
}

/**
 * What an adapter hands the core: the Prisma schema, already in the form the engine accepts
 * (Prisma 7 rules: no `url`/`directUrl`/`shadowDatabaseUrl` inside the datasource), and the
 * connection settings read out of wherever the framework keeps them.
 */
export interface SchemaSource {
  /** Where the schema came from, for messages (a file, a folder, `keystone.ts`, ...). */
  schemaPath: string;
  files: SchemaFile[];
  provider: Provider;
  /** Connection URL of the main database; undefined when the project has none configured. */
  url: string | undefined;
  /** A configured shadow database, used as given (reset, never dropped). */
  shadowDatabaseUrl?: string | undefined;
  /** Absolute path of the migrations folder. */
  migrationsDir: string;
  /** Folder that relative SQLite paths (`file:./dev.db`) are resolved against. */
  baseDir: string;
  filter?: SchemaFilter;
  /** SQL run on the shadow database before the migrations are replayed (prisma.config.ts `migrations.initShadowDb`). */
  shadowDbInitScript?: string;
  /**
   * How this framework's users configure the database URL, said when none is configured (the
   * default names DATABASE_URL, prisma.config.ts and the schema's datasource); names only flags
   * the framework's CLI has.
   */
  missingUrlHint?: string | undefined;
  /** What the framework's schema loader warned about (e.g. ZModel warnings); the CLI prints them on stderr. */
  warnings?: readonly string[];
}

export const EMPTY_FILTER: SchemaFilter = Object.freeze({ externalTables: [], externalEnums: [] }) as SchemaFilter;
