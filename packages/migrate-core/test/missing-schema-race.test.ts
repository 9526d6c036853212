import { describeRun } from '@migrate-kit/test-support';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { laterMigrationName, projectsFor, writeMigrationByHand } from './helpers/lifecycle.js';

describe('the schema created by another session while the engine connects (PostgreSQL)', () => {
  const newProject = projectsFor('postgresql');

  it('deploy connecting while another session re-creates the dropped schema (what reset does under the lock) goes on instead of failing with "schema already exists"', async () => {
    const project = await newProject();
    const name = laterMigrationName(1, 'create_a');
    writeMigrationByHand(project, name, 'CREATE TABLE "A" ("id" INTEGER NOT NULL PRIMARY KEY);\n');
    // Another session in the middle of a reset: the schema dropped, its re-creation not committed yet.
    const other = new pg.Client({ connectionString: project.url, application_name: 'resetting' });
    await other.connect();
    const watcher = new pg.Client({ connectionString: project.url });
    await watcher.connect();
    try {
      await other.query('DROP SCHEMA public CASCADE');
      await other.query('BEGIN');
      await other.query('CREATE SCHEMA public');
      const deploy = project.cli(['deploy']);
      // The engine found the schema missing and its own creation waits for the other session's.
      const deadline = Date.now() + 60_000;
      for (;;) {
        const { rows } = await watcher.query(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE 'CREATE SCHEMA%'`);
        if (rows.length > 0) break;
        if (Date.now() > deadline) throw new Error(`deploy never waited on the schema's creation\n${describeRun(await deploy)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      await other.query('COMMIT');
      const run = await deploy;
      expect(run.code, describeRun(run)).toBe(0);
      const { rows } = await watcher.query(`SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL`);
      expect(rows.map((r) => r.migration_name)).toEqual([name]);
      expect((await watcher.query(`SELECT to_regclass('public."A"') AS t`)).rows[0].t).toBe('"A"');
    } finally {
      await other.end().catch(() => undefined);
      await watcher.end().catch(() => undefined);
    }
  });
});
