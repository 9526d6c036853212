import type { SchemaSource } from '../source.js';
import { type LifecycleOptions, withSession } from './session.js';

/**
 * `db execute`: runs a SQL script on the database, whole (one command, as Prisma sends it),
 * outside the migration bookkeeping: `_prisma_migrations` is not touched.
 */
export async function execute(source: SchemaSource, script: string, options: LifecycleOptions = {}): Promise<void> {
  // Prisma's `db execute` opens a SQLite file, creating it, but reports a missing PostgreSQL database (P1003).
  await withSession(source, { ...options, createDatabase: source.provider === 'sqlite' }, async (session) => {
    const datasource = `datasource db {\n  provider = "${source.provider}"\n}\n`;
    await session.engine.dbExecute({ script, datasourceType: { tag: 'schema', files: [{ path: 'datasource.prisma', content: datasource }], configDir: source.baseDir } });
  });
}
