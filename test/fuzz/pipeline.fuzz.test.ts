/**
 * Seeded fuzzing of the whole pipeline (analyzeCapture: read, decode, track, judge) on mutated captures
 * (tools/fuzz: truncation, byte flips, length fields, garbage spliced in, ranges duplicated, a mutated
 * capture gzip'd or zstd'd and cut, compressed streams with damaged bytes). Every case must resolve
 * within a timeout with at most one error line naming the file and the byte offset, keep the frames
 * before the damage, never report an internal error (a crash in a later stage), and the heap must stay
 * bounded. `npm run fuzz` runs the same mutations by the ten thousand, in a watched worker.
 *
 * Reproduce a failure with FUZZ_SEED=<seed> (printed in every message); FUZZ_CASES sets the count.
 */
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { checkOutcome, type FuzzOutcome } from '../../tools/fuzz/check.js';
import { fuzzInputs } from '../../tools/fuzz/corpus.js';
import { MUTATION_KINDS, mutate } from '../../tools/fuzz/mutate.js';
import { Prng } from '../../tools/fuzz/prng.js';
import { readAndDecode, wholePipeline, zstdEncoders } from '../../tools/fuzz/stages.js';
import { collectGarbage } from '../support/gc.js';
import { tempDir } from '../support/temp-dir.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_122);
const CASES = Number(process.env.FUZZ_CASES ?? 300);
const TIMEOUT_MS = 10_000;

const tmp = tempDir('closetrace-fuzz-');
afterAll(() => tmp.cleanup());

const capturesDir = fileURLToPath(new URL('../../captures/', import.meta.url));
const encoders = zstdEncoders();

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function fuzz(run: (file: string) => Promise<FuzzOutcome>, cases: number): Promise<void> {
  const inputs = fuzzInputs(capturesDir);
  // The clean inputs: no error, every frame read (the baseline the mutations are judged against).
  for (const input of inputs) {
    const file = tmp.write(`clean-${input.name}`, input.bytes);
    const clean = await run(file);
    expect(clean.error, input.name).toBeNull();
    expect(clean.frames, input.name).toBe(input.layout.records.filter((r) => r.frame).length);
    expect(clean.tcpSegments, input.name).toBeGreaterThan(0);
  }

  const rng = new Prng(SEED);
  collectGarbage();
  const heapBefore = process.memoryUsage().heapUsed;
  const buffersBefore = process.memoryUsage().arrayBuffers;
  let heapPeak = heapBefore;
  const kinds = new Map<string, number>();
  for (let i = 0; i < cases; i++) {
    const input = inputs[i % inputs.length];
    const m = mutate(rng, input, encoders);
    kinds.set(m.kind, (kinds.get(m.kind) ?? 0) + 1);
    const file = tmp.write(`case-${i}-${input.name}`, m.bytes);
    const where = `FUZZ_SEED=${SEED} case ${i} (${input.name}: ${m.description})`;

    let outcome: FuzzOutcome;
    try {
      outcome = await withTimeout(run(file), TIMEOUT_MS, where);
    } catch (error) {
      throw new Error(`${where}: rejected or hung: ${(error as Error).stack ?? error}`);
    }
    rmSync(file);
    expect(checkOutcome(input, m, file, outcome), where).toEqual([]);
    if (i % 20 === 0) heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
  }
  heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
  const mb = (n: number): string => (n / 2 ** 20).toFixed(1);
  // Peak while running (garbage included), and what stays after a full collection (a leak).
  expect((heapPeak - heapBefore) / 2 ** 20, `FUZZ_SEED=${SEED}: heap peak +${mb(heapPeak - heapBefore)} MB`).toBeLessThan(200);
  collectGarbage();
  const growth = process.memoryUsage().heapUsed - heapBefore;
  const buffers = process.memoryUsage().arrayBuffers - buffersBefore;
  expect(growth / 2 ** 20, `FUZZ_SEED=${SEED}: heap retained ${mb(growth)} MB after ${cases} cases`).toBeLessThan(200);
  expect(buffers / 2 ** 20, `FUZZ_SEED=${SEED}: array buffers retained ${mb(buffers)} MB after ${cases} cases`).toBeLessThan(200);
  // Every kind of mutation was exercised.
  for (const k of MUTATION_KINDS) {
    expect(kinds.get(k) ?? 0, `FUZZ_SEED=${SEED}: mutations of kind ${k}`).toBeGreaterThan(Math.floor(cases / 30));
  }
}

describe(`capture fuzz (FUZZ_SEED=${SEED}, ${CASES} cases per stage set)`, () => {
  it('reading and decoding: every mutated capture resolves with a one-line error and keeps the frames before the damage', () => fuzz(readAndDecode, CASES));
  it('whole pipeline (analyzeCapture): the same cases', () => fuzz(wholePipeline, CASES));
});
