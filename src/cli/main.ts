import { Command, CommanderError, Option } from 'commander';
import { BatchOptionError, failOnMatched, filterPredicates, mergeReports, parseShard, readReportFile, type ConnectionFilterSpec } from '../batch/index.js';
import { DEFAULT_MAX_CONNECTIONS } from '../flow/flow-assembler.js';
import { analyze, defaultJobs, type AnalyzeOptions } from '../batch/analyze.js';
import { VERSION } from '../batch/version.js';
import { ndjsonLine, ndjsonSummaryLine } from '../render/format-ndjson.js';
import { FORMATS, type Format } from '../render/formats.js';
import { ListingBuilder, type Listing } from '../report/listing.js';
import type { Report } from '../report/model.js';
import { RecordSpill } from '../report/record-spill.js';
import { renderReport, type RenderOptions } from '../render/render.js';
import { isListingFormat, recordText, reportTexts } from '../render/streamed-formats.js';
import { FINDINGS, type Verdict } from '../verdict/types.js';
import { batched, writeFileAtomic } from './atomic-write.js';
import { parseFormat, parsePort, parsePositiveInteger, parseSeconds, parseVerdicts, UsageError } from './cli-options.js';
import { ProgressLine } from './progress.js';
import { colourWanted, progressWanted } from './terminal.js';

/** Exit codes, documented in README: 0 clean, 1 findings matched --fail-on, 2 bad input or usage. */
export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_BAD_INPUT = 2;

const EXAMPLES = `
Examples:
  closetrace capture.pcap                      findings of one capture, as a table
  closetrace --all dumps/                      every connection of every capture under dumps/
  tcpdump -U -w - port 8080 | closetrace -     live from tcpdump; Ctrl-C prints the report
  closetrace --format markdown -o ticket.md x.pcapng.gz
  closetrace --fail-on close-wait,abortive-close --min-stuck 30s cap.pcap   (exit 1 if found)
  closetrace --format json --host 10.0.0.5 --port 8080 cap.pcap | jq '.services'
  closetrace --join rotated/cap.pcap*          a rotated set (tcpdump -C/-G) as one capture
  closetrace --shard 2/8 --format json -o part2.json archive/ && closetrace merge part*.json

Exit codes: 0 no findings matched --fail-on, 1 findings matched --fail-on,
            2 an input could not be read, or a usage error.
Verdicts: ${[...FINDINGS].join(', ')} (findings);
          orderly, simultaneous-close, open (listed with --all).`;

/** Options shared by the analysis and by `merge`: what to list, how to print it, when to fail. */
interface OutputOptions {
  format: string;
  output?: string;
  all?: boolean;
  verdict?: string;
  minStuck?: string;
  failOn?: string;
  limit: string;
}

interface AnalysisOptions extends OutputOptions {
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
}

function addOutputOptions(command: Command): Command {
  return command
    .addOption(new Option('-f, --format <format>', `output format: ${FORMATS.join(', ')}`).default('table'))
    .option('-o, --output <file>', 'write the report to a file (atomically) instead of stdout')
    .option('-a, --all', 'list every connection, not only findings')
    .option('--verdict <list>', 'list only these verdicts (comma-separated)')
    .option('--min-stuck <duration>', 'hide close-waits stuck for less than this (e.g. 30s)')
    .option('--fail-on <list>', 'exit 1 when any of these verdicts is found (comma-separated)')
    .option('--limit <n>', 'rows per verdict in table and markdown output before "... N more"', '20');
}

