/**
 * Seeded fuzzing of the whole pipeline (analyzeCapture: read, decode, track, judge) on mutated captures:
 * truncation, byte flips, length fields (pcap caplen/origlen, pcapng block and packet lengths, IP and TCP
 * length fields) set to 0, 1, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF, garbage spliced in, ranges duplicated, and
 * gzip of a mutated file, truncated. Every case must resolve within a timeout with at most one error
 * line naming the file and the byte offset, keep the frames before the damage, never report an internal
 * error (a crash in a later stage), and the heap must stay bounded.
 *
 * Reproduce a failure with FUZZ_SEED=<seed> (printed in every message); FUZZ_CASES sets the count.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { buildPcap, buildPcapng, conversation, ether, fragmentIpv4, gzip, LINKTYPE, linuxSll2, mergeByTime, tcp } from '../../tools/craft/index.js';
import { readCapture } from '../../src/capture/reader.js';
import { SegmentDecoder } from '../../src/decode/decoder.js';
import { newSegment } from '../../src/decode/segment.js';
import { collectGarbage } from '../support/gc.js';
import { captureLayout, framesBefore, recordStartAt, type CaptureLayout } from '../support/capture-layout.js';
import { Prng } from '../support/prng.js';
import { tempDir } from '../support/temp-dir.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_122);
const CASES = Number(process.env.FUZZ_CASES ?? 300);
const TIMEOUT_MS = 10_000;

const tmp = tempDir('closetrace-fuzz-');
afterAll(() => tmp.cleanup());

function conversations(): ReturnType<typeof conversation>[] {
  const a = conversation('10.0.0.1:40000', '10.0.0.2:80', { link: (p) => ether(p, { vlans: [12] }) });
  a.syn();
  a.synAck();
  a.ack();
  a.data('a', 300);
  a.data('b', 1400);
  a.ack('a');
  a.fin('a');
  a.fin('b');
  a.ack('a');
  const b = conversation('[2001:db8::1]:40001', '[2001:db8::2]:443', { link: (p) => ether(p), start: 1_700_000_000.0005 });
  b.syn();
  b.synAck();
  b.data('a', 20);
  b.rst('b');
  const c = conversation('10.0.0.3:40002', '10.0.0.4:22', { link: (p) => ether(p), start: 1_700_000_000.002 });
  c.syn();
  c.refuse();
  return [a, b, c];
}

function craftedInputs(): Array<[string, Uint8Array]> {
  const packets = mergeByTime(...conversations().map((c) => c.packets));
  const fragments = fragmentIpv4(tcp({ src: '10.0.0.5:1', dst: '10.0.0.6:2', flags: 'S', payload: 200, df: false, ipId: 9 }), 64).map((f, i) => ({
    ts: 1_700_000_001 + i / 1000,
    data: ether(f),
  }));
  const pcap = buildPcap([...packets, ...fragments], { precision: 'nano' });
  const pcapng = buildPcapng((w) => {
    w.addInterface({ linkType: LINKTYPE.ETHERNET, tsresol: 9 });
    w.addInterface({ linkType: LINKTYPE.LINUX_SLL2 });
    packets.forEach((p, i) => w.enhancedPacket({ interfaceId: i % 2, ts: p.ts, data: i % 2 ? linuxSll2(p.data.subarray(14)) : p.data }));
    w.customBlock({ pen: 32473, data: new Uint8Array(10) });
    w.interfaceStatistics({ ts: 1_700_000_002, received: 9n });
    w.section({ byteOrder: 'big' });
    w.addInterface({ linkType: LINKTYPE.RAW, tsresol: 0x89 });
    for (const p of conversations()[1].packets) w.enhancedPacket({ ts: p.ts, data: p.data.subarray(14) });
    w.simplePacket({ data: tcp({ src: '10.0.0.1:1', dst: '10.0.0.2:2' }) });
  });
  return [
    ['crafted.pcap', pcap],
    ['crafted.pcapng', pcapng],
  ];
}

function realInputs(): Array<[string, Uint8Array]> {
  return ['lo-ipv4.pcap', 'veth-ipv4-any-sll2.pcap', 'veth-ipv6-nsec.pcap', 'two-paths.pcapng']
    .map((name) => [name, new URL(`../../captures/${name}`, import.meta.url).pathname] as const)
    .filter(([, path]) => existsSync(path))
    .map(([name, path]) => [name, new Uint8Array(readFileSync(path))]);
}

interface Mutation {
  bytes: Uint8Array;
  description: string;
  /** First byte offset that differs from the original (records ending before it must be delivered). */
  firstChange: number;
  /** For a plain truncation: the cut offset (exact frame count and error expectation are known). */
  cut?: number;
  gzipped: boolean;
}

