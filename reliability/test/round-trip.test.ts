/**
 * Item 4, round trip (property test): random sequences of schema edits (models; fields of every
 * scalar type, optional or required, with and without defaults; 1-1, 1-n and m-n relations,
 * self-relations included; indexes and uniques; enums and scalar lists on PostgreSQL; renames
 * through @map and @@map), `createMigration` after each (in-process, with acceptDataLoss, as
 * `migrate dev` does), then the whole history deployed on a fresh database, which must match the
 * final schema: the engine's diff from the database to the schema is empty.
 *
 * RELIABILITY_SEED=<n> replays a run; RELIABILITY_SHRINK=1 lets fast-check shrink a failure
 * (minutes: every try replays a history).
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createMigration, deploy, diff, loadPrismaSchemaSource } from '@migrate-kit/migrate-core';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { createPostgresDatabase, PROVIDERS, type Provider, sqliteDatabase, type TestDatabase } from './helpers/databases.js';
import { SIZES } from './helpers/mode.js';
import { makeTmpDir } from './helpers/project.js';
import { runSeed } from './helpers/random.js';
import { applyEdit, EDIT_WEIGHTS, type Edit, editKindsFor, initialState, renderSchema, type SchemaState } from './helpers/schema-model.js';

const { roundTripRuns: RUNS, roundTripMaxEdits: MAX_EDITS } = SIZES;
/** One sequence may not take longer than this (it fails instead of hanging the run). */
const SEQUENCE_BOUND_MS = 180_000;

function editsFor(provider: Provider): fc.Arbitrary<Edit[]> {
  const edit = fc.record({
    kind: fc.oneof(...editKindsFor(provider).map((kind) => ({ arbitrary: fc.constant(kind), weight: EDIT_WEIGHTS[kind] }))),
    a: fc.nat({ max: 30 }),
    b: fc.nat({ max: 30 }),
    c: fc.nat({ max: 30 }),
    flag: fc.boolean(),
  });
  return fc.array(edit, { minLength: 1, maxLength: MAX_EDITS });
}

async function freshDatabase(provider: Provider, dir: string, name: string): Promise<TestDatabase> {
  return provider === 'postgresql' ? createPostgresDatabase('mk_roundtrip') : sqliteDatabase(join(dir, `${name}.db`));
}

