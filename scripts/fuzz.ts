/**
 * Long seeded fuzzing: the mutations of the suite's fuzz test (tools/fuzz) by the ten thousand. Each
 * case is read and decoded, then analysed whole, in a worker thread the main thread watches: a case that
 * stops the worker's heartbeat for --hang-seconds is a hang, an exception that escapes or a heap that
 * overflows is a crash, and either is reported with the seed and case that reproduce it before the run
 * goes on from the next case. Every --cli-batch cases the built CLI reads those files in one child
 * process: exit 0 or 2, exactly one stderr line per file the reader rejects, never a stack trace.
 *
 *   npm run fuzz -- --cases 10000 --seed 42
 *   npm run fuzz -- --seed 42 --only 1234 --keep /tmp/case   (writes and rechecks that one case)
 *
 * Exit status 1 when anything broke, 0 otherwise.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { checkOutcome, type FuzzOutcome } from '../tools/fuzz/check.js';
import { fuzzInputs } from '../tools/fuzz/corpus.js';
import { MUTATION_KINDS, mutate, type Mutation, type ZstdEncoder } from '../tools/fuzz/mutate.js';
import { Prng } from '../tools/fuzz/prng.js';
import { readAndDecode, wholePipeline, zstdEncoders } from '../tools/fuzz/stages.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const capturesDir = join(root, 'captures');
const cliPath = join(root, 'dist', 'src', 'cli', 'bin.js');

interface WorkerSetup {
  seed: number;
  from: number;
  to: number;
  only: number | null;
  dir: string;
  /** Keep each case's file for the CLI batch (the main thread deletes it). */
  keepFiles: boolean;
}

type WorkerMessage =
  | { type: 'start'; index: number; description: string }
  | { type: 'done'; index: number; kind: string; file: string; problems: string[]; errored: boolean; heapUsed: number }
  | { type: 'finished' };