const LENGTH_VALUES = [0, 1, 0xffff, 0x7fffffff, 0xffffffff];

function mutate(rng: Prng, original: Uint8Array, layout: CaptureLayout, allowGzip = true): Mutation {
  const n = original.length;
  const choice = rng.int(allowGzip ? 6 : 5);
  switch (choice) {
    case 0: {
      const cut = rng.int(n);
      return { bytes: original.slice(0, cut), description: `truncate at ${cut}`, firstChange: cut, cut, gzipped: false };
    }
    case 1: {
      const bytes = original.slice();
      const flips: number[] = [];
      for (let k = rng.range(1, 8); k > 0; k--) {
        const at = rng.int(n);
        bytes[at] ^= rng.range(1, 255);
        flips.push(at);
      }
      return { bytes, description: `flip bytes at ${flips.join(',')}`, firstChange: Math.min(...flips), gzipped: false };
    }
    case 2: {
      const bytes = original.slice();
      const field = rng.pick(layout.fields);
      const value = rng.pick(LENGTH_VALUES);
      const view = new DataView(bytes.buffer);
      if (field.size === 4) view.setUint32(field.at, value >>> 0, field.littleEndian);
      else if (field.size === 2) view.setUint16(field.at, value & 0xffff, field.littleEndian);
      else bytes[field.at] = ((rng.pick([0, 1, 4, 15]) & 0x0f) << 4) | (bytes[field.at] & 0x0f);
      return { bytes, description: `${field.name} at ${field.at} := 0x${value.toString(16)}`, firstChange: field.at, gzipped: false };
    }
    case 3: {
      const at = rng.int(n + 1);
      const garbage = rng.bytes(rng.range(1, 64));
      const bytes = new Uint8Array(n + garbage.length);
      bytes.set(original.subarray(0, at));
      bytes.set(garbage, at);
      bytes.set(original.subarray(at), at + garbage.length);
      return { bytes, description: `splice ${garbage.length} random bytes at ${at}`, firstChange: at, gzipped: false };
    }
    case 4: {
      const from = rng.int(n);
      const length = rng.range(1, Math.min(2000, n - from));
      const at = rng.int(n + 1);
      const bytes = new Uint8Array(n + length);
      bytes.set(original.subarray(0, at));
      bytes.set(original.subarray(from, from + length), at);
      bytes.set(original.subarray(at), at + length);
      // The insertion may repeat the bytes that were there: compare to find the first real change.
      let first = at;
      while (first < n && bytes[first] === original[first]) first++;
      return { bytes, description: `duplicate [${from}, ${from + length}) at ${at}`, firstChange: first, gzipped: false };
    }
    default: {
      const inner = mutate(rng, original, layout, false);
      const gz = gzip(inner.bytes, 1);
      const cut = rng.next() < 0.8 ? rng.range(0, gz.length - 1) : gz.length;
      return { bytes: gz.slice(0, cut), description: `gzip(${inner.description}) cut at ${cut} of ${gz.length}`, firstChange: 0, gzipped: true };
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

interface Outcome {
  error: string | null;
  frames: number;
  tcpSegments: number;
}

/** The reading and decoding stages alone (what src/capture and src/decode must survive). */
async function readAndDecode(file: string): Promise<Outcome> {
  const decoder = new SegmentDecoder();
  const seg = newSegment();
  const read = await readCapture(file, (frame) => {
    decoder.decode(frame, seg);
  });
  return { error: read.error, frames: read.frames, tcpSegments: decoder.segments };
}

/**
 * The whole pipeline: bytes -> frames -> segments -> connections -> verdicts. Imported when used, so a
 * later stage that does not load fails only this test, not the reading/decoding fuzz.
 */
async function wholePipeline(file: string): Promise<Outcome> {
  const { analyzeCapture } = await import('../../src/engine/analyze-capture.js');
  const facts = await analyzeCapture(file, () => undefined);
  return { error: facts.error, frames: facts.frames, tcpSegments: facts.tcpSegments };
}

async function fuzz(run: (file: string) => Promise<Outcome>, cases: number): Promise<void> {
  const inputs = [...craftedInputs(), ...realInputs()].map(([name, bytes]) => ({ name, bytes, layout: captureLayout(bytes) }));
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
    const m = mutate(rng, input.bytes, input.layout);
    const kind = m.gzipped ? 'gzip' : m.description.startsWith('truncate') || m.description.startsWith('flip') || m.description.startsWith('splice') || m.description.startsWith('duplicate') ? m.description.split(' ')[0] : 'length-field';
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    const file = tmp.write(`case-${i}-${input.name}`, m.bytes);
    const where = `FUZZ_SEED=${SEED} case ${i} (${input.name}: ${m.description})`;

    let outcome: Outcome;
    try {
      outcome = await withTimeout(run(file), TIMEOUT_MS, where);
    } catch (error) {
      throw new Error(`${where}: rejected or hung: ${(error as Error).stack ?? error}`);
    }
    rmSync(file);

    const { error, frames, tcpSegments } = outcome;
    if (error !== null) {
      expect(error.includes('\n'), `${where}: multi-line error ${JSON.stringify(error)}`).toBe(false);
      expect(error.startsWith(`${file}: `), `${where}: error does not name the file: ${error}`).toBe(true);
      expect(/at byte \d+|cannot open/.test(error), `${where}: error has no byte offset: ${error}`).toBe(true);
      // readCapture reports an exception thrown by the frame handler as an internal error: a crash in a
      // later stage would hide there.
      expect(error, `${where}: a stage crashed`).not.toMatch(/internal error/);
      expect(error, where).not.toMatch(/undefined|NaN/);
    }
    expect(Number.isInteger(frames) && frames >= 0, where).toBe(true);
    expect(tcpSegments, where).toBeLessThanOrEqual(frames);
    if (!m.gzipped) {
      const intact = framesBefore(input.layout, m.firstChange);
      expect(frames, `${where}: frames before the damage (${intact}) not all reported`).toBeGreaterThanOrEqual(intact);
    }
    if (m.cut !== undefined) {
      expect(frames, `${where}: frame count after a cut`).toBe(framesBefore(input.layout, m.cut));
      const clean = m.cut > 0 && input.layout.boundaries.has(m.cut);
      expect(error === null, `${where}: error ${error} (cut ${clean ? 'at' : 'not at'} a record boundary)`).toBe(clean);
      if (!clean) expect(error, `${where}: the error names the start of the cut record`).toContain(`at byte ${recordStartAt(input.layout, m.cut)}:`);
    }
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
  for (const k of ['truncate', 'flip', 'length-field', 'splice', 'duplicate', 'gzip']) {
    expect(kinds.get(k) ?? 0, `FUZZ_SEED=${SEED}: mutations of kind ${k}`).toBeGreaterThan(Math.floor(cases / 20));
  }
}

describe(`capture fuzz (FUZZ_SEED=${SEED}, ${CASES} cases per stage set)`, () => {
  it('reading and decoding: every mutated capture resolves with a one-line error and keeps the frames before the damage', () => fuzz(readAndDecode, CASES));
  it('whole pipeline (analyzeCapture): the same cases', () => fuzz(wholePipeline, CASES));
});
