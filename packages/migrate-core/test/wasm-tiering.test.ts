import { join } from 'node:path';
import { describeRun, output, runNodeCli, writeFile } from '@migrate-kit/test-support';
import { afterEach, describe, expect, test } from 'vitest';
import { BIN, createTestProject, type TestProject } from './helpers/project.js';

// The CLI keeps the Wasm engine on V8's baseline compiler (Liftoff) for the whole run: a command
// is too short for the optimizing compiler (TurboFan) to pay for itself. Measured in
// bench/RESULTS.md (CPU of `deploy` and `dev`). V8 reports each compiled function with
// --trace-wasm-compilation-times; without the change, a deploy of 20 migrations tiers up a few
// dozen functions to TurboFan.
describe('the CLI runs the Wasm engine without tier-up to the optimizing compiler', () => {
  let project: TestProject | undefined;
  afterEach(async () => {
    await project?.cleanup();
    project = undefined;
  });

  test('deploy of 20 migrations on SQLite: every engine function compiled by Liftoff, none by TurboFan', async () => {
    project = await createTestProject('sqlite');
    writeFile(join(project.migrationsDir, 'migration_lock.toml'), 'provider = "sqlite"\n');
    for (let i = 1; i <= 20; i++) {
      const name = `20240101000${String(i).padStart(3, '0')}_m${i}`;
      writeFile(join(project.migrationsDir, name, 'migration.sql'), `CREATE TABLE "T${i}" ("id" INTEGER NOT NULL PRIMARY KEY, "name" TEXT NOT NULL);\nCREATE INDEX "T${i}_name_idx" ON "T${i}"("name");\n`);
    }
    const run = await runNodeCli(['--trace-wasm-compilation-times', BIN, 'deploy'], { cwd: project.dir, env: { DATABASE_URL: project.url } });
    expect(run.code, describeRun(run)).toBe(0);
    expect(await project.query(`SELECT COUNT(*) AS n FROM "_prisma_migrations" WHERE "finished_at" IS NOT NULL`)).toEqual([{ n: 20 }]);
    const text = output(run);
    expect(text).toMatch(/Compiled function \S+ using Liftoff/);
    expect(text.match(/Compiled function \S+ using TurboFan/g) ?? []).toEqual([]);
  });
});