export async function main(argv: string[]): Promise<number> {
  let outcome: Promise<number> = Promise.resolve(EXIT_OK);
  const program = addOutputOptions(
    new Command()
      .name('closetrace')
      .description('Explain how every TCP connection in packet captures closed, and who is to blame when it did not close well.')
      .version(VERSION, '-V, --version')
      .argument('<inputs...>', 'capture files (pcap, pcapng; gzip or zstd compressed), directories, or - for stdin'),
  )
    .option('--host <ip>', 'only connections with this host on either end')
    .option('--port <n>', 'only connections with this port on either end')
    .option('--slow-close <duration>', 'a FIN this long after ACKing the peer FIN is a slow close', '1s')
    .option('--fin-timeout <duration>', 'an un-ACKed FIN this old at the end is reported without retransmissions', '1s')
    .option('--grace <duration>', 'capture time a finished connection waits for stray packets before it is judged', '5s')
    .option('--max-connections <n>', 'connections tracked at once; beyond, the longest-idle is judged early', String(DEFAULT_MAX_CONNECTIONS))
    .option('-j, --jobs <n>', `files analysed in parallel on worker threads (default: the CPU count, ${defaultJobs()} here)`)
    .option('--join', 'treat all inputs as one capture merged by time (a rotated set from tcpdump -C/-G)')
    .option('--shard <I/N>', 'analyse only the I-th of N deterministic parts of the inputs (merge the reports with `merge`)')
    .option('--no-progress', 'never show the progress line on stderr')
    .addHelpText('after', EXAMPLES)
    .showHelpAfterError(false)
    // Options after `merge` belong to merge (both have --format, -o ...).
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text), writeOut: (text) => process.stdout.write(text) })
    .action((inputs: string[], opts: AnalysisOptions) => {
      outcome = guard(() => runAnalysis(inputs, opts));
    });
  addOutputOptions(
    program
      .command('merge')
      .description('combine JSON reports (from --shard runs) into the report a single run would give')
      .argument('<reports...>', 'JSON reports written with --format json'),
  )
    .exitOverride()
    .action((reports: string[], opts: OutputOptions) => {
      outcome = guard(() => runMerge(reports, opts));
    });

  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version exit cleanly; every real usage error is exit code 2.
      return error.exitCode === 0 ? EXIT_OK : EXIT_BAD_INPUT;
    }
    throw error;
  }
  return outcome;
}

/** Usage mistakes found after parsing are one line and exit code 2, like commander's own. */
async function guard(task: () => Promise<number>): Promise<number> {
  try {
    return await task();
  } catch (error) {
    if (error instanceof UsageError || error instanceof BatchOptionError) {
      process.stderr.write(`closetrace: ${error.message}\n`);
      return EXIT_BAD_INPUT;
    }
    throw error;
  }
}

interface Output {
  format: Format;
  listed: Verdict[] | undefined;
  failOn: Verdict[] | null;
  minStuck: number;
  limit: number;
}

function parseOutput(opts: OutputOptions): Output {
  return {
    format: parseFormat(opts.format),
    listed: opts.verdict !== undefined ? parseVerdicts(opts.verdict, '--verdict') : undefined,
    failOn: opts.failOn !== undefined ? parseVerdicts(opts.failOn, '--fail-on') : null,
    minStuck: opts.minStuck !== undefined ? parseSeconds(opts.minStuck, '--min-stuck') : 0,
    limit: parsePositiveInteger(opts.limit, '--limit'),
  };
}

