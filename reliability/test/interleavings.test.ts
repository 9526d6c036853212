/**
 * Issue 10: `migrate-kit dev`, `deploy`, `reset --force` and `resolve` started at once on one
 * database, in random (seeded) groups of two or three, round after round on a fresh database.
 *
 * Each round: a history of three migrations (tables A, B, C, made by `dev` once per provider),
 * the first k of them applied (k random, 0-3), and a schema that adds a table D (what `dev`
 * turns into a migration). Then two or three of these start at once, each after a random delay
 * of up to 300 ms: `dev --name d<i>`, `deploy`, `reset --force`, `resolve --rolled-back <C>`.
 *
 * Allowed outcomes (ALLOWED below; anything else fails the round):
 * - every process ends within the bound (no hang);
 * - dev, deploy, reset: exit 0, or P1002 / MK_LOCK_TIMEOUT (the lock wait ran out under contention);
 * - resolve --rolled-back C: C is never failed here, so P3012 (not in a failed state)
 *   or P3011 (never applied: not recorded yet, or no `_prisma_migrations` at all, e.g. in the
 *   moment a reset has emptied a SQLite file), or, on SQLite before any command created the file,
 *   P1003 (resolve never creates a database), or the lock codes; never exit 0;
 * - no process prints advice to `resolve --applied` (no script in a round ever fails, so no such
 *   advice can be true), and none asks for a reset (MK_RESET_REQUIRED): nothing here drifts.
 * Truthful afterwards:
 * - no migration applied twice: each name has at most one finished, not-rolled-back row, no row
 *   is unfinished, and at most one migration folder creates table D (two devs never both make one);
 * - `status --json` right after the round (on SQLite, P1003 when nothing created the file): each local migration is `applied` exactly when it has a
 *   finished row and `pending` otherwise (never `failed`), and exits 0 exactly when all are applied;
 * - a later `dev --name later` exits 0 without asking for a reset, and then `status` exits 0,
 *   every migration has one finished row, and tables A-D exist.
 */
import { cpSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type CliRun, describeRun, jsonOf, output, runCli, } from './helpers/cli.js';
import { createCaseProject } from './helpers/corpus.js';
import { migrationRows, type Provider, tableNames } from './helpers/databases.js';
import { SIZES } from './helpers/mode.js';
import { createPrismaProject, makeTmpDir } from './helpers/project.js';
import { runSeed, seededRandom } from './helpers/random.js';

const MODELS = ['model A {\n  id Int @id\n}', 'model B {\n  id Int @id\n  a  Int\n}', 'model C {\n  id   Int    @id\n  name String\n}'];
const MODEL_D = 'model D {\n  id Int @id\n  c  String?\n}';

type Verb = 'dev' | 'deploy' | 'reset' | 'resolve';
const VERBS: Verb[] = ['dev', 'deploy', 'reset', 'resolve'];
const LOCK_CODES = ['P1002', 'MK_LOCK_TIMEOUT'];
const ALLOWED: Record<Verb, (string | 0)[]> = {
  dev: [0, ...LOCK_CODES],
  deploy: [0, ...LOCK_CODES],
  reset: [0, ...LOCK_CODES],
  // P1003: on SQLite, before anything created the database file, resolve says it does not exist (it never creates it).
  resolve: ['P3011', 'P3012', 'P1003', ...LOCK_CODES],
};

const VERBS_OF: Record<Provider, Verb[]> = { postgresql: VERBS, sqlite: VERBS };

/** The code a run ended with: 0, the JSON error's code, or `exit <n>`. */
function outcomeOf(run: CliRun): string | 0 {
  if (run.code === 0) return 0;
  try {
    return jsonOf<{ error?: { code?: string } }>(run).error?.code ?? `exit ${run.code}`;
  } catch {
    return `exit ${run.code} signal ${run.signal}`;
  }
}

interface StatusJson {
  migrations: { name: string; state: string }[];
}

