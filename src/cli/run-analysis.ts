/**
 * `closetrace [options] <inputs...>` and `closetrace -i IFACE [filter]`: analyse, print the report, copy
 * the frames of the listed connections if asked, and choose the exit code.
 */
import type { Readable } from 'node:stream';
import type { ConnectionFilterSpec } from '../batch/index.js';
import { narrowHostSections } from '../batch/filter-spec.js';
import { analyze, defaultJobs, type AnalyzeOptions } from '../batch/analyze.js';
import { extractFrames } from '../batch/extract-frames.js';
import { parseShard } from '../batch/shard.js';
import { analysisSettings } from '../batch/analysis-settings.js';
import { joinedCaptureName } from '../batch/joined-analysis.js';
import { ndjsonSummaryLine } from '../render/format-ndjson.js';
import { isListingFormat, reportTexts } from '../render/streamed-formats.js';
import { drawsCharts, showsZeekHistory } from '../render/formats.js';
import { printable } from '../render/text-width.js';
import { ListingBuilder } from '../report/listing.js';
import type { Report } from '../report/model.js';
import { RecordSpill } from '../report/record-spill.js';
import { parseHost, parsePort, parsePortRange, parsePositiveInteger, parseSeconds, parseShare, UsageError } from './cli-options.js';
import { releaseAnalysisMemory } from './analysis-memory.js';
import { growForRecords } from './young-generation.js';
import { Interrupts } from './interrupts.js';
import { startLiveCapture, type LiveCapture } from './live-capture.js';
import { LiveView } from './live-view.js';
import { EXIT_BAD_INPUT, EXIT_FINDINGS, EXIT_OK } from './exit-codes.js';
import { failOnHit } from './fail-on.js';
import { parseOutput, type OutputOptions } from './output-options.js';
import { ProgressLine } from './progress.js';
import { destinationOf, printReport, printTexts } from './report-output.js';
import { StdinSpool } from './stdin-spool.js';
import { progressWanted } from './terminal.js';

/** How long a stopped capture tool may take to end its output before reading is cut short. */
const LIVE_DRAIN_MS = 3000;

export interface AnalysisOptions extends OutputOptions {
  interface?: string;
  extract?: string;
  host?: string;
  port?: string;
  slowClose: string;
  finTimeout: string;
  grace: string;
  maxConnections: string;
  jobs?: string;
  join?: boolean;
  shard?: string;
  progress: boolean;
  sockets?: boolean;
  timeWait: string;
  tcpFinTimeout: string;
  orphanRetries: string;
  synRetries: string;
  synackRetries: string;
  portRange: string;
  timeWaitPressure: string;
}

