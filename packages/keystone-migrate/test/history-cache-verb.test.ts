/**
 * `keystone-migrate cache list|clear`: the history caches migrate-core keeps on the server
 * (migrate_kit_history_*). Real PostgreSQL, a real Keystone project, the built CLI.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { describeRun, jsonOf } from './helpers/cli.js';
import { createKeystoneProject, type KeystoneTestProject, keystoneConfig } from './helpers/project.js';

type Listing = { ok: boolean; caches: { name: string; database: string }[]; cleared: string[] };

describe('keystone-migrate cache', () => {
  let project: KeystoneTestProject | undefined;
  afterAll(async () => {
    await project?.remove();
  });

  it('lists the cache create kept, and clear drops it', async () => {
    project = await createKeystoneProject('postgresql', keystoneConfig('postgresql'));
    const owner = new URL(project.db.url).pathname.slice(1);
    const create = await project.cli(['create', '--name', 'init']);
    expect(create.code, describeRun(create)).toBe(0);
    expect(create.stderr).toContain('`keystone-migrate cache clear`');

    const listed = jsonOf<Listing>(await project.cli(['cache', 'list', '--json']));
    const mine = listed.caches.filter((c) => c.database === owner);
    expect(mine).toHaveLength(1);
    const cleared = jsonOf<Listing>(await project.cli(['cache', 'clear', '--json']));
    expect(cleared.cleared).toContain(mine[0]!.name);
    expect(cleared.caches.filter((c) => c.database === owner)).toEqual([]);
  });
});
