import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { CaptureFacts } from '../report/model.js';
import type { ListingPartial } from '../report/listing.js';
import type { ReportPartial } from '../report/report-builder.js';
import type { ConnectionRecord } from '../verdict/types.js';
import { TaskQueue, type FileTask } from './task-queue.js';
import { failedCapture } from './capture-facts.js';
import type { FromWorker, ToWorker, WorkerSetup } from './worker-protocol.js';

export interface PoolHooks {
  started(index: number): void;
  progress(index: number, rawBytesRead: number, rawSize: number, frames: number): void;
  records(index: number, records: ConnectionRecord[]): void;
  /** Listed connections as texts (WorkerSetup.recordTexts), in the order the worker made them. */
  texts(index: number, files: string[], streams: number[], texts: string[]): void;
  /** The file's facts, and its figures and listing (null when the worker failed and the facts are an error row). */
  done(index: number, facts: CaptureFacts, partial: ReportPartial | null, listing: ListingPartial | null): void;
}

/** After a stop, how long workers get to hand back what they read before they are terminated. */
const ABORT_GRACE_MS = 3000;

/**
 * The worker script. Under vitest the sources run as TypeScript, which a worker thread cannot load, so
 * the built copy in dist/ is used (the batch tests build first); a built closetrace finds it beside itself.
 */
export function analysisWorkerUrl(): URL {
  if (import.meta.url.endsWith('.ts')) return new URL('../../dist/src/batch/analysis-worker.js', import.meta.url);
  return new URL('./analysis-worker.js', import.meta.url);
}

/**
 * Analyses the files of `queue` on up to `workers` worker threads (each takes the next file when it is
 * free; the main thread may be taking files from the same queue). Results come back through `hooks` as
 * each file finishes, in whatever order that is; the caller puts them in input order.
 *
 * A worker that dies (a bug, out of memory) turns its file into an error row and is replaced. On abort,
 * no new file starts, each worker stops its file at the next buffer refill and sends what it read; one
 * that does not answer within ABORT_GRACE_MS (blocked opening a FIFO, say) is terminated and its file
 * becomes an error row saying so.
 */
export function runWorkerPool(queue: TaskQueue | readonly FileTask[], workers: number, setup: WorkerSetup, hooks: PoolHooks, signal?: AbortSignal): Promise<void> {
  const url = analysisWorkerUrl();
  if (!existsSync(fileURLToPath(url))) {
    return Promise.reject(new Error(`the worker script ${fileURLToPath(url)} is missing (run the build: npm run build)`));
  }
  const tasks = queue instanceof TaskQueue ? queue : new TaskQueue(queue);
  const workerCount = Math.min(workers, tasks.length);
  if (workerCount <= 0) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const running = new Map<Worker, FileTask | null>();
    let aborted = false;
    let graceTimer: NodeJS.Timeout | null = null;

    const finishIfIdle = (): void => {
      if (running.size > 0) return;
      if (graceTimer !== null) clearTimeout(graceTimer);
      signal?.removeEventListener('abort', onAbort);
      resolve();
    };

    const give = (worker: Worker): void => {
      const task = aborted ? undefined : tasks.take();
      if (task === undefined) {
        running.set(worker, null);
        void worker.terminate();
        return;
      }
      running.set(worker, task);
      hooks.started(task.index);
      const message: ToWorker = { type: 'analyze', index: task.index, path: task.path };
      worker.postMessage(message);
    };

    const start = (): void => {
      const worker = new Worker(url, { workerData: setup });
      let failure: string | null = null;
      running.set(worker, null);
      worker.on('message', (message: FromWorker) => {
        switch (message.type) {
          case 'progress':
            hooks.progress(message.index, message.rawBytesRead, message.rawSize, message.frames);
            return;
          case 'records':
            hooks.records(message.index, JSON.parse(message.json) as ConnectionRecord[]);
            return;
          case 'texts':
            hooks.texts(message.index, message.files, message.streams, message.texts);
            return;
          case 'done':
            hooks.done(message.index, message.facts, message.partial, message.listing);
            give(worker);
            return;
          case 'failed': {
            const task = running.get(worker);
            if (task) hooks.done(task.index, failedCapture(task.path, `${task.path}: internal error while analysing: ${message.message}`), null, null);
            give(worker);
            return;
          }
        }
      });
      worker.on('error', (error) => {
        failure = error instanceof Error ? error.message : String(error);
      });
      worker.on('exit', (code) => {
        const task = running.get(worker);
        running.delete(worker);
        if (task) {
          const why = aborted && failure === null ? 'reading was interrupted and the worker did not answer in time' : `internal error while analysing: ${failure ?? `the worker exited with code ${code}`}`;
          hooks.done(task.index, failedCapture(task.path, `${task.path}: ${why}`), null, null);
          if (!aborted && tasks.length > 0) start();
        }
        finishIfIdle();
      });
      give(worker);
    };

    const onAbort = (): void => {
      if (aborted) return;
      aborted = true;
      tasks.close();
      const message: ToWorker = { type: 'abort' };
      for (const [worker, task] of running) if (task) worker.postMessage(message);
      graceTimer = setTimeout(() => {
        for (const worker of running.keys()) void worker.terminate();
      }, ABORT_GRACE_MS);
      graceTimer.unref();
    };
    signal?.addEventListener('abort', onAbort);

    for (let i = 0; i < workerCount; i++) start();
    if (signal?.aborted) onAbort();
  });
}
