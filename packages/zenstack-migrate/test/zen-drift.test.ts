// `zen-migrate migrate deploy --check-drift` and `migrate status --drift`: dev writes the schema
// snapshot beside the migration, and a column added by hand is reported by name. The behaviour
// itself is tested in migrate-core (test/drift.test.ts).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { output, projectsFor } from './helpers/project.js';

const ZMODEL = "datasource db {\n  provider = 'sqlite'\n  url = 'file:./dev.db'\n}\n\nmodel Note {\n  id    Int    @id @default(autoincrement())\n  title String\n}\n";

describe('zen-migrate drift check', () => {
  const newProject = projectsFor('sqlite');

  it('migrate deploy --check-drift finds none after dev; status --drift --fail-on-drift names a column added by hand and exits 1', async () => {
    const project = await newProject();
    project.write('zenstack/schema.zmodel', ZMODEL);
    const dev = await project.run(['migrate', 'dev', '--name', 'init']);
    expect(dev.code, output(dev)).toBe(0);

    const clean = await project.run(['migrate', 'deploy', '--check-drift', '--fail-on-drift', '--json']);
    expect(clean.code, output(clean)).toBe(0);
    expect(JSON.parse(clean.stdout).drift).toMatchObject({ state: 'clean', migration: project.migrationFolders()[0] });

    const { default: Database } = await import('better-sqlite3');
    const db = new Database(join(project.dir, 'zenstack', 'dev.db'));
    db.exec('ALTER TABLE "Note" ADD COLUMN "body" TEXT');
    db.close();
    const drifted = await project.run(['migrate', 'status', '--drift', '--fail-on-drift']);

    expect(drifted.code, output(drifted)).toBe(1);
    expect(drifted.stdout).toContain('[+] column Note.body added: TEXT');
  });
});
