/**
 * Hands a finished capture's analysis memory back before the command line goes on (the next capture,
 * or the report). The analysis holds its tables in ArrayBuffers (records, close blocks, flow table,
 * socket table: 75 MB on the bench capture), unreachable once the capture is done but freed only by
 * V8's next full collection, which a process that allocates little rarely runs. The report is then
 * built and printed on top of them: on the bench capture the peak was 152 MiB, 143 MiB with one full
 * collection here (about 20 ms). Only after a capture that held that much: a batch of small captures
 * pays nothing.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** ArrayBuffers held (live or awaiting collection) above which a full collection is worth its time. */
const WORTH_COLLECTING_BYTES = 32 * 1024 * 1024;

let collect: (() => void) | undefined;

function fullCollection(): () => void {
  try {
    // The documented way to reach gc() without starting node with --expose-gc: a context made after the flag has it.
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    if (typeof gc === 'function') return () => void gc();
  } catch {
    // A runtime without the flag: memory is then collected when V8 decides.
  }
  return () => undefined;
}

export function releaseAnalysisMemory(): void {
  if (process.memoryUsage().arrayBuffers < WORTH_COLLECTING_BYTES) return;
  collect ??= fullCollection();
  collect();
}