function withBound<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${SEQUENCE_BOUND_MS / 1000} s`)), SEQUENCE_BOUND_MS);
  });
  return Promise.race([promise, bound]).finally(() => clearTimeout(timer));
}

/** The history as one readable text: every migration's name and SQL. */
function historyText(migrationsDir: string): string {
  const names = readdirSync(migrationsDir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  return names.map((name) => `--- ${name}\n${readFileSync(join(migrationsDir, name, 'migration.sql'), 'utf8')}`).join('\n');
}

interface Outcome {
  migrations: number;
  edits: number;
}

/** Creates a migration after each edit, deploys the history on a fresh database, and diffs it against the schema. */
async function roundTrip(provider: Provider, edits: Edit[]): Promise<Outcome> {
  const dir = makeTmpDir(`roundtrip-${provider}`);
  const schemaPath = join(dir, 'prisma', 'schema.prisma');
  const migrationsDir = join(dir, 'prisma', 'migrations');
  mkdirSync(join(dir, 'prisma'), { recursive: true });
  const databases: TestDatabase[] = [];
  let state: SchemaState = initialState(provider);
  const schemas: string[] = [];
  try {
    const dev = await freshDatabase(provider, dir, 'dev');
    databases.push(dev);
    for (let step = 0; step <= edits.length; step++) {
      if (step > 0) state = applyEdit(state, edits[step - 1]!);
      const schema = renderSchema(state);
      schemas.push(schema);
      writeFileSync(schemaPath, schema);
      // Zero-padded names: two migrations created in the same second sort by name.
      await createMigration(loadPrismaSchemaSource({ schemaPath, url: dev.url, migrationsDir }), { name: `step_${String(step).padStart(2, '0')}`, acceptDataLoss: true });
    }

    const fresh = await freshDatabase(provider, dir, 'fresh');
    databases.push(fresh);
    const source = loadPrismaSchemaSource({ schemaPath, url: fresh.url, migrationsDir });
    const deployed = await deploy(source);
    const result = await diff({ from: { kind: 'url', url: fresh.url }, to: { kind: 'schema', files: source.files }, provider, baseDir: dir });
    if (!result.empty) {
      throw new Error(
        `The database built from the migrations differs from the schema:\n${result.text}\n\n=== final schema ===\n${schemas.at(-1)}\n=== migrations ===\n${historyText(migrationsDir)}`,
      );
    }
    return { migrations: deployed.applied.length, edits: edits.length };
  } catch (error) {
    const message = (error as Error).message;
    if (message.includes('=== final schema ===')) throw error;
    throw new Error(`${message}\n\n=== schemas, step by step ===\n${schemas.map((s, i) => `--- step ${i}\n${s}`).join('\n')}`, { cause: error });
  } finally {
    await Promise.all(databases.map((d) => d.drop().catch(() => undefined)));
    rmSync(dir, { recursive: true, force: true });
  }
}

describe.each(PROVIDERS)('%s', (provider: Provider) => {
  test(`${RUNS} random edit sequences (up to ${MAX_EDITS} edits, a migration after each): the deployed history always matches the final schema`, async () => {
    const seed = runSeed();
    console.log(`[round-trip] ${provider}: RELIABILITY_SEED=${seed}, ${RUNS} sequences`);
    const totals = { sequences: 0, edits: 0, migrations: 0 };
    await fc.assert(
      fc.asyncProperty(editsFor(provider), async (edits) => {
        const outcome = await withBound(roundTrip(provider, edits), `a sequence of ${edits.length} edits`);
        totals.sequences++;
        totals.edits += outcome.edits;
        totals.migrations += outcome.migrations;
      }),
      { numRuns: RUNS, seed, endOnFailure: process.env.RELIABILITY_SHRINK !== '1', verbose: 1 },
    );
    console.log(`[round-trip] ${provider}: ${JSON.stringify(totals)} (RELIABILITY_SEED=${seed})`);
    expect(totals.sequences).toBe(RUNS);
  });
});

/**
 * The generator leaves out Json defaults on SQLite because of an engine bug: it renders
 * `@default("{}")` as `DEFAULT {}`, which SQLite refuses ("unrecognized token"), so `migrate dev`
 * writes a migration that cannot be applied (prisma/orm#26571, open). This pins the bug: when an
 * engine bump fixes it, this fails, and `defaultFor` in helpers/schema-model.ts can generate them.
 */
test('engine bug kept out of the generator: a Json default on SQLite renders as `DEFAULT {}` (prisma/orm#26571)', async () => {
  const dir = makeTmpDir('roundtrip-json-default');
  try {
    const files = [{ path: join(dir, 'schema.prisma'), content: 'datasource db {\n  provider = "sqlite"\n}\n\nmodel A {\n  id Int  @id\n  j  Json @default("{}")\n}\n' }];
    const result = await diff({ from: { kind: 'empty' }, to: { kind: 'schema', files }, script: true, provider: 'sqlite', baseDir: dir });
    expect(result.text).toContain('"j" JSONB NOT NULL DEFAULT {}');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** The oracle is not vacuous: a database one column away from the schema is a difference. */
test.each(PROVIDERS)('%s: the diff the property relies on does see a column the schema lacks', async (provider) => {
  const dir = makeTmpDir(`roundtrip-oracle-${provider}`);
  const db = await freshDatabase(provider, dir, 'oracle');
  try {
    const schemaPath = join(dir, 'prisma', 'schema.prisma');
    mkdirSync(join(dir, 'prisma'), { recursive: true });
    writeFileSync(schemaPath, renderSchema(initialState(provider)));
    const source = loadPrismaSchemaSource({ schemaPath, url: db.url, migrationsDir: join(dir, 'prisma', 'migrations') });
    await createMigration(source, { name: 'init' });
    const same = await diff({ from: { kind: 'url', url: db.url }, to: { kind: 'schema', files: source.files }, provider, baseDir: dir });
    expect(same.empty).toBe(true);
    await db.execute('ALTER TABLE "M0" ADD COLUMN "extra" INTEGER');
    const different = await diff({ from: { kind: 'url', url: db.url }, to: { kind: 'schema', files: source.files }, provider, baseDir: dir });
    expect(different.empty).toBe(false);
    // PostgreSQL: "[-] Removed column `extra`"; SQLite: "[*] Redefined table `M0`" (a drop is a table rebuild there).
    expect(different.text).toContain(provider === 'postgresql' ? 'extra' : 'Redefined table `M0`');
  } finally {
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  }
});