export async function runAnalysis(args: string[], opts: AnalysisOptions): Promise<number> {
  const out = parseOutput(opts);
  const destination = destinationOf(opts.output);
  const live = opts.interface;
  const inputs = live === undefined ? args : ['-'];
  if (live === undefined && inputs.length === 0) throw new UsageError('no input: name capture files or directories, - for standard input, or -i IFACE for a live capture');
  if (live !== undefined && (opts.join === true || opts.shard !== undefined)) throw new UsageError('-i reads one live capture: --join and --shard do not apply');
  if (inputs.filter((i) => i === '-').length > 1) throw new UsageError('standard input (-) can be read only once');
  // A capture is binary: nobody types one. Waiting silently for it on a terminal looks like a hang.
  if (live === undefined && inputs.includes('-') && process.stdin.isTTY === true) {
    throw new UsageError('standard input is a terminal: pipe a capture into it (tcpdump -U -w - | closetrace -) or name a capture file');
  }
  const filter: ConnectionFilterSpec = {
    host: opts.host !== undefined ? parseHost(opts.host) : undefined,
    port: opts.port !== undefined ? parsePort(opts.port) : undefined,
    verdicts: out.listed,
    all: out.all,
    minStuckSeconds: out.minStuck,
  };
  const settings = {
    slowCloseSeconds: parseSeconds(opts.slowClose, '--slow-close'),
    finAckTimeoutSeconds: parseSeconds(opts.finTimeout, '--fin-timeout'),
    closeGraceSeconds: parseSeconds(opts.grace, '--grace'),
    maxConnections: parsePositiveInteger(opts.maxConnections, '--max-connections'),
    timeWaitSeconds: parseSeconds(opts.timeWait, '--time-wait'),
    tcpFinTimeoutSeconds: parseSeconds(opts.tcpFinTimeout, '--tcp-fin-timeout'),
    orphanRetrySeconds: parseSeconds(opts.orphanRetries, '--orphan-retries'),
    synRetrySeconds: parseSeconds(opts.synRetries, '--syn-retries'),
    synAckRetrySeconds: parseSeconds(opts.synackRetries, '--synack-retries'),
    portRange: parsePortRange(opts.portRange),
    timeWaitPressureShare: parseShare(opts.timeWaitPressure, '--time-wait-pressure'),
  };
  const jobs = opts.jobs !== undefined ? parsePositiveInteger(opts.jobs, '--jobs') : defaultJobs();
  const shard = opts.shard !== undefined ? parseShard(opts.shard) : undefined;

  const interrupts = new Interrupts();
  let capture: LiveCapture | null = null;
  let spool: StdinSpool | null = null;
  let view: LiveView | null = null;
  let spill: RecordSpill | null = null;
  try {
    // Live, Ctrl-C is how a capture ends: the tool is stopped and what it captured is read to its end
    // (reading is cut short only if it does not end its output soon). Elsewhere Ctrl-C stops reading.
    let signal = interrupts.signal;
    if (live !== undefined) {
      capture = startLiveCapture(live, args);
      const running = capture;
      const reading = new AbortController();
      signal = reading.signal;
      interrupts.onInterrupt(() => {
        running.stop();
        setTimeout(() => reading.abort(), LIVE_DRAIN_MS).unref();
      });
    }
    let stdin: Readable = capture?.stdout ?? process.stdin;
    if (opts.extract !== undefined && inputs.includes('-')) {
      spool = new StdinSpool(stdin);
      stdin = spool.stream;
    }
    if (capture !== null) {
      const title = `closetrace: live on ${printable(live ?? '')} with ${capture.tool}${args.length > 0 ? ` (${printable(args.join(' '))})` : ''}`;
      if (process.stderr.isTTY === true) view = new LiveView(process.stderr, title);
      else void capture.listening.then(() => process.stderr.write(`${title}: capturing; Ctrl-C stops and prints the report\n`));
    }
    const progress = view === null && opts.progress && progressWanted(process.stderr) ? new ProgressLine(process.stderr) : null;
    // Memory must not grow with the number of connections listed: ndjson to stdout is written as records
    // come, the other formats that list every connection keep them on disk until the end, and the table,
    // markdown and HTML reports keep only the rows and examples they show.
    const streaming = out.format === 'ndjson' && destination.file === null;
    spill = isListingFormat(out.format) && !streaming ? new RecordSpill() : null;
    const listing = isListingFormat(out.format) ? null : new ListingBuilder(out.limit, drawsCharts(out.format));
    // A record per listed connection: a larger young generation keeps them from being promoted early.
    if (isListingFormat(out.format)) growForRecords();
    const liveView = view;
    const records = spill;
    const options: AnalyzeOptions = {
      ...settings,
      sockets: opts.sockets === true,
      zeekHistory: showsZeekHistory(out.format),
      filter,
      // A live view needs onJudged, which only the calling thread can call; a live capture is one input anyway.
      jobs: live !== undefined ? 1 : jobs,
      join: opts.join === true,
      shard,
      stream: true,
      listing: listing ?? undefined,
      signal,
      stdin,
      onBatchProgress:
        progress === null && liveView === null
          ? undefined
          : (p): void => {
              progress?.update(p);
              liveView?.setFrames(p.frames);
            },
      onJudged: liveView === null ? undefined : (c): void => liveView.judged(c),
      onOpenConnections: liveView === null ? undefined : (peek): void => liveView.setPeek(peek),
      // Listed connections come as their text in the output format (rendered by whichever thread
      // analysed them): appended to the spill, or, for ndjson on stdout, written as they come.
      textFormat: isListingFormat(out.format) ? out.format : undefined,
      onConnectionText: isListingFormat(out.format)
        ? (file, stream, text): void => {
            if (records !== null) {
              records.add(file, stream, text);
              return;
            }
            progress?.clear();
            process.stdout.write(text);
          }
        : undefined,
      onCapture: (facts) => {
        releaseAnalysisMemory();
        // A live capture's read errors mean little until it is known whether the tool itself failed.
        if (facts.error !== null && capture === null) {
          progress?.clear();
          process.stderr.write(`closetrace: ${printable(facts.error)}\n`);
        }
      },
    };
    let report: Report;
    view?.start();
    try {
      report = await analyze(inputs, options);
    } finally {
      progress?.clear();
      view?.stop();
    }
    if (capture !== null) {
      const failure = await capture.failure();
      if (failure !== null && report.captures.every((c) => c.frames === 0)) {
        process.stderr.write(`closetrace: ${printable(failure)}\n`);
        return EXIT_BAD_INPUT;
      }
      for (const c of report.captures) if (c.error !== null) process.stderr.write(`closetrace: ${printable(c.error)}\n`);
    }
    // --host narrows the hosts as it narrows the connections.
    Object.assign(report, narrowHostSections(report, filter.host));
    const interrupted = interrupts.exitCode;
    if (interrupted === null && nothingRead(report)) {
      process.stderr.write(`closetrace: ${printable(nothingReadText(report, inputs))}\n`);
      return EXIT_BAD_INPUT;
    }
    for (const c of report.captures) for (const w of c.warnings) process.stderr.write(`closetrace: warning: ${printable(c.file)}: ${printable(w)}\n`);

    if (streaming) process.stdout.write(ndjsonSummaryLine(report));
    else if (spill !== null && isListingFormat(out.format)) {
      await spill.settle();
      if (!(await printTexts(reportTexts(out.format, report, spill.pieces()), destination))) return EXIT_BAD_INPUT;
    } else if (!(await printReport(report, out, destination, listing?.build()))) return EXIT_BAD_INPUT;

    let extractFailed = false;
    if (opts.extract !== undefined) extractFailed = !(await extract(opts.extract, report, settings, opts.join === true ? joinedCaptureName(inputs) : undefined, spool));
    if (interrupted !== null) return interrupted;
    if (extractFailed || report.captures.some((c) => c.error !== null)) return EXIT_BAD_INPUT;
    return out.failOn !== null && failOnHit(report, out.failOn, out.minStuck) ? EXIT_FINDINGS : EXIT_OK;
  } finally {
    spill?.remove();
    spool?.remove();
    capture?.stop();
    interrupts.dispose();
  }
}

