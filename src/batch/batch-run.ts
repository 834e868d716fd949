import type { Readable } from 'node:stream';
import type { OpenConnectionsPeek } from '../engine/analysis-stages.js';
import type { InputFile } from './inputs.js';
import type { CaptureFacts } from '../report/model.js';
import { entryOfJudged, newEntry, type ListingBuilder } from '../report/listing.js';
import type { ReportBuilder } from '../report/report-builder.js';
import type { ConnectionSummary } from '../verdict/judged-connection.js';
import type { ConnectionRecord } from '../verdict/types.js';
import { recordText, type ListingFormat } from '../render/streamed-formats.js';
import type { AnalysisSettings } from './analysis-settings.js';
import type { BatchProgressTracker } from './batch-progress.js';
import { failedCapture } from './capture-facts.js';
import { CaptureOrder } from './capture-order.js';
import { analyzeFile, type FileSink } from './file-analysis.js';
import type { ConnectionFilterSpec } from './filter-spec.js';
import { analyzeJoined } from './joined-analysis.js';
import { TaskQueue, type FileTask } from './task-queue.js';
import { runWorkerPool } from './worker-pool.js';

/** One run over a list of files, as analyze() has set it up. */
export interface BatchRun {
  files: readonly InputFile[];
  builder: ReportBuilder;
  settings: AnalysisSettings;
  scope: (connection: ConnectionSummary) => boolean;
  /** The filter as data, for workers (callers that filter with functions never get workers). */
  filter: ConnectionFilterSpec;
  onJudged?: (connection: ConnectionSummary) => void;
  onConnection?: (record: ConnectionRecord) => void;
  /** Listed connections as their text in `format`, instead of records (AnalyzeOptions.textFormat). */
  texts: { format: ListingFormat; onText: (file: string, stream: number, text: string) => void } | null;
  /** Records go to onConnection only, not into the report. */
  stream: boolean;
  /** Gather the listing of the table, markdown and HTML reports here instead of keeping records. */
  listing: ListingBuilder | null;
  onCapture?: (facts: CaptureFacts) => void;
  /** Per-file progress (the single-capture Progress of analyze()). */
  onFileProgress?: (index: number, rawBytesRead: number, rawSize: number, frames: number) => void;
  progress: BatchProgressTracker | null;
  onOpenConnections?: (peek: OpenConnectionsPeek, file: string) => void;
  signal?: AbortSignal;
  stdin?: Readable;
}

function keepRecord(run: BatchRun): (record: ConnectionRecord) => void {
  const texts = run.texts;
  if (texts !== null) {
    const render = recordText(texts.format);
    return (record) => texts.onText(record.file, record.stream, render(record));
  }
  return (record) => {
    if (!run.stream) run.builder.addRecord(record);
    run.onConnection?.(record);
  };
}

function fileProgress(run: BatchRun, index: number): (rawBytesRead: number, rawSize: number, frames: number) => void {
  return (rawBytesRead, rawSize, frames) => {
    run.progress?.progress(index, rawBytesRead, rawSize, frames);
    run.onFileProgress?.(index, rawBytesRead, rawSize, frames);
  };
}

function mainThreadSink(run: BatchRun): FileSink {
  const listing = run.listing;
  const scratch = newEntry();
  return {
    scope: run.scope,
    onJudged: run.onJudged,
    count: (c, record) => {
      if (!run.builder.addJudged(c)) return false;
      if (listing === null) return true;
      listing.offer(entryOfJudged(c, scratch), record);
      return false;
    },
    record: keepRecord(run),
  };
}

/** One file after another on this thread (jobs = 1, a single file, or stdin). */
export async function runInProcess(run: BatchRun): Promise<void> {
  const order = new CaptureOrder(run.builder, run.files.length, run.onCapture);
  // Files before pipes (stdin, FIFOs): a pipe may wait for its writer until Ctrl-C, and the files must
  // be in the report by then. The report keeps input order whatever the reading order.
  const indexes = run.files.map((_, i) => i);
  const readOrder = [...indexes.filter((i) => run.files[i].size >= 0 || run.files[i].error !== null), ...indexes.filter((i) => run.files[i].size < 0 && run.files[i].error === null)];
  for (const i of readOrder) {
    if (run.signal?.aborted) break;
    const facts = await analyzeOnMainThread(run, i);
    order.put(i, facts);
  }
  order.finish();
}

