/**
 * `zen-migrate migrate cache list|clear`: the history caches migrate-core keeps on the server
 * (migrate_kit_history_*). Real PostgreSQL, the built CLI.
 */
import { describe, expect, it } from 'vitest';
import { output, projectsFor } from './helpers/project.js';

type Listing = { ok: boolean; caches: { name: string; database: string }[]; cleared: string[] };

describe('zen-migrate migrate cache', () => {
  const newProject = projectsFor('postgresql');

  it('lists the cache migrate dev kept, and clear drops it', async () => {
    const project = await newProject();
    project.write('zenstack/schema.zmodel', "datasource db {\n  provider = 'postgresql'\n  url      = env('DATABASE_URL')\n}\n\nmodel User {\n  id    Int    @id @default(autoincrement())\n  email String @unique\n}\n");
    const owner = new URL(project.db.url).pathname.slice(1);
    const dev = await project.run(['migrate', 'dev', '--name', 'init']);
    expect(dev.code, output(dev)).toBe(0);
    expect(dev.stderr).toContain('`zen-migrate migrate cache clear`');

    const list = await project.run(['migrate', 'cache', 'list', '--json']);
    const listed = JSON.parse(list.stdout) as Listing;
    const mine = listed.caches.filter((c) => c.database === owner);
    expect(mine).toHaveLength(1);
    const clear = await project.run(['migrate', 'cache', 'clear', '--json']);
    const cleared = JSON.parse(clear.stdout) as Listing;
    expect(cleared.cleared).toContain(mine[0]!.name);
    expect(cleared.caches.filter((c) => c.database === owner)).toEqual([]);
  });
});
