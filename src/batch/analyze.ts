import { availableParallelism } from 'node:os';
import type { Readable } from 'node:stream';
import { analysisSettings, type SocketOptions } from './analysis-settings.js';
import { BatchProgressTracker, type BatchProgress } from './batch-progress.js';
import { runInProcess, runJoined, runParallel, type BatchRun } from './batch-run.js';
import { BatchOptionError } from './errors.js';
import { checkFilterSpec, filterPredicates, narrowHostSections, type ConnectionFilterSpec } from './filter-spec.js';
import { joinedCaptureName } from './joined-analysis.js';
import { checkOptionValues } from './option-check.js';
import { checkShard, inShard, type ShardSpec } from './shard.js';
import { ListingBuilder } from '../report/listing.js';
import type { CaptureFacts, Report } from '../report/model.js';
import { ReportBuilder } from '../report/report-builder.js';
import type { OpenConnectionsPeek } from '../engine/analysis-stages.js';
import type { ConnectionSummary } from '../verdict/judged-connection.js';
import type { ConnectionRecord } from '../verdict/types.js';
import type { ListingFormat } from '../render/streamed-formats.js';
import { expandInputs, type InputFile } from './inputs.js';
import { VERSION } from './version.js';
import { idleCores, planWorkers, type WorkerPolicy } from './worker-plan.js';

export { failedCapture } from './capture-facts.js';

export interface AnalyzeOptions extends SocketOptions {
  /** A FIN this many seconds after ACKing the peer's FIN makes a slow close (default 1). */
  slowCloseSeconds?: number;
  /** An un-ACKed FIN this old at the end is reported even without retransmissions (default 1). */
  finAckTimeoutSeconds?: number;
  /** Most connections tracked at once (default DEFAULT_MAX_CONNECTIONS, 200,000); beyond, the longest-idle is judged early. */
  maxConnections?: number;
  /** Capture-time seconds a finished connection waits for stragglers (default 10). */
  closeGraceSeconds?: number;
  /**
   * Replay Zeek's endpoint model to give each record Zeek's conn.log `history` and `conn_state` (default
   * true). It costs about a seventh of the analysis; with false both are null in records.
   */
  zeekHistory?: boolean;
  /** Keep every connection in `connections`, not only findings. */
  all?: boolean;
  /**
   * Scope and listing as data (--host, --port, --verdict, --all, --min-stuck): works on worker threads,
   * unlike `scope`/`list`. Give either this or those functions.
   */
  filter?: ConnectionFilterSpec;
  /** Which connections count at all (scope: summary, services, connections). Default: all. Only with jobs 1. */
  scope?: (connection: ConnectionSummary) => boolean;
  /** Which in-scope connections are listed in `connections` (overrides `all`). Only with jobs 1. */
  list?: (connection: ConnectionSummary) => boolean;
  /**
   * Called with every in-scope connection as soon as it is judged, before any record is made. Only with
   * jobs 1 (worker threads cannot call it); for --fail-on use failOnMatched() on the report. The object
   * is reused for the next connection: read it during the call, copy what you keep.
   */
  onJudged?: (connection: ConnectionSummary) => void;
  /**
   * Called with the record of every listed connection as soon as it is judged (streaming). With jobs > 1
   * records come in batches from the workers, files interleaved in the order they are read.
   */
  onConnection?: (record: ConnectionRecord) => void;
  /**
   * With onConnectionText: every listed connection is delivered as its text in this format instead of
   * as a record (what the command line writes for it: a JSON `connections` element indented as in the
   * report, an ndjson line, a CSV row, a Zeek conn.log row), with its file and stream, the report's
   * sort key. Worker threads render the texts themselves, so the calling thread rebuilds no record from
   * them. Implies `stream` (`connections` stays empty); not with `onConnection` or `listing`.
   */
  textFormat?: ListingFormat;
  onConnectionText?: (file: string, stream: number, text: string) => void;
  /** Build records for listed connections but do not keep them in the report (ndjson streaming). */
  stream?: boolean;
  /**
   * Gather what the table, markdown and HTML reports show (per verdict the first rows, examples, chart
   * figures) into this builder, making records only for connections that may be shown; `connections`
   * stays empty. Memory then does not grow with the number of findings. Render with its build().
   */
  listing?: ListingBuilder;
  /** Called when a capture has been read, in input order whatever `jobs` is. */
  onCapture?: (facts: CaptureFacts) => void;
  /** Progress of each file being read (with jobs > 1, several files interleave). */
  onProgress?: (progress: Progress) => void;
  /** Progress of the whole batch: files and bytes done of the total, rate, ETA, the files being read. */
  onBatchProgress?: (progress: BatchProgress) => void;
  /**
   * Called when a capture read on the calling thread (stdin, a pipe, or any file with jobs 1) starts, with
   * a function that visits its connections still open, each judged as if the capture ended at its latest
   * packet (a live view: which are in CLOSE_WAIT now). Call it between reads, as often as you like; the
   * objects it hands out are reused, as with onJudged.
   */
  onOpenConnections?: (peek: OpenConnectionsPeek, file: string) => void;
  /**
   * Stops reading at the next packet (workers: at their next buffer); the report covers what was read
   * and has `partial: true`.
   */
  signal?: AbortSignal;
  /** What `-` reads (process.stdin by default). */
  stdin?: Readable;
  /**
   * Most files analysed at once (default 1: everything on the calling thread): the calling thread and
   * up to jobs - 1 worker threads each take the next file, largest first. How many workers start is
   * decided from the number and sizes of the files (see workerPolicy). The report is the same for any
   * value. Stdin is always read on the calling thread; with `join` the files are one merged stream and
   * this is ignored.
   */
  jobs?: number;
  /**
   * 'auto' (default): start a worker only where the file sizes say the batch finishes sooner with it (a
   * worker costs about half a second to start and warm up, and analyses sharing the cores slow each
   * other), so a batch is never slower than with one job. 'all': start jobs - 1 workers whenever there
   * are two files or more (the worker path whatever the sizes, e.g. for tests).
   */
  workerPolicy?: WorkerPolicy;
  /**
   * Treat all inputs as ONE capture (a rotated set): frames merged by timestamp as mergecap does, one
   * connection across files, frame numbers of the merged order, and `sources` on each record naming the
   * file and frame in it (see JoinedConnectionRecord). `captures` keeps a row per file.
   */
  join?: boolean;
  /**
   * Analyse only part `index` of `count` (1-based) of the files, chosen by FNV-1a of each file's path
   * below the input that found it (InputFile.shardKey, see inShard()); combine the parts' JSON reports
   * with mergeReports().
   */
  shard?: ShardSpec;
}

