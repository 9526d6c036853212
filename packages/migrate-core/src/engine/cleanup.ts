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
let receivedSignal: NodeJS.Signals | undefined;
let interruptionReporter: ((signal: NodeJS.Signals) => void) | undefined;
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
      receivedSignal = signal;
      const timer = setTimeout(() => process.exit(SIGNAL_EXIT[signal]), CLEANUP_BUDGET_MS);
      void runPendingCleanups().finally(() => {
        clearTimeout(timer);
        interruptionReporter?.(signal);
        process.exit(SIGNAL_EXIT[signal]);
      });
    });
  }
}

/**
 * The signal that is ending this process, once one arrived. Whatever the interrupted operation
 * throws after that (the shadow database dropped under a replay fails it, as P3006 naming a
 * healthy migration) is a consequence of the signal, not the operation's error.
 */
export function interruptingSignal(): NodeJS.Signals | undefined {
  return receivedSignal;
}

/** The exit code a shell reports for a process ended by `signal` (SIGINT 130). */
export function signalExitCode(signal: NodeJS.Signals): number {
  return SIGNAL_EXIT[signal] ?? 1;
}

/** Told, just before the process exits on a signal, that the run was interrupted (the CLI says so). */
export function onInterruption(reporter: (signal: NodeJS.Signals) => void): void {
  interruptionReporter = reporter;
}
