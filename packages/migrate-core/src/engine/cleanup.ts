/**
 * Things that must be undone even when the process is interrupted (today: temporary shadow
 * databases). On SIGINT/SIGTERM every registered cleanup runs (bounded in time) before the
 * process exits with 128 + the signal number, as a shell would report it.
 * A SIGKILL cannot be caught: the orphan it leaves is found and removed by the next run
 * (see shadow/postgres-shadow-database.ts, sweepOrphanShadowDatabases).
 */
type Cleanup = () => Promise<void>;

const pending = new Set<Cleanup>();
let installed = false;
let exiting = false;
const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
const CLEANUP_BUDGET_MS = 5000;

export function registerCleanup(cleanup: Cleanup): () => void {
  install();
  pending.add(cleanup);
  return () => pending.delete(cleanup);
}

export async function runPendingCleanups(): Promise<void> {
  const all = [...pending];
  pending.clear();
  await Promise.allSettled(all.map((c) => c()));
}

function install(): void {
  if (installed) return;
  installed = true;
  for (const signal of Object.keys(SIGNAL_EXIT) as NodeJS.Signals[]) {
    process.on(signal, () => {
      if (exiting) return;
      exiting = true;
      const timer = setTimeout(() => process.exit(SIGNAL_EXIT[signal]), CLEANUP_BUDGET_MS);
      void runPendingCleanups().finally(() => {
        clearTimeout(timer);
        process.exit(SIGNAL_EXIT[signal]);
      });
    });
  }
}
