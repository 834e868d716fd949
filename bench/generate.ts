/**
 * Deterministic synthetic capture for the benchmark: a classic pcap (Ethernet; IPv4 mostly, some IPv6,
 * some VLAN-tagged) of many interleaved TCP connections with realistic handshakes, data, ACKs and a known
 * mix of closes. The same seed gives the same bytes on every run. Writing streams through one reused
 * buffer, so memory stays constant from megabytes to gigabytes of output.
 *
 *   node dist/bench/generate.js --packets 2000000 --out bench/out/bench.pcap [--seed 1] [--size 2.5GB]
 *
 * Each connection is scripted when it starts (see synthetic/scripts.ts); a heap keyed by each
 * connection's next packet time interleaves a few thousand live connections in time order. The summary
 * tells how many connections ended each way, for the benchmark to check the analysis against.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { FileSink } from '../tools/craft/index.js';
import { Generator, type BenchCaptureSummary, type GenerateOptions } from './synthetic/generator.js';

export { BENCH_CLOSE_KINDS, CLOSE_KIND_WEIGHTS, type BenchCloseKind } from './synthetic/close-kinds.js';
export { DEFAULT_PACKETS, type BenchCaptureSummary, type GenerateOptions } from './synthetic/generator.js';

/** Parses '25MB', '2.5GB', '300k', '1e6' (k/M/G are powers of 1000; KiB/MiB/GiB of 1024). */
export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?(?:e\d+)?)\s*([kmg]i?)?b?$/i.exec(text.trim());
  if (!m) throw new Error(`not a size: ${text}`);
  const unit = (m[2] ?? '').toLowerCase();
  const base = unit.endsWith('i') ? 1024 : 1000;
  const power = unit.startsWith('k') ? 1 : unit.startsWith('m') ? 2 : unit.startsWith('g') ? 3 : 0;
  return Math.round(Number(m[1]) * base ** power);
}

/** Writes the benchmark capture to `options.path` and tells what it holds. */
export async function generateBenchCapture(options: GenerateOptions): Promise<BenchCaptureSummary> {
  mkdirSync(dirname(resolve(options.path)), { recursive: true });
  const sink = FileSink.create(options.path, { bufferSize: 16 * 1024 * 1024 });
  try {
    return new Generator(sink, options).run();
  } finally {
    sink.close();
  }
}

const USAGE = `usage: node dist/bench/generate.js [--packets N | --size 25MB|2.5GB] [--out FILE] [--seed N]
       [--snaplen N] [--nanos] [--concurrency N] [--summary FILE.json]`;

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      packets: { type: 'string' },
      size: { type: 'string' },
      out: { type: 'string', default: 'bench/out/bench.pcap' },
      seed: { type: 'string', default: '1' },
      snaplen: { type: 'string' },
      nanos: { type: 'boolean', default: false },
      concurrency: { type: 'string' },
      summary: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const integer = (name: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    const n = name === 'packets' ? parseSize(text) : Number(text);
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got ${text}`);
    return n;
  };
  const started = performance.now();
  const summary = await generateBenchCapture({
    path: values.out,
    packets: integer('packets', values.packets),
    bytes: values.size === undefined ? undefined : parseSize(values.size),
    seed: integer('seed', values.seed),
    snaplen: integer('snaplen', values.snaplen),
    nanos: values.nanos,
    concurrency: integer('concurrency', values.concurrency),
  });
  const seconds = (performance.now() - started) / 1000;
  const json = JSON.stringify(summary, null, 2);
  if (values.summary) writeFileSync(values.summary, `${json}\n`);
  console.log(json);
  console.error(
    `wrote ${summary.packets} packets, ${(summary.bytes / 1e6).toFixed(1)} MB, ${summary.connections} connections ` +
      `to ${values.out} in ${seconds.toFixed(2)} s`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}
