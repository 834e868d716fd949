/**
 * What the fuzzers run on each mutated capture, and the zstd encoders they mutate with: shared by the
 * seeded test in the suite (test/fuzz/pipeline.fuzz.test.ts) and the long script (scripts/fuzz.ts).
 */
import { readCapture } from '../../src/capture/reader.js';
import { SegmentDecoder } from '../../src/decode/decoder.js';
import { newSegment } from '../../src/decode/segment.js';
import { hasZstdProgram, zstdCompress } from '../craft/index.js';
import type { FuzzOutcome } from './check.js';
import { STORED_ZSTD, type ZstdEncoder } from './mutate.js';

/** Real zstd (entropy-coded blocks) when the program is here; raw-block frames made in code always. */
export function zstdEncoders(): ZstdEncoder[] {
  return hasZstdProgram() ? [STORED_ZSTD, { name: 'zstd-1', encode: (b) => zstdCompress(b, '-1') }] : [STORED_ZSTD];
}

/** The reading and decoding stages alone (what src/capture and src/decode must survive). */
export async function readAndDecode(file: string): Promise<FuzzOutcome> {
  const decoder = new SegmentDecoder();
  const seg = newSegment();
  const read = await readCapture(file, (frame) => {
    decoder.decode(frame, seg);
  });
  return { error: read.error, frames: read.frames, tcpSegments: decoder.segments };
}

/**
 * The whole pipeline: bytes -> frames -> segments -> connections -> verdicts. Imported when used, so a
 * later stage that does not load fails only this stage's fuzzing, not the reading/decoding one.
 */
export async function wholePipeline(file: string): Promise<FuzzOutcome> {
  const { analyzeCapture } = await import('../../src/engine/analyze-capture.js');
  const facts = await analyzeCapture(file, () => undefined);
  return { error: facts.error, frames: facts.frames, tcpSegments: facts.tcpSegments };
}
