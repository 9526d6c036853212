/**
 * Timing spans for finding where a command spends its time: with `MIGRATE_KIT_TIMING=1`, each span
 * is written to stderr as `migrate-kit timing: <name> <ms> ms, cpu <ms> ms (at <ms since process start> ms)`.
 * The CPU time (user + system, of the whole process while the span ran) is what to compare on a
 * busy machine, where wall time mostly measures the other processes.
 * Off (the default), a span costs one environment read.
 *
 * Why: the benchmarks (bench/RESULTS.md) compare whole processes; this says which part of one is
 * slow without a profiler. Measured breakdowns are recorded in bench/RESULTS.md.
 */
export async function timed<T>(name: string, fn: () => Promise<T>): Promise<T> {
  if (process.env.MIGRATE_KIT_TIMING !== '1') return fn();
  const start = performance.now();
  const cpu = process.cpuUsage();
  try {
    return await fn();
  } finally {
    const end = performance.now();
    const used = process.cpuUsage(cpu);
    process.stderr.write(`migrate-kit timing: ${name} ${(end - start).toFixed(1)} ms, cpu ${((used.user + used.system) / 1000).toFixed(1)} ms (at ${end.toFixed(0)} ms)\n`);
  }
}