async function runAnalysis(inputs: string[], opts: AnalysisOptions): Promise<number> {
  const out = parseOutput(opts);
  const filter: ConnectionFilterSpec = {
    host: opts.host,
    port: opts.port !== undefined ? parsePort(opts.port) : undefined,
    verdicts: out.listed,
    all: opts.all === true,
    minStuckSeconds: out.minStuck,
  };
  if (inputs.filter((i) => i === '-').length > 1) throw new UsageError('standard input (-) can be read only once');

  // Ctrl-C while reading ends the capture and prints what was seen; a second Ctrl-C quits at once.
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = (): void => {
    if (++interrupts > 1) process.exit(130);
    controller.abort();
  };
  process.on('SIGINT', onSigint);

  const progress = opts.progress && progressWanted(process.stderr) ? new ProgressLine(process.stderr) : null;
  // Memory must not grow with the number of connections listed: ndjson to stdout is written as records
  // come, the other formats that list every connection keep them on disk until the end, and the table,
  // markdown and HTML reports keep only the rows and examples they show.
  const streaming = out.format === 'ndjson' && opts.output === undefined;
  const spill = isListingFormat(out.format) && !streaming ? new RecordSpill(recordText(out.format)) : null;
  const listing = isListingFormat(out.format) ? null : new ListingBuilder(out.limit);
  const options: AnalyzeOptions = {
    slowCloseSeconds: parseSeconds(opts.slowClose, '--slow-close'),
    finAckTimeoutSeconds: parseSeconds(opts.finTimeout, '--fin-timeout'),
    closeGraceSeconds: parseSeconds(opts.grace, '--grace'),
    maxConnections: parsePositiveInteger(opts.maxConnections, '--max-connections'),
    filter,
    jobs: opts.jobs !== undefined ? parsePositiveInteger(opts.jobs, '--jobs') : defaultJobs(),
    join: opts.join === true,
    shard: opts.shard !== undefined ? parseShard(opts.shard) : undefined,
    stream: true,
    listing: listing ?? undefined,
    signal: controller.signal,
    onBatchProgress: progress === null ? undefined : (p): void => progress.update(p),
    onConnection:
      listing !== null
        ? undefined
        : (record): void => {
            if (spill !== null) {
              spill.add(record);
              return;
            }
            progress?.clear();
            process.stdout.write(ndjsonLine(record));
          },
    onCapture: (facts) => {
      if (facts.error !== null) {
        progress?.clear();
        process.stderr.write(`closetrace: ${facts.error}\n`);
      }
    },
  };
  let report: Report;
  try {
    try {
      report = await analyze(inputs, options);
    } finally {
      progress?.clear();
      process.off('SIGINT', onSigint);
    }
    if (streaming) process.stdout.write(ndjsonSummaryLine(report));
    else if (spill !== null && isListingFormat(out.format)) {
      if (!(await printTexts(reportTexts(out.format, report, spill.texts()), opts))) return EXIT_BAD_INPUT;
    } else if (!(await print(report, out, opts, listing?.build()))) return EXIT_BAD_INPUT;
  } finally {
    spill?.remove();
  }
  if (report.captures.some((c) => c.error !== null)) return EXIT_BAD_INPUT;
  return out.failOn !== null && failOnMatched(report, out.failOn, out.minStuck) ? EXIT_FINDINGS : EXIT_OK;
}

async function runMerge(paths: string[], opts: OutputOptions): Promise<number> {
  const out = parseOutput(opts);
  const reports: Report[] = [];
  for (const path of paths) {
    try {
      reports.push(await readReportFile(path));
    } catch (error) {
      process.stderr.write(`closetrace: ${(error as Error).message}\n`);
      return EXIT_BAD_INPUT;
    }
  }
  const merged = mergeReports(reports);
  // Listing options narrow what the merged report shows, as they would have in a single run.
  const { list } = filterPredicates({ verdicts: out.listed, all: opts.all === true, minStuckSeconds: out.minStuck });
  merged.connections = merged.connections.filter(list);
  if (out.format === 'ndjson' && opts.output === undefined) {
    for (const record of merged.connections) process.stdout.write(ndjsonLine(record));
    process.stdout.write(ndjsonSummaryLine(merged));
  } else if (!(await print(merged, out, opts))) {
    return EXIT_BAD_INPUT;
  }
  if (merged.captures.some((c) => c.error !== null)) return EXIT_BAD_INPUT;
  return out.failOn !== null && failOnMatched(merged, out.failOn, out.minStuck) ? EXIT_FINDINGS : EXIT_OK;
}

/** Renders the report to stdout or, atomically, to -o; false when the file could not be written. */
async function print(report: Report, out: Output, opts: OutputOptions, listing?: Listing): Promise<boolean> {
  const render: RenderOptions = {
    color: opts.output === undefined && colourWanted(process.stdout),
    width: 100,
    limit: out.limit,
    all: opts.all === true,
  };
  return printTexts([renderReport(out.format, report, render, listing)], opts);
}

/** Writes the report's text, given in pieces, to stdout or atomically to -o; false when the file could not be written. */
async function printTexts(texts: Iterable<string>, opts: OutputOptions): Promise<boolean> {
  if (opts.output === undefined) {
    for (const chunk of batched(texts)) await writeStdout(chunk);
    return true;
  }
  try {
    await writeFileAtomic(opts.output, texts);
    return true;
  } catch (error) {
    process.stderr.write(`closetrace: cannot write ${opts.output}: ${(error as Error).message}\n`);
    return false;
  }
}

function writeStdout(text: string): Promise<void> {
  return new Promise((resolve) => {
    if (process.stdout.write(text)) resolve();
    else process.stdout.once('drain', () => resolve());
  });
}
