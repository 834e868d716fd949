/**
 * `closetrace -i IFACE [BPF filter]`: runs tcpdump (or Wireshark's dumpcap) writing the capture to its
 * stdout, packet by packet, and hands that stream to the analysis as `-` would be read. closetrace does
 * not capture itself: the capture tools already have the privileges, the BPF compiler and the know-how
 * of every platform.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Readable } from 'node:stream';
import { CliError } from './cli-options.js';

export interface LiveCapture {
  /** `tcpdump` or `dumpcap`. */
  tool: string;
  /** The capture (pcap from tcpdump, pcapng from dumpcap). */
  stdout: Readable;
  /** Resolves once the tool says it is capturing (never, if it fails first). */
  listening: Promise<void>;
  /** Asks the tool to stop (it then ends its output). */
  stop(): void;
  /**
   * Resolves when the tool has exited: null when it ran and stopped as asked, else one line saying
   * why it failed (no such interface, not permitted, a bad filter), from its own message.
   */
  failure(): Promise<string | null>;
}

/** Where the tools usually live when PATH (a user's, or sudo's) lacks the sbin directories. */
const EXTRA_DIRECTORIES = ['/usr/sbin', '/sbin', '/usr/local/sbin'];

export function findTool(name: string, path = process.env.PATH ?? ''): string | null {
  for (const directory of [...path.split(delimiter).filter((d) => d !== ''), ...EXTRA_DIRECTORIES]) {
    const candidate = join(directory, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here: try the next directory.
    }
  }
  return null;
}

/** Starts tcpdump, else dumpcap; throws CliError when neither is installed. */
export function startLiveCapture(iface: string, filterWords: readonly string[]): LiveCapture {
  const filter = filterWords.join(' ');
  const tcpdump = findTool('tcpdump');
  const dumpcap = tcpdump === null ? findTool('dumpcap') : null;
  if (tcpdump === null && dumpcap === null) {
    throw new CliError('live capture (-i) needs tcpdump or dumpcap, and neither is installed (e.g. apt install tcpdump)');
  }
  // -U and --immediate-mode: each packet is written as it arrives, so the view is live; -n: no DNS.
  const args =
    tcpdump !== null
      ? ['-i', iface, '-n', '-U', '--immediate-mode', '-w', '-', ...(filter === '' ? [] : [filter])]
      : ['-i', iface, '-q', '-w', '-', ...(filter === '' ? [] : ['-f', filter])];
  const tool = tcpdump !== null ? 'tcpdump' : 'dumpcap';
  const child = spawn(tcpdump ?? (dumpcap as string), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let heard: () => void = () => undefined;
  const listening = new Promise<void>((resolve) => (heard = resolve));
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    if (stderr.length < 16384) stderr += text;
    if (/(^|: )(listening on|Capturing on) /im.test(stderr)) heard();
  });
  let stopped = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error: Error | null }>((resolve) => {
    child.on('error', (error) => resolve({ code: null, signal: null, error }));
    child.on('exit', (code, signal) => resolve({ code, signal, error: null }));
  });
  return {
    tool,
    stdout: child.stdout,
    listening,
    stop: () => {
      stopped = true;
      stopChild(child);
    },
    failure: async () => {
      const { code, signal, error } = await exited;
      if (error !== null) return `${tool} could not be started: ${error.message}`;
      if (code === 0 || (stopped && (signal !== null || code !== null))) return null;
      return `cannot capture on ${iface}: ${toolMessage(stderr, tool) ?? `${tool} exited with ${signal ?? `code ${code}`}`}`;
    },
  };
}

function stopChild(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
}

/** The tool's own explanation: its last line that is not the banner or the packet statistics. */
function toolMessage(stderr: string, tool: string): string | null {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^(listening on|Capturing on|File: -|tcpdump: verbose output suppressed)/i.test(l) && !/packets? (captured|received|dropped)/i.test(l));
  const own = lines.filter((l) => l.startsWith(`${tool}:`)).at(-1);
  if (own !== undefined) return own;
  const line = lines.at(-1);
  return line === undefined ? null : `${tool}: ${line}`;
}