/** The command line's default for --jobs: the number of CPUs this process may use. */
export function defaultJobs(): number {
  return availableParallelism();
}

export interface Progress {
  file: string;
  fileIndex: number;
  files: number;
  rawBytesRead: number;
  rawSize: number;
  frames: number;
}

/**
 * Analyses captures (files, directories walked for captures, or `-` for stdin) and returns the report:
 * the same object `closetrace --format json` prints. Bad inputs become captures with an `error`; the
 * analysis goes on with the others. Throws BatchOptionError (one line) for options that cannot work
 * together.
 */
export async function analyze(inputs: string | string[], options: AnalyzeOptions = {}): Promise<Report> {
  const list = Array.isArray(inputs) ? inputs : [inputs];
  if (!list.every((i) => typeof i === 'string')) throw new BatchOptionError('inputs must be paths (strings) or "-"');
  const jobs = checkOptions(list, options);
  const predicates = options.filter !== undefined ? filterPredicates(options.filter) : null;
  const scope = predicates?.scope ?? options.scope ?? ((): boolean => true);
  const listed = predicates?.list ?? options.list ?? (options.all ? (): boolean => true : undefined);
  const builder = new ReportBuilder(VERSION, listed, { hidden: predicates?.hidden, rotatedSets: options.join !== true });
  const expanded = await expandInputs(list);
  let files: InputFile[] = expanded.files;
  let skipped = expanded.skipped;
  if (options.shard !== undefined) {
    const shard = options.shard;
    files = files.filter((f) => inShard(f.shardKey, shard));
    skipped = expanded.skippedKeys.filter((key) => inShard(key, shard)).length;
  }
  builder.setSkippedFiles(skipped);
  const onProgress = options.onProgress;
  const run: BatchRun = {
    files,
    builder,
    settings: analysisSettings(options),
    scope,
    // Functions cannot go to workers; checkOptions() has made sure there are none when jobs > 1.
    filter: options.filter ?? { all: options.all },
    onJudged: options.onJudged,
    onConnection: options.onConnection,
    texts: options.textFormat !== undefined && options.onConnectionText !== undefined ? { format: options.textFormat, onText: options.onConnectionText } : null,
    stream: options.stream === true || options.listing !== undefined || options.textFormat !== undefined,
    listing: options.listing ?? null,
    onCapture: options.onCapture,
    onFileProgress:
      onProgress === undefined
        ? undefined
        : (index, rawBytesRead, rawSize, frames): void => onProgress({ file: files[index].path, fileIndex: index, files: files.length, rawBytesRead, rawSize, frames }),
    progress: options.onBatchProgress === undefined ? null : new BatchProgressTracker(files, options.onBatchProgress),
    onOpenConnections: options.onOpenConnections,
    signal: options.signal,
    stdin: options.stdin,
  };
  // Pipes (stdin, a FIFO named on the command line) are read on this thread, where a signal can end a
  // wait for a writer; only regular files go to workers, as many as their sizes make worth it.
  const workerSizes = files.filter((f) => f.error === null && f.size >= 0).map((f) => f.size);
  const workers = jobs > 1 && workerSizes.length > 1 && !options.join ? await workersFor(workerSizes, jobs, options.workerPolicy ?? 'auto') : 0;
  if (options.join) await runJoined(run, joinedCaptureName(list));
  else if (workers > 0) await runParallel(run, workers + 1);
  else await runInProcess(run);
  builder.setPartial(options.signal?.aborted === true);
  const report = builder.build();
  // --host (filter.host) narrows the host sections as it narrows connections.
  return options.filter?.host === undefined ? report : { ...report, ...narrowHostSections(report, options.filter.host) };
}

