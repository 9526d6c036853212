import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { createJiti } from 'jiti';
import { afterAll, describe, expect, it } from 'vitest';
import { loadKeystoneSource } from '../src/source.js';
import { createKeystoneProject, type KeystoneTestProject, keystoneConfig, type Provider } from './helpers/project.js';

const PROVIDERS: Provider[] = ['sqlite', 'postgresql'];
const ARTIFACTS = '@keystone-6/core/___internal-do-not-use-will-break-in-patch/artifacts';

interface KeystoneArtifacts {
  createSystem(config: unknown): unknown;
  buildArtifacts(cwd: string, system: unknown): Promise<{ prisma: string; graphql: string }>;
}

/** Keystone's own answer: its internal artifacts module, loaded with the project's config through one loader, as `keystone build` needs. */
async function keystoneBuildArtifacts(project: KeystoneTestProject): Promise<{ prisma: string }> {
  const entry = join(project.dir, 'keystone.ts');
  const jiti = createJiti(entry, { interopDefault: true, moduleCache: true });
  const config = await jiti.import(entry, { default: true });
  const artifacts = (await jiti.import(createRequire(entry).resolve(ARTIFACTS))) as KeystoneArtifacts;
  // buildArtifacts formats with `prisma format`, which tries to download the native engine unless this is set.
  process.env.PRISMA_SCHEMA_ENGINE_BINARY = project.env.PRISMA_SCHEMA_ENGINE_BINARY;
  return artifacts.buildArtifacts(project.dir, artifacts.createSystem(config));
}

describe.each(PROVIDERS)('the Prisma schema keystone-migrate reads from keystone.ts (%s)', (provider) => {
  const projects: KeystoneTestProject[] = [];
  afterAll(async () => {
    for (const project of projects) await project.remove();
  });

  it("equals, byte for byte, what Keystone's own buildArtifacts prints and `prisma format` formats", async () => {
    const project = await createKeystoneProject(provider, keystoneConfig(provider));
    projects.push(project);

    const source = await loadKeystoneSource({}, project.dir, project.env);
    const expected = await keystoneBuildArtifacts(project);

    expect(source.files.map((f) => f.content)).toEqual([expected.prisma]);
    // The config's features are all in it (what cli-lifecycle's SQL assertions rest on).
    const schema = expected.prisma;
    expect(schema).toContain(`provider = "${provider}"`);
    expect(schema).toMatch(/model Author \{\n\s+id\s+Int\s+@id @default\(autoincrement\(\)\)/);
    expect(schema).toMatch(/model Tag \{\n\s+id\s+String\s+@id @default\(uuid\(\)\)/);
    expect(schema).toMatch(/model Post \{\n\s+id\s+String\s+@id @default\(cuid\(\)\)/);
    expect(schema).toContain('@@map("authors")');
    expect(schema).toContain('@@map("blog_posts")');
    expect(schema).toMatch(/name\s+String\s+@default\(""\) @map\("full_name"\)/);
    expect(schema).toMatch(/email\s+String\s+@unique @default\(""\)/);
    expect(schema).toContain('@@index([title])');
    expect(schema).toContain('model AuditLog {');
    if (provider === 'postgresql') expect(schema).toContain('@default(uuid()) @postgresql.Uuid');
    expect(source).toMatchObject({ provider, url: project.db.url, migrationsDir: join(project.dir, 'migrations'), baseDir: project.dir });
  });

  it('takes the URL and the migrations folder from the prisma.config.ts Keystone generates', async () => {
    const project = await createKeystoneProject(provider, keystoneConfig(provider));
    projects.push(project);
    // Keystone's initial prisma.config.ts (scripts/cli: ensurePrismaConfig), with the folder moved.
    writeFileSync(
      join(project.dir, 'prisma.config.ts'),
      "import { defineConfig } from 'prisma/config'\n\nexport default defineConfig({\n  schema: 'schema.prisma',\n  migrations: {\n    path: 'db/migrations',\n  },\n  datasource: {\n    url: process.env.DATABASE_URL,\n  },\n})\n",
    );
    const previous = process.env.DATABASE_URL;
    process.env.DATABASE_URL = project.db.url;
    try {
      const source = await loadKeystoneSource({}, project.dir, {});
      expect(source).toMatchObject({ provider, url: project.db.url, migrationsDir: join(project.dir, 'db', 'migrations'), baseDir: project.dir });
    } finally {
      if (previous === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = previous;
    }
  });
});
