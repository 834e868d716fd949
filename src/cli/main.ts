import { Command, CommanderError, Option } from 'commander';
import { analyze, type AnalyzeOptions } from '../pipeline/analyze.js';
import { VERSION } from '../pipeline/version.js';
import type { Report } from '../report/model.js';
import { renderReport, type RenderOptions } from '../report/render.js';
import { ndjsonLine, ndjsonSummaryLine } from '../report/format-ndjson.js';
import type { ConnectionSummary } from '../verdict/judged-connection.js';
import { FINDINGS } from '../verdict/types.js';
import { writeFileAtomic } from './atomic-write.js';
import { FORMATS, type Format } from '../report/formats.js';
import {
  parseFormat,
  parsePort,
  parsePositiveInteger,
  parseSeconds,
  parseVerdicts,
  scopeFilter,
  UsageError,
} from './cli-options.js';
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

Exit codes: 0 no findings matched --fail-on, 1 findings matched --fail-on,
            2 an input could not be read, or a usage error.
Verdicts: ${[...FINDINGS].join(', ')} (findings);
          orderly, simultaneous-close, open (listed with --all).`;

interface CliOptions {
  format: string;
  output?: string;
  all?: boolean;
  verdict?: string;
  host?: string;
  port?: string;
  minStuck?: string;
  failOn?: string;
  slowClose: string;
  finTimeout: string;
  grace: string;
  maxConnections: string;
  limit: string;
  progress: boolean;
}

export async function main(argv: string[]): Promise<number> {
  const program = new Command()
    .name('closetrace')
    .description('Explain how every TCP connection in packet captures closed, and who is to blame when it did not close well.')
    .version(VERSION, '-V, --version')
    .argument('<inputs...>', 'capture files (pcap, pcapng; gzip or zstd compressed), directories, or - for stdin')
    .addOption(new Option('-f, --format <format>', `output format: ${FORMATS.join(', ')}`).default('table'))
    .option('-o, --output <file>', 'write the report to a file (atomically) instead of stdout')
    .option('-a, --all', 'list every connection, not only findings')
    .option('--verdict <list>', 'list only these verdicts (comma-separated)')
    .option('--host <ip>', 'only connections with this host on either end')
    .option('--port <n>', 'only connections with this port on either end')
    .option('--min-stuck <duration>', 'hide close-waits stuck for less than this (e.g. 30s)')
    .option('--fail-on <list>', 'exit 1 when any of these verdicts is found (comma-separated)')
    .option('--slow-close <duration>', 'a FIN this long after ACKing the peer FIN is a slow close', '1s')
    .option('--fin-timeout <duration>', 'an un-ACKed FIN this old at the end is reported without retransmissions', '1s')
    .option('--grace <duration>', 'capture time a finished connection waits for stray packets before it is judged', '5s')
    .option('--max-connections <n>', 'connections tracked at once; beyond, the longest-idle is judged early', '1000000')
    .option('--limit <n>', 'rows per verdict in table and markdown output before "... N more"', '20')
    .option('--no-progress', 'never show the progress line on stderr')
    .addHelpText('after', EXAMPLES)
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text), writeOut: (text) => process.stdout.write(text) });

  try {
    program.parse(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version exit cleanly; every real usage error is exit code 2.
      return error.exitCode === 0 ? EXIT_OK : EXIT_BAD_INPUT;
    }
    throw error;
  }
  const opts = program.opts<CliOptions>();
  const inputs = program.args;
  try {
    return await run(inputs, opts);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`closetrace: ${error.message}\n`);
      return EXIT_BAD_INPUT;
    }
    throw error;
  }
}

async function run(inputs: string[], opts: CliOptions): Promise<number> {
  const format: Format = parseFormat(opts.format);
  const listed = opts.verdict !== undefined ? new Set(parseVerdicts(opts.verdict, '--verdict')) : null;
  const failOn = opts.failOn !== undefined ? new Set(parseVerdicts(opts.failOn, '--fail-on')) : null;
  const minStuck = opts.minStuck !== undefined ? parseSeconds(opts.minStuck, '--min-stuck') : 0;
  const scope = scopeFilter(opts.host, opts.port !== undefined ? parsePort(opts.port) : undefined);
  const limit = parsePositiveInteger(opts.limit, '--limit');
  if (inputs.filter((i) => i === '-').length > 1) throw new UsageError('standard input (-) can be read only once');

  const list = (r: ConnectionSummary): boolean => {
    if (listed !== null ? !listed.has(r.verdict) : !opts.all && !FINDINGS.has(r.verdict)) return false;
    if (r.verdict === 'close-wait' && (r.stuckSeconds ?? 0) < minStuck) return false;
    return true;
  };

  // Ctrl-C while reading ends the capture and prints what was seen; a second Ctrl-C quits at once.
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = (): void => {
    if (++interrupts > 1) process.exit(130);
    controller.abort();
  };
  process.on('SIGINT', onSigint);

  const progress = opts.progress && progressWanted(process.stderr) ? new ProgressLine(process.stderr) : null;
  const streaming = format === 'ndjson' && opts.output === undefined;
  let failed = false;
  const options: AnalyzeOptions = {
    slowCloseSeconds: parseSeconds(opts.slowClose, '--slow-close'),
    finAckTimeoutSeconds: parseSeconds(opts.finTimeout, '--fin-timeout'),
    closeGraceSeconds: parseSeconds(opts.grace, '--grace'),
    maxConnections: parsePositiveInteger(opts.maxConnections, '--max-connections'),
    scope,
    list,
    // ndjson to stdout streams: records are written as verdicts are made and not kept.
    stream: streaming,
    signal: controller.signal,
    onProgress: progress === null ? undefined : (p): void => progress.update(p),
    onJudged: (c) => {
      if (failOn?.has(c.verdict) && (c.verdict !== 'close-wait' || (c.stuckSeconds ?? 0) >= minStuck)) failed = true;
    },
    onConnection: (record) => {
      if (streaming) {
        progress?.clear();
        process.stdout.write(ndjsonLine(record));
      }
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
    report = await analyze(inputs, options);
  } finally {
    progress?.clear();
    process.off('SIGINT', onSigint);
  }
  const badInput = report.captures.some((c) => c.error !== null);

  if (streaming) {
    process.stdout.write(ndjsonSummaryLine(report));
  } else {
    const render: RenderOptions = {
      color: opts.output === undefined && colourWanted(process.stdout),
      width: 100,
      limit,
      all: opts.all === true,
    };
    const text = renderReport(format, report, render);
    if (opts.output !== undefined) {
      try {
        await writeFileAtomic(opts.output, text);
      } catch (error) {
        process.stderr.write(`closetrace: cannot write ${opts.output}: ${(error as Error).message}\n`);
        return EXIT_BAD_INPUT;
      }
    } else {
      await writeStdout(text);
    }
  }
  if (badInput) return EXIT_BAD_INPUT;
  return failed ? EXIT_FINDINGS : EXIT_OK;
}

function writeStdout(text: string): Promise<void> {
  return new Promise((resolve) => {
    if (process.stdout.write(text)) resolve();
    else process.stdout.once('drain', () => resolve());
  });
}
