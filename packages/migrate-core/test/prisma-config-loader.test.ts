/**
 * The project's prisma.config.ts is read as Prisma's own loader (`@prisma/config`
 * loadConfigFromFile) reads it: every case here is compared with that loader's answer. Most
 * projects are answered by the quick loader (src/schema/prisma-config-quick.ts), which does not
 * load `@prisma/config` at all; the rest, and every error, by Prisma's loader itself.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createProjectDir, writeFile } from '@migrate-kit/test-support';
import { loadConfigFromFile } from '@prisma/config';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPrismaConfig } from '../src/index.js';
import { findConfigFileQuickly, loadConfigQuickly } from '../src/schema/prisma-config-quick.js';

const packageDir = join(import.meta.dirname, '..');
const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A project inside this package, so that a config file resolves `@prisma/config` as in a real project. */
function project(files: Record<string, string>): string {
  const dir = createProjectDir('mk-config-', join(packageDir, '.tmp'));
  made.push(dir);
  for (const [name, text] of Object.entries(files)) writeFile(join(dir, name), text);
  return dir;
}

const plain = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;

/** Prisma's loader's answer: the config as data, or its error's tag. */
async function prismasAnswer(dir: string, configFile?: string) {
  const loaded = await loadConfigFromFile({ configRoot: dir, configFile: configFile ? join(dir, configFile) : undefined });
  return loaded.error ? { error: loaded.error._tag } : { config: plain(loaded.config), path: loaded.resolvedPath };
}

const FULL_TS = `import { defineConfig, env } from 'prisma/config';
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'db/migrations', seed: 'tsx prisma/seed.ts' },
  datasource: { url: env('MK_CONFIG_TEST_URL'), shadowDatabaseUrl: 'postgresql://localhost/shadow' },
});
`;
const EVERY_SETTING_MJS = `export default {
  experimental: { externalTables: true },
  schema: './schema',
  migrations: { path: 'migrations', initShadowDb: 'CREATE TABLE "Ext" (id int);' },
  tables: { external: ['public.Ext'] },
  enums: { external: ['public.Mood'] },
  views: { path: 'views' },
  typedSql: { path: 'sql' },
  datasource: { url: 'file:./dev.db' },
};
`;

/** Cases the quick loader answers, each compared with Prisma's loader. */
const QUICK_CASES: { name: string; files: Record<string, string>; configFile?: string; file: string }[] = [
  { name: 'a TypeScript config importing defineConfig and env from prisma/config', files: { 'prisma.config.ts': FULL_TS }, file: 'prisma.config.ts' },
  {
    name: 'the same from @prisma/config, in an ES module',
    files: { 'prisma.config.mts': FULL_TS.replace("'prisma/config'", "'@prisma/config'") },
    file: 'prisma.config.mts',
  },
  { name: 'every setting Prisma 7 knows', files: { 'prisma.config.mjs': EVERY_SETTING_MJS }, file: 'prisma.config.mjs' },
  { name: 'a CommonJS config', files: { 'prisma.config.cjs': "module.exports = { schema: 'db/schema.prisma' };\n" }, file: 'prisma.config.cjs' },
  {
    name: 'prisma7.config.ts before prisma.config.ts',
    files: { 'prisma7.config.ts': "export default { schema: 'seven.prisma' };\n", 'prisma.config.ts': "export default { schema: 'six.prisma' };\n" },
    file: 'prisma7.config.ts',
  },
  { name: 'a file given with --config', files: { 'config/custom.ts': "export default { schema: '../schema.prisma' };\n" }, configFile: 'config/custom.ts', file: 'config/custom.ts' },
  { name: 'a config that loads .env itself', files: { 'prisma.config.ts': "import 'node:path';\nexport default { datasource: { url: process.env.MK_CONFIG_TEST_URL } };\n" }, file: 'prisma.config.ts' },
];

/** Cases only Prisma's loader answers (the quick loader declines): the result must still be Prisma's. */
const PRISMA_CASES: { name: string; files: Record<string, string>; configFile?: string }[] = [
  { name: 'a config under .config/', files: { '.config/prisma.ts': "export default { schema: 'x.prisma' };\n" } },
  { name: 'an exported function (c12 calls it)', files: { 'prisma.config.ts': "export default () => ({ schema: 'fn.prisma' });\n" } },
  { name: 'two candidate files', files: { 'prisma.config.ts': "export default { schema: 'ts.prisma' };\n", 'prisma.config.js': "export default { schema: 'js.prisma' };\n" } },
];