describe.each(['postgresql', 'sqlite'] as Provider[])('%s', (provider) => {
  /** The three-migration history, made once by dev (in-process) and copied into each round. */
  let historyDir: string;
  let names: string[];
  beforeAll(async () => {
    const maker = await createCaseProject('migrate-kit', provider);
    try {
      for (const [i, slug] of ['a', 'b', 'c'].entries()) {
        maker.setModels(MODELS.slice(0, i + 1).join('\n\n'));
        await maker.migrate(slug);
      }
      historyDir = makeTmpDir('history');
      cpSync(maker.migrationsDir, historyDir, { recursive: true });
      names = readdirSync(historyDir).filter((f) => existsSync(join(historyDir, f, 'migration.sql'))).sort();
    } finally {
      await maker.cleanup();
    }
  });
  afterAll(() => {
    if (historyDir) rmSync(historyDir, { recursive: true, force: true });
  });

  test(`${SIZES.interleavingRounds} rounds of 2-3 of dev, deploy, reset --force, resolve at once: allowed outcomes only, nothing applied twice, status and a later dev tell the truth`, async () => {
    const seed = runSeed();
    const random = seededRandom(seed);
    const tally: Record<string, number> = {};
    for (let round = 1; round <= SIZES.interleavingRounds; round++) {
      const applied = Math.floor(random() * 4);
      const count = 2 + Math.floor(random() * 2);
      const verbs = VERBS_OF[provider];
      const group = Array.from({ length: count }, () => verbs[Math.floor(random() * verbs.length)]!);
      const delays = group.map(() => Math.floor(random() * 300));
      const context = `${provider}, round ${round}: ${applied} applied, ${group.map((v, i) => `${v}@${delays[i]}ms`).join(' + ')} (RELIABILITY_SEED=${seed})`;
      const project = await createPrismaProject(provider, { models: MODELS.join('\n\n') });
      const cli = (args: string[]) => runCli('migrate-kit', args, { cwd: project.dir, env: { DATABASE_URL: project.db.url, MIGRATE_KIT_HISTORY_CACHE: 'off' } });
      try {
        cpSync(join(historyDir, 'migration_lock.toml'), join(project.migrationsDir, 'migration_lock.toml'));
        for (const name of names.slice(0, applied)) cpSync(join(historyDir, name), join(project.migrationsDir, name), { recursive: true });
        if (applied > 0) {
          const deployed = await cli(['deploy']);
          expect(deployed.code, `${context}\n${describeRun(deployed)}`).toBe(0);
        }
        for (const name of names.slice(applied)) cpSync(join(historyDir, name), join(project.migrationsDir, name), { recursive: true });
        project.setModels([...MODELS, MODEL_D].join('\n\n'));

        const argsOf = (verb: Verb, i: number): string[] =>
          verb === 'dev' ? ['dev', '--name', `d${i}`] : verb === 'deploy' ? ['deploy'] : verb === 'reset' ? ['reset', '--force'] : ['resolve', '--rolled-back', names[2]!];
        const runs = await Promise.all(
          group.map(async (verb, i) => {
            await new Promise((r) => setTimeout(r, delays[i]));
            return cli([...argsOf(verb, i), '--json']);
          }),
        );
        const all = runs.map((run, i) => `${group[i]}: ${describeRun(run)}`).join('\n');
        for (const [i, run] of runs.entries()) {
          const verb = group[i]!;
          const outcome = outcomeOf(run);
          tally[`${verb} ${outcome}`] = (tally[`${verb} ${outcome}`] ?? 0) + 1;
          const what = `${context}\n${all}`;
          expect(run.timedOut, what).toBe(false);
          expect(ALLOWED[verb], `${verb} ended with ${outcome}\n${what}`).toContain(outcome);
          expect(output(run), what).not.toContain('--applied');
          expect(output(run), what).not.toContain('MK_RESET_REQUIRED');
        }

        // Nothing applied twice, nothing left half done.
        const rows = await migrationRows(project.db);
        const finished = rows.filter((r) => r.finished && !r.rolledBack).map((r) => r.name);
        const rowsWhat = `${context}\n${JSON.stringify(rows)}\n${all}`;
        expect(new Set(finished).size, rowsWhat).toBe(finished.length);
        expect(rows.filter((r) => !r.finished && !r.rolledBack), rowsWhat).toEqual([]);
        const local = readdirSync(project.migrationsDir).filter((f) => existsSync(join(project.migrationsDir, f, 'migration.sql'))).sort();
        const creatingD = local.filter((f) => readFileSync(join(project.migrationsDir, f, 'migration.sql'), 'utf8').includes('CREATE TABLE "D"'));
        expect(creatingD.length, `${rowsWhat}\nfolders ${local.join(', ')}`).toBeLessThanOrEqual(1);

        // status tells the truth.
        const status = await cli(['status', '--json']);
        const statusWhat = `${rowsWhat}\n${describeRun(status)}`;
        expect(status.timedOut, statusWhat).toBe(false);
        if (provider === 'sqlite' && !existsSync(project.db.name)) {
          // Nothing in the round created the database (only resolves ran, and they never create
          // it): status says so rather than creating an empty file.
          expect(outcomeOf(status), statusWhat).toBe('P1003');
        } else {
          const states = jsonOf<StatusJson>(status).migrations;
          expect(Array.isArray(states), `status --json lists no migrations\n${statusWhat}`).toBe(true);
          for (const { name, state } of states) expect(state, `${name}\n${statusWhat}`).toBe(finished.includes(name) ? 'applied' : 'pending');
          expect(states.map((m) => m.name).sort(), statusWhat).toEqual(local);
          expect(status.code, statusWhat).toBe(states.every((m) => m.state === 'applied') ? 0 : 1);
        }

        // A later dev neither asks for a reset nor applies anything twice.
        const later = await cli(['dev', '--name', 'later']);
        const laterWhat = `${statusWhat}\n${describeRun(later)}`;
        expect(later.code, laterWhat).toBe(0);
        const after = await migrationRows(project.db);
        const finishedAfter = after.filter((r) => r.finished && !r.rolledBack).map((r) => r.name);
        const localAfter = readdirSync(project.migrationsDir).filter((f) => existsSync(join(project.migrationsDir, f, 'migration.sql'))).sort();
        expect(finishedAfter.sort(), laterWhat).toEqual(localAfter);
        expect(new Set(finishedAfter).size, laterWhat).toBe(finishedAfter.length);
        expect((await tableNames(project.db)).filter((t) => ['A', 'B', 'C', 'D'].includes(t)).sort(), laterWhat).toEqual(['A', 'B', 'C', 'D']);
        const final = await cli(['status']);
        expect(final.code, `${laterWhat}\n${describeRun(final)}`).toBe(0);
      } finally {
        await project.cleanup();
      }
    }
    console.log(`[interleavings] ${provider} (RELIABILITY_SEED=${seed}): outcomes ${JSON.stringify(tally)}`);
  });
});