/**
 * Workers to start: planned from the sizes for the machine's cores, then, when that would start any,
 * again for the cores idle right now (a busy machine gives a worker no core of its own).
 */
async function workersFor(sizes: number[], jobs: number, policy: WorkerPolicy): Promise<number> {
  const cores = availableParallelism();
  const planned = planWorkers(sizes, jobs, policy, cores);
  if (planned === 0 || policy === 'all') return planned;
  return planWorkers(sizes, jobs, policy, Math.min(cores, await idleCores()));
}

/** Rejects combinations that cannot work, in one line; returns the job count. */
function checkOptions(inputs: string[], options: AnalyzeOptions): number {
  checkOptionValues(options);
  if (options.listing !== undefined && !(options.listing instanceof ListingBuilder)) throw new BatchOptionError('option listing: must be a ListingBuilder');
  const jobs = options.jobs ?? 1;
  if (!Number.isSafeInteger(jobs) || jobs < 1) throw new BatchOptionError(`jobs must be a whole number of at least 1, not ${jobs}`);
  if (options.filter !== undefined) {
    if (options.scope !== undefined || options.list !== undefined) throw new BatchOptionError('give the filter either as data (filter) or as functions (scope, list), not both');
    checkFilterSpec(options.filter);
  }
  if (jobs > 1 && !options.join && (options.scope !== undefined || options.list !== undefined || options.onJudged !== undefined)) {
    throw new BatchOptionError('scope, list and onJudged are functions, which worker threads cannot run: with jobs > 1 give the filter as data (filter) and use failOnMatched() on the report');
  }
  if ((options.textFormat === undefined) !== (options.onConnectionText === undefined)) throw new BatchOptionError('textFormat and onConnectionText go together: the texts need a format and somewhere to go');
  if (options.textFormat !== undefined && (options.onConnection !== undefined || options.listing !== undefined)) {
    throw new BatchOptionError('textFormat delivers listed connections as texts: not with onConnection or listing');
  }
  if (options.workerPolicy !== undefined && options.workerPolicy !== 'auto' && options.workerPolicy !== 'all') {
    throw new BatchOptionError(`workerPolicy must be 'auto' or 'all', not ${String(options.workerPolicy)}`);
  }
  if (inputs.filter((i) => i === '-').length > 1) throw new BatchOptionError('standard input (-) can be read only once');
  if (options.shard !== undefined) {
    checkShard(options.shard);
    if (options.join) throw new BatchOptionError('a joined capture cannot be sharded: --join reads all inputs as one capture');
    if (inputs.includes('-')) throw new BatchOptionError('standard input (-) cannot be sharded');
  }
  return jobs;
}