describe('prisma.config.ts, read as Prisma reads it', () => {
  process.env.MK_CONFIG_TEST_URL = 'postgresql://config-test@localhost/db';

  it('a project without a config file: Prisma\'s defaults, no file', async () => {
    const dir = project({ 'schema.prisma': '' });
    expect(findConfigFileQuickly(dir)).toBeNull();
    const ours = await loadPrismaConfig(dir, undefined);
    expect({ config: plain(ours.config), path: ours.path }).toEqual({ ...(await prismasAnswer(dir)), path: null });
  });

  for (const { name, files, configFile, file } of QUICK_CASES) {
    it(`${name}: the quick loader answers, as Prisma's loader does`, async () => {
      const dir = project(files);
      const path = join(dir, file);
      if (!configFile) expect(findConfigFileQuickly(dir)).toBe(path);
      const prismas = await prismasAnswer(dir, configFile);
      expect(prismas.path).toBe(path);
      expect(plain(await loadConfigQuickly(path))).toEqual(prismas.config);
      const ours = await loadPrismaConfig(dir, configFile);
      expect({ config: plain(ours.config), path: ours.path }).toEqual(prismas);
    });
  }

  for (const { name, files, configFile } of PRISMA_CASES) {
    it(`${name}: Prisma's loader answers`, async () => {
      const dir = project(files);
      const found = findConfigFileQuickly(dir);
      const quick = found ? await loadConfigQuickly(found) : found;
      expect(quick).toBeUndefined();
      const ours = await loadPrismaConfig(dir, configFile);
      expect({ config: plain(ours.config), path: ours.path }).toEqual(await prismasAnswer(dir, configFile));
    });
  }

  it("errors are Prisma's loader's: env() of an unset variable, a setting of the wrong type, a feature without its experimental flag", async () => {
    const unset = project({ 'prisma.config.ts': "import { env } from 'prisma/config';\nexport default { datasource: { url: env('MK_CONFIG_TEST_UNSET') } };\n" });
    await expect(loadPrismaConfig(unset, undefined)).rejects.toMatchObject({ code: 'MK_MISSING_URL', message: expect.stringContaining('MK_CONFIG_TEST_UNSET') });
    const wrongType = project({ 'prisma.config.ts': 'export default { schema: 42 };\n' });
    expect(await loadConfigQuickly(join(wrongType, 'prisma.config.ts'))).toBeUndefined();
    await expect(loadPrismaConfig(wrongType, undefined)).rejects.toMatchObject({ code: 'MK_USAGE', message: expect.stringContaining('prisma.config.ts') });
    // Prisma 6's `earlyAccess: true` (and any key Prisma 7 does not know, at any depth) is an error in Prisma 7.
    for (const config of ["{ earlyAccess: true, schema: 'a.prisma' }", "{ datasource: { url: 'file:a.db', directUrl: 'file:b.db' } }", "{ $development: { schema: 'dev.prisma' } }"]) {
      const unknownKey = project({ 'prisma.config.ts': `export default ${config};\n` });
      const prismas = await prismasAnswer(unknownKey);
      expect(prismas, config).toEqual({ error: 'ConfigFileSyntaxError' });
      expect(await loadConfigQuickly(join(unknownKey, 'prisma.config.ts')), config).toBeUndefined();
      await expect(loadPrismaConfig(unknownKey, undefined), config).rejects.toMatchObject({ code: 'MK_USAGE' });
    }
    const experimental = project({ 'prisma.config.ts': "import { defineConfig } from 'prisma/config';\nexport default defineConfig({ tables: { external: ['a'] } });\n" });
    await expect(loadPrismaConfig(experimental, undefined)).rejects.toMatchObject({ code: 'MK_USAGE', message: expect.stringContaining('experimental.externalTables') });
  });

  it('the common case does not load @prisma/config (its module loading is what made prisma-migrate slow)', () => {
    const dir = project({ 'prisma.config.ts': FULL_TS });
    const script = `
      const { loadPrismaConfig } = await import(${JSON.stringify(join(packageDir, 'dist', 'index.js'))});
      const loaded = await loadPrismaConfig(${JSON.stringify(dir)}, undefined);
      const { createRequire } = await import('node:module');
      const modules = Object.keys(createRequire(import.meta.url).cache);
      console.log(JSON.stringify({ schema: loaded.config.schema, prismaConfig: modules.some((m) => m.includes('@prisma/config')), effect: modules.some((m) => m.includes('/effect/')) }));
    `;
    const printed = execFileSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env }, encoding: 'utf8' });
    expect(JSON.parse(printed)).toEqual({ schema: join(dir, 'prisma', 'schema.prisma'), prismaConfig: false, effect: false });
  });
});
