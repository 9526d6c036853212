import { describe, expect, it } from 'vitest';
import { execute, migrationFolders, output, projectsFor, USER_MODEL, USER_WITH_NAME } from './helpers/lifecycle.js';
import type { TestProject } from './helpers/project.js';

// A hand-written CHECK constraint (common in real histories: `ALTER TABLE ... ADD CONSTRAINT one
// CHECK (id = 1)`) used to make every describe of the database panic in the engine: the catalog's
// `pg_constraint.contype` is a `"char"` column, which the engine reads as a char only.
// Prisma ignores CHECK constraints in diffs: they are kept, never dropped, and never drift.

async function constraintNames(project: TestProject): Promise<string[]> {
  const rows = await project.query(`SELECT conname FROM pg_constraint WHERE conrelid = '"User"'::regclass AND contype IN ('c', 'x') ORDER BY conname`);
  return rows.map((r) => String(r.conname));
}

/** A project migrated to USER_MODEL whose User table then got a CHECK and an EXCLUDE constraint by hand. */
async function projectWithHandWrittenConstraints(newProject: () => Promise<TestProject>): Promise<TestProject> {
  const project = await newProject();
  project.setModels(USER_MODEL);
  const init = await project.cli(['dev', '--name', 'init']);
  expect(init.code, output(init)).toBe(0);
  await execute(project, 'ALTER TABLE "User" ADD CONSTRAINT one CHECK (id = 1)');
  await execute(project, 'ALTER TABLE "User" ADD CONSTRAINT "email_exclusive" EXCLUDE USING btree (email WITH =)');
  return project;
}

describe('a PostgreSQL database with hand-written CHECK and EXCLUDE constraints', () => {
  const newProject = projectsFor('postgresql');

  it('dev finds nothing to do, then writes and applies a schema change, keeping the constraints', async () => {
    const project = await projectWithHandWrittenConstraints(newProject);

    const unchanged = await project.cli(['dev']);
    expect(unchanged.code, output(unchanged)).toBe(0);
    expect(output(unchanged)).not.toMatch(/RuntimeError|unreachable|MK_ENGINE_PANIC/);
    expect(migrationFolders(project.migrationsDir)).toHaveLength(1);

    project.setModels(USER_WITH_NAME);
    const changed = await project.cli(['dev', '--name', 'add_name']);
    expect(changed.code, output(changed)).toBe(0);
    expect(migrationFolders(project.migrationsDir)).toHaveLength(2);
    expect(await constraintNames(project)).toEqual(['email_exclusive', 'one']);
  });

  it('db push runs no step and keeps the constraints; check and diff from the database see no difference', async () => {
    const project = await projectWithHandWrittenConstraints(newProject);

    const push = await project.cli(['push']);
    expect(push.code, output(push)).toBe(0);
    expect(push.stdout).toMatch(/already in sync/);

    const check = await project.cli(['check']);
    expect(check.code, output(check)).toBe(0);

    const diff = await project.cli(['diff', '--from-url', project.url, '--to-schema', project.schemaPath, '--exit-code']);
    expect(diff.code, output(diff)).toBe(0);
    expect(diff.stdout).toContain('No difference detected.');

    project.setModels(USER_WITH_NAME);
    const pushed = await project.cli(['push']);
    expect(pushed.code, output(pushed)).toBe(0);
    expect(await constraintNames(project)).toEqual(['email_exclusive', 'one']);
  });
});
