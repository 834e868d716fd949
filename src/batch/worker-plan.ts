import { availableParallelism, cpus } from 'node:os';

/**
 * What a worker thread costs before it is useful, in bytes of capture the main thread would have
 * analysed meanwhile: starting the thread and loading the modules (about 0.15 s) and warming a second
 * V8 isolate up (TurboFan compiles the hot path again: about 1.4 s of compile time per isolate, 0.7 s
 * of it on helper threads that share the cores with both analyses). Fitted to batches measured on a
 * 2-core VM (2026-12-06; bench/README.md): four captures of 26 MB were 1.25x slower with a worker than
 * without, four of 263 MB 1.4-1.5x faster, which a cost of about half a second (90 MB at 180 MB/s)
 * and the slowdown below explain.
 */
export const WORKER_START_BYTES = 90 * 1024 * 1024;

/**
 * How much slower each analysis runs for every other analysis sharing the machine's cores: they are
 * bound by memory latency and share the last-level cache (the CPU time of the same work grew by up to
 * 17 % with two at once on 2 cores).
 */
export const CONTENTION = 0.17;

export type WorkerPolicy = 'auto' | 'all';

/**
 * How many worker threads a batch should start, besides the main thread, which analyses files too.
 * 'auto' simulates the run (largest file first, each thread taking the next file when free, workers
 * ready only after WORKER_START_BYTES, every thread slowed by the others) for 0 to jobs - 1 workers
 * and keeps the fewest whose finish is within 3 % of the best: so a worker is started only for work
 * the main thread would not finish first, and a batch is not slower than one job. 'all' starts
 * jobs - 1 (at most one per file), as if starting cost nothing.
 *
 * `sizes`: bytes of each file a worker could take; `cores`: cores the batch may use (fractional: the
 * idle share of a busy machine); `mainBytes`: work only the main thread can do first (standard input,
 * of unknown size: 0). Only the speed depends on the plan, never the report.
 */
export function planWorkers(sizes: readonly number[], jobs: number, policy: WorkerPolicy = 'auto', cores = availableParallelism(), mainBytes = 0): number {
  const most = Math.max(0, Math.min(jobs - 1, sizes.length));
  if (policy === 'all' || most === 0) return most;
  const sorted = [...sizes].map((s) => Math.max(0, s)).sort((a, b) => b - a);
  const finish = Array.from({ length: most + 1 }, (_, workers) => makespan(sorted, workers, cores, mainBytes));
  const best = Math.min(...finish);
  return finish.findIndex((f) => f <= best * 1.03);
}

/** Predicted finish of the batch with `workers` workers, in byte-equivalents of one uncontended thread. */
export function makespan(sortedSizes: readonly number[], workers: number, cores: number, mainBytes: number): number {
  const threads = workers + 1;
  // Threads beyond the cores take turns; those that run at once slow each other down.
  const usable = Math.max(1, cores);
  const slowdown = Math.max(1, threads / usable) * (1 + CONTENTION * (Math.min(threads, usable) - 1));
  const free = [mainBytes * slowdown, ...Array.from({ length: workers }, () => WORKER_START_BYTES)];
  let end = free[0];
  for (const size of sortedSizes) {
    let next = 0;
    for (let t = 1; t < free.length; t++) if (free[t] < free[next]) next = t;
    free[next] += size * slowdown;
    end = Math.max(end, free[next]);
  }
  // A worker that gets no file stops at once and delays nothing.
  return end;
}

/**
 * Cores idle right now, measured over `windowMs` from the kernel's per-CPU times: what a batch can
 * count on besides other processes. On a machine other work keeps busy, a worker gets no core of its
 * own and only adds its start-up and contention (measured: four 100 MB captures 1.12x slower with a
 * worker than without while other processes kept 2 cores loaded 3-6 deep).
 */
export async function idleCores(windowMs = 100): Promise<number> {
  const idle = (): { idle: number; total: number } => {
    let idleMs = 0;
    let total = 0;
    for (const cpu of cpus()) {
      const t = cpu.times;
      idleMs += t.idle;
      total += t.user + t.nice + t.sys + t.idle + t.irq;
    }
    return { idle: idleMs, total };
  };
  const before = idle();
  await new Promise((resolve) => setTimeout(resolve, windowMs));
  const after = idle();
  const total = after.total - before.total;
  if (total <= 0) return cpus().length;
  return (cpus().length * (after.idle - before.idle)) / total;
}
