/**
 * `prisma-migrate migrate cache list|clear`: the history caches migrate-core keeps on the server
 * (migrate_kit_history_*), and the note the first `migrate dev` that keeps one prints. Real
 * PostgreSQL, the built CLI.
 */
import { describe, expect, it } from 'vitest';
import { describeRun, jsonOf } from './helpers/cli.js';
import { projectsFor, USER_MODEL } from './helpers/project.js';

type Listing = { ok: boolean; caches: { name: string; database: string }[]; cleared: string[] };

describe('prisma-migrate migrate cache', () => {
  const newProject = projectsFor();

  it('lists the cache the first migrate dev kept (and said so once), and clear drops it', async () => {
    const project = await newProject({ provider: 'postgresql', style: 'config' });
    project.setModels(USER_MODEL);
    const owner = new URL(project.db.location).pathname.slice(1);
    const dev = await project.cli(['migrate', 'dev', '--name', 'init']);
    expect(dev.code, describeRun(dev)).toBe(0);
    expect(dev.stderr.split('Note: the replayed migration history').length - 1).toBe(1);
    expect(dev.stderr).toContain('`prisma-migrate migrate cache clear`');

    const listed = jsonOf<Listing>(await project.cli(['migrate', 'cache', 'list', '--json']));
    const mine = listed.caches.filter((c) => c.database === owner);
    expect(mine).toHaveLength(1);
    const cleared = jsonOf<Listing>(await project.cli(['migrate', 'cache', 'clear', '--json']));
    expect(cleared.cleared).toContain(mine[0]!.name);
    expect(cleared.caches.filter((c) => c.database === owner)).toEqual([]);
  });
});