/** No input gave a single frame: an empty directory, or only files that could not be opened or read. */
function nothingRead(report: Report): boolean {
  return report.captures.every((c) => c.error !== null && c.frames === 0);
}

function nothingReadText(report: Report, inputs: readonly string[]): string {
  const skipped = report.summary.skippedFiles ?? 0;
  if (report.captures.length === 0) {
    const where = inputs.length <= 3 ? inputs.join(', ') : `${inputs.slice(0, 3).join(', ')} ...`;
    return `no capture was read: ${where} ${inputs.length === 1 ? 'holds' : 'hold'} no capture file${skipped > 0 ? ` (${skipped} other file${skipped === 1 ? '' : 's'} skipped)` : ''}`;
  }
  const n = report.captures.length;
  return `no capture was read: ${n === 1 ? 'the input' : `all ${n} inputs`} could not be read`;
}

/** --extract: the second pass; false when it could not be written (said on stderr). */
async function extract(path: string, report: Report, settings: Parameters<typeof analysisSettings>[0], joinedName: string | undefined, spool: StdinSpool | null): Promise<boolean> {
  try {
    const result = await extractFrames(path, {
      // Only stream numbers are needed to pick frames: no records, so no Zeek replay.
      settings: analysisSettings({ ...settings, zeekHistory: false }),
      filters: report.displayFilters ?? [],
      files: report.captures.map((c) => c.file),
      joinedName,
      replacements: spool === null ? undefined : new Map([['-', spool.path]]),
    });
    for (const e of result.errors) process.stderr.write(`closetrace: --extract: ${printable(e)}\n`);
    process.stderr.write(`closetrace: wrote ${result.packets} frame${result.packets === 1 ? '' : 's'} of ${result.connections} connection${result.connections === 1 ? '' : 's'} to ${printable(path)}\n`);
    return result.errors.length === 0;
  } catch (error) {
    process.stderr.write(`closetrace: cannot write ${printable(path)}: ${(error as Error).message}\n`);
    return false;
  }
}
