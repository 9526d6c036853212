import { createHash } from 'node:crypto';
import { cpSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createMigration, deploy, status } from '../src/index.js';
import { createTestProject, PROVIDERS, type TestProject } from './helpers/project.js';

// Fixtures in the exact layout stock `prisma migrate dev` writes for these schemas:
// `<timestamp>_init/migration.sql` as the engine renders it (no extra newline added) and
// `migration_lock.toml` with Prisma's header.
const fixtures = fileURLToPath(new URL('./fixtures/prisma-format/', import.meta.url));
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe.each(PROVIDERS)('the migrations folder on %s', (provider) => {
  let project: TestProject;
  const fixture = join(fixtures, provider);
  const fixtureScript = readFileSync(join(fixture, 'migrations', '20240101000000_init', 'migration.sql'), 'utf8');

  afterEach(async () => project?.cleanup());

  it('written by us matches what Prisma writes, byte for byte', async () => {
    project = await createTestProject(provider);
    cpSync(join(fixture, 'schema.prisma'), project.schemaPath);
    const result = await createMigration(project.source(), { name: 'init' });

    const [folder] = readdirSync(project.migrationsDir).filter((d) => d !== 'migration_lock.toml' && d !== 'migrate-kit.sum');
    expect(folder).toMatch(/^\d{14}_init$/);
    expect(result.created?.name).toBe(folder);
    // down.sql and migrate-kit.snapshot.json beside it: migrate-kit's own (Prisma ignores other files in a migration folder).
    expect(readdirSync(join(project.migrationsDir, folder!)).sort()).toEqual(['down.sql', 'migrate-kit.snapshot.json', 'migration.sql']);
    expect(readFileSync(join(project.migrationsDir, folder!, 'migration.sql'), 'utf8')).toBe(fixtureScript);
    expect(readFileSync(join(project.migrationsDir, 'migration_lock.toml'), 'utf8')).toBe(readFileSync(join(fixture, 'migrations', 'migration_lock.toml'), 'utf8'));

    const rows = await project.query('SELECT migration_name, checksum, finished_at, rolled_back_at, applied_steps_count FROM _prisma_migrations');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ migration_name: folder, checksum: sha256(fixtureScript), rolled_back_at: null, applied_steps_count: 1 });
    expect(rows[0]!.finished_at).not.toBeNull();
  });

  it('written by Prisma is deployed and reported as in sync', async () => {
    project = await createTestProject(provider);
    cpSync(join(fixture, 'schema.prisma'), project.schemaPath);
    cpSync(join(fixture, 'migrations'), project.migrationsDir, { recursive: true });

    const deployed = await deploy(project.source());
    expect(deployed.applied.map((m) => m.name)).toEqual(['20240101000000_init']);
    const report = await status(project.source());
    expect(report.exitCode).toBe(0);
    expect(report.migrations).toEqual([{ name: '20240101000000_init', state: 'applied' }]);
    const rows = await project.query('SELECT checksum FROM _prisma_migrations');
    expect(rows).toEqual([{ checksum: sha256(fixtureScript) }]);
    // The schema and the deployed history agree: dev finds nothing to do and writes nothing.
    const again = await createMigration(project.source(), { name: 'noop' });
    expect(again.created).toBeUndefined();
    expect(readdirSync(project.migrationsDir).sort()).toEqual(['20240101000000_init', 'migration_lock.toml']);
  });
});
