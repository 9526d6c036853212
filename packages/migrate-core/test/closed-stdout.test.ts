import { describeRun } from '@migrate-kit/test-support';
import { describe, expect, it } from 'vitest';
import { spawnBin } from './helpers/engine.js';
import { laterMigrationName, migrationRows, projectsFor, writeMigrationByHand } from './helpers/lifecycle.js';
import { PROVIDERS } from './helpers/project.js';

describe.each(PROVIDERS)('stdout closed by its reader (`deploy | head -1`) on %s', (provider) => {
  const newProject = projectsFor(provider);

  it('deploy applies everything, prints no stack trace and exits 0', async () => {
    const project = await newProject();
    const names = [1, 2, 3].map((i) => laterMigrationName(i, `table_${i}`));
    for (const [i, name] of names.entries()) writeMigrationByHand(project, name, `CREATE TABLE "T${i}" ("id" INTEGER NOT NULL PRIMARY KEY);\n`);

    const running = spawnBin(['deploy'], { cwd: project.dir, env: { DATABASE_URL: project.url } });
    // The reader is gone before the first line: every write to stdout fails with EPIPE.
    running.child.stdout.destroy();
    const run = await running.exited;

    expect(run.code, describeRun(run)).toBe(0);
    expect(run.stderr, describeRun(run)).not.toMatch(/EPIPE|Unhandled|\n\s+at /);
    expect((await migrationRows(project)).map((r) => [r.migration_name, r.finished])).toEqual(names.map((n) => [n, true]));
  });

  it('a failing deploy still exits with its own code (1)', async () => {
    const project = await newProject();
    writeMigrationByHand(project, laterMigrationName(1, 'broken'), 'CREATE TABLE "T" ("id" INTEGER NOT NULL PRIMARY KEY);\nTHIS IS NOT SQL;\n');
    const running = spawnBin(['deploy', '--json'], { cwd: project.dir, env: { DATABASE_URL: project.url } });
    running.child.stdout.destroy();
    const run = await running.exited;
    expect(run.code, describeRun(run)).toBe(1);
    expect(run.stderr, describeRun(run)).not.toMatch(/EPIPE|Unhandled|\n\s+at /);
  });
});