async function analyzeOnMainThread(run: BatchRun, index: number): Promise<CaptureFacts> {
  const input = run.files[index];
  if (input.error !== null) {
    run.progress?.done(index, 0);
    return failedCapture(input.path, input.error);
  }
  run.progress?.fileStarted(index);
  const facts = await analyzeFile(input.path, mainThreadSink(run), run.settings, {
    signal: run.signal,
    stdin: run.stdin,
    onProgress: fileProgress(run, index),
    onOpenConnections: run.onOpenConnections,
  });
  run.progress?.done(index, facts.frames);
  return facts;
}

/**
 * Files on `jobs` threads: the main thread and jobs - 1 workers, each taking the next file (largest
 * first) when free. The main thread takes its share because its own files need no hand-over: a worker's
 * records must be rebuilt here (JSON.parse), which is main-thread time in any case, unless the run
 * wants them as texts (textFormat): the worker renders those and the main thread only passes them on.
 * Stdin is read here first, since it cannot go to a worker. Each worker sends its file's figures and
 * records; they are added to the one builder as they come (sums, so order does not matter) and the
 * facts are put in input order, so the report is the same as with one thread.
 */
export async function runParallel(run: BatchRun, jobs: number): Promise<void> {
  const order = new CaptureOrder(run.builder, run.files.length, run.onCapture);
  const tasks: FileTask[] = [];
  const local: number[] = [];
  run.files.forEach((f, index) => {
    if (f.error !== null) {
      run.progress?.done(index, 0);
      order.put(index, failedCapture(f.path, f.error));
    } else if (f.size < 0) {
      // stdin or a named pipe: read here, where a signal can end the wait for a writer.
      local.push(index);
    } else {
      tasks.push({ index, path: f.path, size: f.size });
    }
  });
  const queue = new TaskQueue(tasks);
  const onAbort = (): void => queue.close();
  run.signal?.addEventListener('abort', onAbort);
  const record = keepRecord(run);
  const pool = runWorkerPool(
    queue,
    jobs - 1,
    {
      settings: run.settings,
      filter: run.filter,
      records: run.listing !== null || !run.stream || run.onConnection !== undefined || run.texts !== null,
      listLimit: run.listing?.limit ?? null,
      listCharts: run.listing?.charts ?? false,
      recordTexts: run.listing === null ? (run.texts?.format ?? null) : null,
    },
    {
      started: (index) => run.progress?.fileStarted(index),
      progress: (index, rawBytesRead, rawSize, frames) => fileProgress(run, index)(rawBytesRead, rawSize, frames),
      records: (_index, records) => {
        for (const r of records) record(r);
      },
      texts: (_index, files, streams, texts) => {
        const onText = run.texts?.onText;
        if (onText !== undefined) for (let i = 0; i < texts.length; i++) onText(files[i], streams[i], texts[i]);
      },
      done: (index, facts, partial, listing) => {
        if (partial !== null) run.builder.addPartial(partial);
        if (listing !== null) run.listing?.addPartial(listing);
        run.progress?.done(index, facts.frames);
        order.put(index, facts);
      },
    },
    run.signal,
  );
  const onThisThread = (async (): Promise<void> => {
    for (const index of local) {
      if (run.signal?.aborted) break;
      order.put(index, await analyzeOnMainThread(run, index));
    }
    for (let task = queue.take(); task !== undefined && !run.signal?.aborted; task = queue.take()) {
      order.put(task.index, await analyzeOnMainThread(run, task.index));
    }
  })();
  try {
    await Promise.all([pool, onThisThread]);
  } finally {
    run.signal?.removeEventListener('abort', onAbort);
  }
  order.finish();
}

/** All files as one capture (--join): one merged stream on this thread. */
export async function runJoined(run: BatchRun, name: string): Promise<void> {
  const order = new CaptureOrder(run.builder, run.files.length, run.onCapture);
  run.files.forEach((f, index) => {
    if (f.error !== null) run.progress?.done(index, 0);
  });
  const rows = await analyzeJoined(run.files, name, mainThreadSink(run), run.settings, {
    signal: run.signal,
    stdin: run.stdin,
    onProgress: (index, rawBytesRead, rawSize, frames) => fileProgress(run, index)(rawBytesRead, rawSize, frames),
    onInputDone: (index) => run.progress?.done(index),
  });
  rows.forEach((facts, index) => order.put(index, facts));
  order.finish();
}