/** The seed of case `index`: each case reproduces alone, without running those before it. */
function caseSeed(seed: number, index: number): number {
  return (seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
}

/** Builds case `index` and writes its file. */
function makeCase(seed: number, index: number, dir: string, encoders: ZstdEncoder[], inputs: ReturnType<typeof fuzzInputs>) {
  const input = inputs[index % inputs.length];
  const m: Mutation = mutate(new Prng(caseSeed(seed, index)), input, encoders);
  const file = join(dir, `case-${index}-${input.name}`);
  writeFileSync(file, m.bytes);
  return { input, m, file };
}

async function workerMain(setup: WorkerSetup): Promise<void> {
  const port = parentPort;
  if (port === null) return;
  const inputs = fuzzInputs(capturesDir);
  const encoders = zstdEncoders();
  const indices = setup.only !== null ? [setup.only] : Array.from({ length: setup.to - setup.from }, (_, k) => setup.from + k);
  for (const index of indices) {
    const { input, m, file } = makeCase(setup.seed, index, setup.dir, encoders, inputs);
    port.postMessage({ type: 'start', index, description: `${input.name}: ${m.description}` } satisfies WorkerMessage);
    const problems: string[] = [];
    let errored = false;
    for (const [stage, run] of [
      ['read+decode', readAndDecode],
      ['pipeline', wholePipeline],
    ] as const) {
      let outcome: FuzzOutcome;
      try {
        outcome = await run(file);
      } catch (error) {
        problems.push(`${stage}: rejected: ${(error as Error).stack ?? String(error)}`);
        continue;
      }
      for (const p of checkOutcome(input, m, file, outcome)) problems.push(`${stage}: ${p}`);
      if (stage === 'pipeline') errored = outcome.error !== null;
    }
    if (!setup.keepFiles) rmSync(file, { force: true });
    port.postMessage({ type: 'done', index, kind: m.kind, file, problems, errored, heapUsed: process.memoryUsage().heapUsed } satisfies WorkerMessage);
  }
  port.postMessage({ type: 'finished' } satisfies WorkerMessage);
}

interface Failure {
  what: 'broken promise' | 'crash' | 'hang' | 'stack trace' | 'cli';
  cases: number[];
  detail: string;
}

interface CliFile {
  index: number;
  file: string;
  errored: boolean;
}

/** One CLI run over a batch of case files; problems found. */
function runCliBatch(batch: CliFile[], dir: string, timeoutMs: number): Promise<string[]> {
  return new Promise((resolve) => {
    const report = join(dir, `batch-${batch[0].index}.json`);
    const child = spawn(process.execPath, [cliPath, '--format', 'json', '-o', report, ...batch.map((b) => b.file)], { stdio: ['ignore', 'ignore', 'pipe'] });
    const err: Buffer[] = [];
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      rmSync(report, { force: true });
      const stderr = Buffer.concat(err).toString('utf8');
      // Warnings go to stderr too (whole, beside the report's); only error lines count here.
      const lines = stderr.split('\n').filter((l) => l.length > 0 && !l.startsWith('closetrace: warning: '));
      const problems: string[] = [];
      const expected = batch.filter((b) => b.errored);
      if (signal !== null) problems.push(`the CLI was killed by ${signal}${signal === 'SIGKILL' ? ` (no exit within ${timeoutMs / 1000} s: a hang)` : ''}`);
      else if (status !== (expected.length > 0 ? 2 : 0)) problems.push(`exit status ${status}, expected ${expected.length > 0 ? 2 : 0}`);
      if (/^\s+at .+[:(]/m.test(stderr) || /^\w*Error: /m.test(stderr)) problems.push(`stack trace on stderr: ${stderr.slice(0, 2000)}`);
      if (lines.length !== expected.length) problems.push(`${lines.length} stderr lines for ${expected.length} rejected files: ${stderr.slice(0, 2000)}`);
      for (const b of expected) {
        const n = lines.filter((l) => l.includes(`${b.file}:`)).length;
        if (n !== 1) problems.push(`case ${b.index}: ${n} stderr lines name its file`);
      }
      resolve(problems);
    });
  });
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      cases: { type: 'string', default: '10000' },
      seed: { type: 'string' },
      only: { type: 'string' },
      keep: { type: 'string' },
      'cli-batch': { type: 'string', default: '50' },
      'hang-seconds': { type: 'string', default: '30' },
      'heap-mb': { type: 'string', default: '512' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log('usage: npm run fuzz -- [--cases N] [--seed N] [--only CASE --keep DIR] [--cli-batch N (0: no CLI)] [--hang-seconds S] [--heap-mb MB]');
    return 0;
  }
  const seed = values.seed !== undefined ? Number(values.seed) >>> 0 : (Date.now() ^ (process.pid << 16)) >>> 0;
  const cases = Number(values.cases);
  const only = values.only !== undefined ? Number(values.only) : null;
  const cliBatch = only !== null ? 0 : Number(values['cli-batch']);
  const hangMs = Number(values['hang-seconds']) * 1000;
  const heapMb = Number(values['heap-mb']);
  const dir = values.keep !== undefined ? values.keep : mkdtempSync(join(tmpdir(), 'closetrace-fuzz-'));
  mkdirSync(dir, { recursive: true });
  const reproduce = (index: number): string => `npm run fuzz -- --seed ${seed} --only ${index} --keep /tmp/fuzz-case`;

  const started = Date.now();
  const failures: Failure[] = [];
  const kinds = new Map<string, number>();
  let done = 0;
  let errored = 0;
  let heapPeak = 0;
  let cliRuns = 0;
  let cliFiles = 0;
  const pendingCli: Promise<void>[] = [];
  let batch: CliFile[] = [];
  const flushBatch = (): void => {
    if (batch.length === 0) return;
    const mine = batch;
    batch = [];
    cliRuns++;
    cliFiles += mine.length;
    pendingCli.push(
      runCliBatch(mine, dir, 120_000).then((problems) => {
        for (const p of problems) failures.push({ what: /stack trace/.test(p) ? 'stack trace' : 'cli', cases: mine.map((b) => b.index), detail: p });
        if (values.keep === undefined) for (const b of mine) rmSync(b.file, { force: true });
      }),
    );
  };

  let next = only ?? 0;
  const end = only !== null ? only + 1 : cases;
  console.log(`fuzz: seed ${seed}, cases ${only !== null ? `#${only}` : `0-${cases - 1}`}, zstd encoders: ${zstdEncoders().map((e) => e.name).join(', ')}, CLI every ${cliBatch || 'never'}`);
  while (next < end) {
    const from = next;
    await new Promise<void>((resolve) => {
      let current = -1;
      let description = '';
      let lastBeat = Date.now();
      let settled = false;
      const worker = new Worker(fileURLToPath(import.meta.url), {
        workerData: { seed, from, to: end, only, dir, keepFiles: cliBatch > 0 || values.keep !== undefined } satisfies WorkerSetup,
        resourceLimits: { maxOldGenerationSizeMb: heapMb },
        stderr: false,
      });
      const finish = (resume: number): void => {
        if (settled) return;
        settled = true;
        clearInterval(watchdog);
        next = resume;
        resolve();
      };
      const watchdog = setInterval(() => {
        if (Date.now() - lastBeat < hangMs) return;
        failures.push({ what: 'hang', cases: [current], detail: `no progress for ${hangMs / 1000} s in case ${current} (${description}); reproduce: ${reproduce(current)}` });
        void worker.terminate();
        finish(current + 1);
      }, 1000);
      worker.on('message', (msg: WorkerMessage) => {
        lastBeat = Date.now();
        if (msg.type === 'start') {
          current = msg.index;
          description = msg.description;
        } else if (msg.type === 'done') {
          done++;
          kinds.set(msg.kind, (kinds.get(msg.kind) ?? 0) + 1);
          if (msg.errored) errored++;
          heapPeak = Math.max(heapPeak, msg.heapUsed);
          for (const p of msg.problems) {
            failures.push({ what: /\n\s+at /.test(p) ? 'stack trace' : 'broken promise', cases: [msg.index], detail: `case ${msg.index} (${description}): ${p}; reproduce: ${reproduce(msg.index)}` });
          }
          if (only !== null) console.log(`case ${msg.index}: ${description}\n  file: ${msg.file}\n  ${msg.problems.length === 0 ? 'behaved' : msg.problems.join('\n  ')}`);
          if (cliBatch > 0) {
            batch.push({ index: msg.index, file: msg.file, errored: msg.errored });
            if (batch.length >= cliBatch) flushBatch();
          }
          if (done % 1000 === 0) console.log(`  ${done} cases, ${failures.length} failures, ${((Date.now() - started) / 1000).toFixed(0)} s`);
          current = -1;
        } else {
          finish(end);
        }
      });
      worker.on('error', (error) => {
        const at = current >= 0 ? current : from;
        failures.push({ what: 'crash', cases: [at], detail: `case ${at} (${description}): ${error.stack ?? error}; reproduce: ${reproduce(at)}` });
        finish(at + 1);
      });
      worker.on('exit', (code) => {
        if (!settled && code !== 0) {
          const at = current >= 0 ? current : from;
          failures.push({ what: 'crash', cases: [at], detail: `worker exited with ${code} in case ${at} (${description}); reproduce: ${reproduce(at)}` });
        }
        finish(current >= 0 ? current + 1 : end);
      });
    });
  }
  flushBatch();
  await Promise.all(pendingCli);
  if (values.keep === undefined) rmSync(dir, { recursive: true, force: true });

  const seconds = (Date.now() - started) / 1000;
  const count = (what: Failure['what']): number => failures.filter((f) => f.what === what).length;
  console.log(`fuzz: seed ${seed}: ${done} cases in ${seconds.toFixed(0)} s (${MUTATION_KINDS.map((k) => `${k} ${kinds.get(k) ?? 0}`).join(', ')})`);
  console.log(`  in-process: each case read+decoded and analysed whole; ${errored} ended with an error line; worker heap peak ${(heapPeak / 2 ** 20).toFixed(0)} MB`);
  console.log(`  CLI: ${cliRuns} runs over ${cliFiles} files`);
  console.log(`  crashes ${count('crash')}, hangs ${count('hang')}, stack traces ${count('stack trace')}, broken promises ${count('broken promise')}, CLI problems ${count('cli')}`);
  for (const f of failures.slice(0, 50)) console.log(`  ${f.what}: ${f.detail}`);
  if (failures.length > 50) console.log(`  ... and ${failures.length - 50} more`);
  return failures.length === 0 ? 0 : 1;
}

if (!isMainThread) {
  await workerMain(workerData as WorkerSetup);
} else if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = await main(process.argv.slice(2));
}
