/**
 * Parallel batch speed-up: scans a directory of several large synthetic captures with 1 job (everything
 * on the main thread) and with N worker threads, each run in a fresh process, alternating so that load
 * from anything else on the machine falls on both alike. Prints wall and CPU time per run, the best and
 * median speed-up, and checks that every run printed the same report.
 *
 *   node dist/bench/parallel.js [--files 4] [--packets 1000000] [--jobs 2] [--repeat 5] [--list table|findings|none]
 *                               [--policy auto|all]
 *
 * --policy auto (the default, what the command line does) lets the batch decide from the file sizes
 * how many workers to start (none for small batches); --policy all starts jobs - 1 whatever the sizes.
 *
 * --list table (the default) is what `closetrace <dir>` does: the table report, whose listing (the
 * first rows per verdict, examples, chart figures) each worker gathers for its files and hands over
 * with them. --list findings keeps every finding's record in the report object (the library's
 * analyze() without options): with jobs > 1 the records of files read by workers are handed to the
 * main thread as JSON and rebuilt there, which the single-threaded run does not pay. --list none counts
 * connections without listing any, which shows how the analysis itself scales.
 *
 * The captures are made once with generateBenchCapture (seeds 1..files) in bench/out/parallel/ and
 * reused while they exist.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { analyze } from '../src/batch/analyze.js';
import type { WorkerPolicy } from '../src/batch/worker-plan.js';
import { ListingBuilder } from '../src/report/listing.js';
import { renderReport } from '../src/render/render.js';
import { generateBenchCapture } from './generate.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const outDir = join(here, '..', '..', 'bench', 'out', 'parallel');

interface RunResult {
  jobs: number;
  seconds: number;
  /** User + system CPU of the whole process (main thread and workers). */
  cpuSeconds: number;
  frames: number;
  connections: number;
  /** sha256 of the report's JSON: equal for every job count. */
  digest: string;
}

/** One measured run, in this (child) process. */
async function measureOnce(directory: string, jobs: number, list: string, policy: WorkerPolicy): Promise<RunResult> {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const listing = list === 'table' ? new ListingBuilder(20) : undefined;
  const report = await analyze([directory], { jobs, workerPolicy: policy, filter: list === 'none' ? { verdicts: [] } : {}, listing });
  const text = listing === undefined ? JSON.stringify(report) : renderReport('table', report, { color: false, width: 100, limit: 20, all: false }, listing.build());
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const frames = report.captures.reduce((n, c) => n + c.frames, 0);
  const digest = createHash('sha256').update(text).digest('hex');
  return { jobs, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, frames, connections: report.summary.connections, digest };
}

function runChild(directory: string, jobs: number, list: string, policy: WorkerPolicy): RunResult {
  const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--measure', directory, '--jobs', String(jobs), '--list', list, '--policy', policy], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out.trim().split('\n').pop() as string) as RunResult;
}

async function ensureCaptures(files: number, packets: number): Promise<string> {
  const dir = join(outDir, `${files}x${packets}`);
  mkdirSync(dir, { recursive: true });
  for (let i = 1; i <= files; i++) {
    const path = join(dir, `part-${String(i).padStart(2, '0')}.pcap`);
    if (existsSync(path)) continue;
    process.stderr.write(`generating ${path} ...\n`);
    await generateBenchCapture({ path, packets, seed: i });
  }
  return dir;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      files: { type: 'string', default: '4' },
      packets: { type: 'string', default: '1000000' },
      jobs: { type: 'string', default: String(Math.max(2, availableParallelism())) },
      repeat: { type: 'string', default: '5' },
      list: { type: 'string', default: 'table' },
      measure: { type: 'string' },
      policy: { type: 'string', default: 'auto' },
    },
  });
  if (values.measure !== undefined) {
    console.log(JSON.stringify(await measureOnce(values.measure, Number(values.jobs), values.list, values.policy as WorkerPolicy)));
    return;
  }
  const files = Number(values.files);
  const packets = Number(values.packets);
  const jobs = Number(values.jobs);
  const repeat = Math.max(1, Number(values.repeat));
  const list = values.list;
  if (list !== 'table' && list !== 'findings' && list !== 'none') throw new Error(`--list must be table, findings or none, not ${list}`);
  const policy = values.policy as WorkerPolicy;
  if (policy !== 'auto' && policy !== 'all') throw new Error(`--policy must be auto or all, not ${policy}`);
  const dir = await ensureCaptures(files, packets);
  process.stderr.write(`${files} captures of ${packets} packets in ${dir}; ${cpus().length} CPUs (${availableParallelism()} available); listing ${list}\n`);
  const one: RunResult[] = [];
  const many: RunResult[] = [];
  for (let r = 0; r < repeat; r++) {
    // Alternate which goes first, so a load that comes and goes falls on both alike.
    if (r % 2 === 0) {
      one.push(runChild(dir, 1, list, policy));
      many.push(runChild(dir, jobs, list, policy));
    } else {
      many.push(runChild(dir, jobs, list, policy));
      one.push(runChild(dir, 1, list, policy));
    }
    process.stderr.write(`  run ${r + 1}: jobs=1 ${one[r].seconds.toFixed(2)} s (cpu ${one[r].cpuSeconds.toFixed(2)} s), jobs=${jobs} ${many[r].seconds.toFixed(2)} s (cpu ${many[r].cpuSeconds.toFixed(2)} s)\n`);
  }
  const digests = new Set([...one, ...many].map((r) => r.digest));
  const best1 = Math.min(...one.map((r) => r.seconds));
  const bestN = Math.min(...many.map((r) => r.seconds));
  const med1 = median(one.map((r) => r.seconds));
  const medN = median(many.map((r) => r.seconds));
  const frames = one[0].frames;
  console.log(`| jobs | best wall | median wall | median CPU | frames/s (best) |`);
  console.log(`| ---: | ---: | ---: | ---: | ---: |`);
  console.log(`| 1 | ${best1.toFixed(2)} s | ${med1.toFixed(2)} s | ${median(one.map((r) => r.cpuSeconds)).toFixed(2)} s | ${(frames / best1 / 1e6).toFixed(2)} M |`);
  console.log(`| ${jobs} | ${bestN.toFixed(2)} s | ${medN.toFixed(2)} s | ${median(many.map((r) => r.cpuSeconds)).toFixed(2)} s | ${(frames / bestN / 1e6).toFixed(2)} M |`);
  console.log(
    `speed-up with ${jobs} jobs (listing ${list}, policy ${policy}): ${(best1 / bestN).toFixed(2)}x best-of-${repeat}, ${(med1 / medN).toFixed(2)}x median ` +
      `(${files} files, ${frames} frames, ${one[0].connections} connections)`,
  );
  console.log(digests.size === 1 ? 'reports identical for every run' : `REPORTS DIFFER between runs (${digests.size} distinct)`);
  if (digests.size !== 1) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
