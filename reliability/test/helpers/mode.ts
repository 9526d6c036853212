/**
 * Two sizes of the same suite. `npm test` (quick) runs every item at a reduced size so the
 * normal test run stays within a few minutes; `RELIABILITY_MODE=full` (`test:full`) runs the
 * sizes issue #6 asks for. Any size can be overridden by its own variable, e.g.
 * `RELIABILITY_ROUND_TRIP_RUNS=50`.
 */
export const FULL = process.env.RELIABILITY_MODE === 'full';

function size(variable: string, quick: number, full: number): number {
  const given = process.env[variable];
  if (given !== undefined && given !== '') {
    const n = Number(given);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${variable} must be a whole number, got ${JSON.stringify(given)}`);
    return n;
  }
  return FULL ? full : quick;
}

export const SIZES = {
  /** Item 1: rounds per database, each on a fresh database. */
  concurrencyRounds: size('RELIABILITY_CONCURRENCY_ROUNDS', 1, 20),
  /** Item 1: processes started at once per round. */
  concurrencyProcesses: size('RELIABILITY_CONCURRENCY_PROCESSES', 16, 16),
  /** Item 1: migrations in the history. */
  concurrencyMigrations: size('RELIABILITY_CONCURRENCY_MIGRATIONS', 20, 20),
  /** Item 2: rounds per database (one SIGKILL each). */
  crashRounds: size('RELIABILITY_CRASH_ROUNDS', 2, 30),
  /** Item 2: migrations in the history. */
  crashMigrations: size('RELIABILITY_CRASH_MIGRATIONS', 50, 50),
  /** Item 4: random edit sequences per database. */
  roundTripRuns: size('RELIABILITY_ROUND_TRIP_RUNS', 10, 200),
  /** Item 4: the longest edit sequence. */
  roundTripMaxEdits: size('RELIABILITY_ROUND_TRIP_MAX_EDITS', 4, 8),
  /** Issue 10 item 20: password property runs per CLI (migrate-kit, prisma-migrate). */
  passwordRuns: size('RELIABILITY_PASSWORD_RUNS', 3, 60),
  /** Issue 10 item 20: the same for zen-migrate and keystone-migrate (each process loads its framework for seconds). */
  passwordRunsSlowCli: size('RELIABILITY_PASSWORD_RUNS_SLOW_CLI', 1, 15),
  /** Issue 10 items 6-8: rounds of the lock-holder and silent-server runs (quick: migrate-kit only; full: all four CLIs). */
  timeoutRounds: size('RELIABILITY_TIMEOUT_ROUNDS', 1, 1),
  /** Issue 10: rounds of random concurrent dev/deploy/reset/resolve groups per database. */
  interleavingRounds: size('RELIABILITY_INTERLEAVING_ROUNDS', 2, 12),
  /** Issue 10: times each kill point of a `dev` is tried (PostgreSQL). */
  devCrashRepeats: size('RELIABILITY_DEV_CRASH_REPEATS', 1, 2),
};

/** No child process may live longer than this; a hang fails the test instead of the run. */
export const PROCESS_BOUND_MS = Number(process.env.RELIABILITY_PROCESS_BOUND_MS ?? 60_000);
