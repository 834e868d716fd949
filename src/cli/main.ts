import { Command, CommanderError, Option } from 'commander';
import { BatchOptionError, displayFiltersOf, filterPredicates, mergeReports, readReportFile } from '../batch/index.js';
import { DEFAULT_MAX_CONNECTIONS } from '../flow/flow-assembler.js';
import { DEFAULT_SOCKET_SETTINGS } from '../sockets/socket-table.js';
import { LINUX_TIMERS } from '../sockets/socket-timers.js';
import { defaultJobs } from '../batch/analyze.js';
import { VERSION } from '../batch/version.js';
import { ndjsonLine, ndjsonSummaryLine } from '../render/format-ndjson.js';
import { FORMATS } from '../render/formats.js';
import type { Report } from '../report/model.js';
import { FINDINGS } from '../verdict/types.js';
import { CliError, UsageError } from './cli-options.js';
import { EXIT_BAD_INPUT, EXIT_FINDINGS, EXIT_OK } from './exit-codes.js';
import { failOnHit } from './fail-on.js';
import { DEFAULT_MARKDOWN_BUDGET, parseOutput, type OutputOptions } from './output-options.js';
import { destinationOf, printReport } from './report-output.js';
import { runAnalysis, type AnalysisOptions } from './run-analysis.js';

export { EXIT_BAD_INPUT, EXIT_FINDINGS, EXIT_OK } from './exit-codes.js';

const EXAMPLES = `
Examples:
  closetrace capture.pcap                      findings of one capture, as a table
  closetrace --all dumps/                      every connection of every capture under dumps/
  tcpdump -U -w - port 8080 | closetrace -     live from tcpdump; Ctrl-C prints the report
  sudo closetrace -i eth0 tcp port 8080        live capture: CLOSE_WAIT now; Ctrl-C for the report
  closetrace -o ticket.md x.pcapng.gz          the format follows the extension (.md .html .json ...)
  closetrace --extract findings.pcapng cap.pcap   the frames of every finding, for Wireshark
  closetrace --fail-on close-wait,abortive-close --min-stuck 30s cap.pcap   (exit 1 if found)
  closetrace --sockets --host 10.0.0.5 cap.pcap   what ss -tan on 10.0.0.5 would have shown
  closetrace --port-range "$(sysctl -n net.ipv4.ip_local_port_range)" --fail-on time-wait-pressure cap.pcap
  closetrace --format json --host 10.0.0.0/8 --port 8080 cap.pcap | jq '.services'
  closetrace --format zeek --all -o conn.log cap.pcap     a Zeek conn.log with the verdicts
  closetrace --join rotated/cap.pcap*          a rotated set (tcpdump -C/-G) as one capture
  closetrace --shard 2/8 --format json -o part2.json archive/ && closetrace merge part*.json

Exit codes: 0 no findings matched --fail-on, 1 findings matched --fail-on,
            2 an input could not be read, no capture was read, or a usage error,
            130 (143) interrupted by Ctrl-C (SIGTERM): the report covers what was read.
Verdicts: ${[...FINDINGS].join(', ')} (findings);
          the others are listed with --all. Host findings: time-wait-pressure.`;

function addOutputOptions(command: Command): Command {
  return command
    .addOption(new Option('-f, --format <format>', `output format: ${FORMATS.join(', ')} (default: from the -o file's extension, else table)`))
    .option('-o, --output <file>', 'write the report to a file (atomically) instead of stdout; - is stdout')
    .option('-a, --all', 'list every connection, not only findings')
    .option('--verdict <list>', 'list only these verdicts (comma-separated)')
    .option('--min-stuck <duration>', 'hide close-waits stuck for less than this (e.g. 30s)')
    .option('--fail-on <list>', 'exit 1 when any of these verdicts (or time-wait-pressure) is found (comma-separated)')
    .option('--limit <n>', 'rows per verdict in table, markdown and HTML output before "... N more"', '20')
    .option('--markdown-budget <chars>', 'most characters of the markdown report (0: no limit); beyond, details are left out and it says so', String(DEFAULT_MARKDOWN_BUDGET));
}

/** commander's messages in our form: `closetrace: ...` and where to find the usage. */
function usageMessage(text: string, command: string): string {
  const message = text.trim().replace(/^error: /, '');
  return `closetrace: ${message}\nTry '${command} --help' for more information.\n`;
}

export async function main(argv: string[]): Promise<number> {
  let outcome: Promise<number> = Promise.resolve(EXIT_OK);
  const program = addOutputOptions(
    new Command()
      .name('closetrace')
      .description('Explain how every TCP connection in packet captures closed, and who is to blame when it did not close well.')
      .version(VERSION, '-V, --version')
      .argument('[inputs...]', 'capture files (pcap, pcapng; gzip or zstd compressed), directories, or - for stdin; with -i, a BPF filter'),
  )
    .option('-i, --interface <iface>', 'capture live on this interface with tcpdump (or dumpcap); Ctrl-C prints the report')
    .option('--extract <file>', 'also write every frame of the listed connections into this pcapng capture')
    .option('--host <ip>', 'only connections with an end in this IP address or CIDR prefix (10.0.0.5, 10.0.0.0/8, 2001:db8::/32)')
    .option('--port <n>', 'only connections with this port on either end')
    .option('--slow-close <duration>', 'a FIN this long after ACKing the peer FIN is a slow close', '1s')
    .option('--fin-timeout <duration>', 'an un-ACKed FIN this old at the end is reported without retransmissions', '1s')
    .option('--grace <duration>', 'capture time a finished connection waits for stray packets before it is judged', '5s')
    .option('--max-connections <n>', 'connections tracked at once; beyond, the longest-idle is judged early', String(DEFAULT_MAX_CONNECTIONS))
    .option('--sockets', 'list every socket each host held at the end of the capture, as ss -tan would')
    .option('--time-wait <duration>', 'how long a socket stays in TIME_WAIT (a constant in Linux)', `${LINUX_TIMERS.timeWaitSeconds}s`)
    .option('--tcp-fin-timeout <duration>', 'how long an orphaned FIN_WAIT_2 socket lives (net.ipv4.tcp_fin_timeout)', `${LINUX_TIMERS.tcpFinTimeoutSeconds}s`)
    .option('--orphan-retries <duration>', 'how long a closed socket retries an unanswered FIN before it is dropped (tcp_orphan_retries 0: 8 tries)', `${LINUX_TIMERS.orphanRetrySeconds}s`)
    .option('--syn-retries <duration>', 'how long SYN_SENT retries before connect() fails (tcp_syn_retries 6)', `${LINUX_TIMERS.synRetrySeconds}s`)
    .option('--synack-retries <duration>', 'how long SYN_RECEIVED retries its SYN/ACK (tcp_synack_retries 5)', `${LINUX_TIMERS.synAckRetrySeconds}s`)
    .option('--port-range <low-high>', "the clients' ephemeral port range (net.ipv4.ip_local_port_range)", DEFAULT_SOCKET_SETTINGS.portRange.join('-'))
    .option('--time-wait-pressure <share>', 'time-wait-pressure when TIME_WAIT sockets to one ip:port hold this share of the port range', String(DEFAULT_SOCKET_SETTINGS.pressureShare))
    .option('-j, --jobs <n>', `files analysed in parallel on worker threads (default: the CPU count, ${defaultJobs()} here)`)
    .option('--join', 'treat all inputs as one capture merged by time (a rotated set from tcpdump -C/-G)')
    .option('--shard <I/N>', 'analyse only the I-th of N deterministic parts of the inputs (merge the reports with `merge`)')
    .option('--no-progress', 'never show the progress line on stderr')
    .addHelpText('after', EXAMPLES)
    .showHelpAfterError(false)
    // Options after `merge` belong to merge (both have --format, -o ...).
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({
      writeErr: (text) => process.stderr.write(text),
      writeOut: (text) => process.stdout.write(text),
      outputError: (text, write) => write(usageMessage(text, 'closetrace')),
    })
    .action((inputs: string[], opts: AnalysisOptions) => {
      outcome = guard(() => runAnalysis(inputs, opts), 'closetrace');
    });
  addOutputOptions(
    program
      .command('merge')
      .description('combine JSON reports (from --shard runs) into the report a single run would give')
      .argument('<reports...>', 'JSON reports written with --format json'),
  )
    .exitOverride()
    .configureOutput({
      writeErr: (text) => process.stderr.write(text),
      writeOut: (text) => process.stdout.write(text),
      outputError: (text, write) => write(usageMessage(text, 'closetrace merge')),
    })
    .action((reports: string[], opts: OutputOptions) => {
      outcome = guard(() => runMerge(reports, opts), 'closetrace merge');
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

/** Usage mistakes found after parsing are reported like commander's own: one line, a hint, exit code 2. */
async function guard(task: () => Promise<number>, command: string): Promise<number> {
  try {
    return await task();
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(usageMessage(error.message, command));
      return EXIT_BAD_INPUT;
    }
    if (error instanceof BatchOptionError || error instanceof CliError) {
      process.stderr.write(`closetrace: ${error.message}\n`);
      return EXIT_BAD_INPUT;
    }
    throw error;
  }
}

async function runMerge(paths: string[], opts: OutputOptions): Promise<number> {
  const out = parseOutput(opts);
  const destination = destinationOf(opts.output);
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
  const { list, hidden } = filterPredicates({ verdicts: out.listed, all: out.all, minStuckSeconds: out.minStuck });
  merged.summary.hiddenByMinStuck = (merged.summary.hiddenByMinStuck ?? 0) + merged.connections.filter(hidden).length;
  merged.connections = merged.connections.filter(list);
  merged.displayFilters = displayFiltersOf(merged.captures, merged.connections);
  if (out.format === 'ndjson' && destination.file === null) {
    for (const record of merged.connections) process.stdout.write(ndjsonLine(record));
    process.stdout.write(ndjsonSummaryLine(merged));
  } else if (!(await printReport(merged, out, destination))) {
    return EXIT_BAD_INPUT;
  }
  if (merged.captures.some((c) => c.error !== null)) return EXIT_BAD_INPUT;
  return out.failOn !== null && failOnHit(merged, out.failOn, out.minStuck) ? EXIT_FINDINGS : EXIT_OK;
}
