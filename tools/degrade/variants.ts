/**
 * Degraded variants of a clean capture, each imitating a way real captures go wrong (lost packets, one
 * direction only, SPAN duplicates, a capture started late, a short snap length, multi-queue reordering).
 * Every variant is built from the clean capture's frames and its manifest connections; see expected.ts
 * for the verdict each connection should then get.
 */
import type { CapturedFrame, CaptureModel } from './capture-model.js';
import { writeCapture } from './capture-write.js';
import { frameFacts, type FrameFacts } from './connections.js';
import type { ManifestConnection } from './manifest.js';
import { mulberry32, shuffleRange } from './prng.js';
import { TCP_FLAG } from './tcp-view.js';

export const VARIANTS = ['no-closer-fin', 'no-data', 'one-way-client', 'one-way-server', 'duplicated', 'late-start', 'snap64', 'snap68', 'shuffled'] as const;
export type VariantName = (typeof VARIANTS)[number];

export const VARIANT_DESCRIPTIONS: Record<VariantName, string> = {
  'no-closer-fin': "the first FIN (not RST) frame of each connection is dropped: the first closer's FIN was not captured",
  'no-data': 'the first frame of each connection carrying payload (without SYN/FIN/RST) is dropped',
  'one-way-client': 'only the frames the client sent are kept',
  'one-way-server': 'only the frames the server sent are kept',
  duplicated: 'every frame is written twice in a row with the same timestamp (a SPAN port duplicating)',
  'late-start':
    "the capture starts after the handshakes: each connection's SYN, SYN/ACK (and retransmissions) and the client's ACK completing the handshake are dropped, and every frame of connections that never got a SYN/ACK",
  snap64: 'every frame is cut to 64 captured bytes (original length kept), as with tcpdump -s 64',
  snap68: 'every frame is cut to 68 captured bytes (original length kept)',
  shuffled:
    "frames are grouped in runs whose timestamps lie within 1 ms of the run's first frame and each run is permuted (seeded); every frame keeps its own timestamp, so file order is no longer time order (multi-queue NIC captures)",
};

/** Frames within this many nanoseconds of a run's first frame belong to the run (shuffled). */
export const SHUFFLE_WINDOW_NS = 1_000_000n;
export const DEFAULT_SEED = 0x5eed;

export interface VariantOptions {
  /** Seed of the shuffled variant's permutations. */
  seed?: number;
}

export interface Variant {
  name: VariantName;
  /** Frames in file order. */
  frames: CapturedFrame[];
  /** Numbers (in the clean capture) of the frames left out. */
  dropped: number[];
  /** Snap length to write in the file header / interface blocks (snap variants). */
  snaplen?: number;
}

const has = (f: FrameFacts, flag: number): boolean => f.tcp !== null && (f.tcp.flags & flag) !== 0;

/** Keeps the frames `keep` accepts; the rest are reported as dropped. */
function filtered(name: VariantName, facts: readonly FrameFacts[], keep: (f: FrameFacts, i: number) => boolean): Variant {
  const frames: CapturedFrame[] = [];
  const dropped: number[] = [];
  facts.forEach((f, i) => (keep(f, i) ? frames.push(f.frame) : dropped.push(f.frame.number)));
  return { name, frames, dropped };
}

/** Index (in `facts`) of the first frame of each connection that `pick` accepts. */
function firstPerConnection(facts: readonly FrameFacts[], pick: (f: FrameFacts) => boolean): Set<number> {
  const seen = new Set<number>();
  const out = new Set<number>();
  facts.forEach((f, i) => {
    if (f.connection < 0 || seen.has(f.connection) || !pick(f)) return;
    seen.add(f.connection);
    out.add(i);
  });
  return out;
}

/**
 * late-start: the handshake frames of each connection. The client's ACK completing the handshake is its
 * first frame after the first SYN/ACK that has ACK, no SYN/FIN/RST and no payload; if that frame carried
 * data (not in these captures: Linux sends a pure ACK) it is kept, as data is not part of the handshake.
 */
function handshakeFrames(facts: readonly FrameFacts[]): { drop: Set<number>; answered: Set<number> } {
  const drop = new Set<number>();
  const answered = new Set<number>();
  const acked = new Set<number>();
  facts.forEach((f, i) => {
    if (f.connection < 0) return;
    if (has(f, TCP_FLAG.SYN)) {
      drop.add(i);
      if (has(f, TCP_FLAG.ACK) && f.from === 'server') answered.add(f.connection);
      return;
    }
    if (f.from === 'client' && answered.has(f.connection) && !acked.has(f.connection)) {
      acked.add(f.connection);
      const pure = has(f, TCP_FLAG.ACK) && !has(f, TCP_FLAG.FIN | TCP_FLAG.RST) && f.tcp!.payloadLength === 0;
      if (pure) drop.add(i);
    }
  });
  return { drop, answered };
}

function snapped(name: VariantName, frames: readonly CapturedFrame[], snaplen: number): Variant {
  return {
    name,
    frames: frames.map((f) => (f.data.length <= snaplen ? f : { ...f, data: f.data.subarray(0, snaplen) })),
    dropped: [],
    snaplen,
  };
}

function shuffled(frames: readonly CapturedFrame[], seed: number): Variant {
  const out = [...frames];
  const random = mulberry32(seed);
  const ns = (f: CapturedFrame): bigint => BigInt(f.seconds) * 1_000_000_000n + BigInt(f.nanos);
  for (let start = 0; start < out.length; ) {
    const t0 = ns(out[start]);
    let end = start + 1;
    while (end < out.length) {
      const d = ns(out[end]) - t0;
      if (d > SHUFFLE_WINDOW_NS || d < -SHUFFLE_WINDOW_NS) break;
      end++;
    }
    shuffleRange(out, start, end, random);
    start = end;
  }
  return { name: 'shuffled', frames: out, dropped: [] };
}

/** Builds one variant of a capture whose connections are listed in its manifest entry. */
export function buildVariant(model: CaptureModel, connections: readonly ManifestConnection[], name: VariantName, options: VariantOptions = {}): Variant {
  const facts = frameFacts(model.frames, connections);
  switch (name) {
    case 'no-closer-fin': {
      const drop = firstPerConnection(facts, (f) => has(f, TCP_FLAG.FIN) && !has(f, TCP_FLAG.RST));
      return filtered(name, facts, (_f, i) => !drop.has(i));
    }
    case 'no-data': {
      const drop = firstPerConnection(facts, (f) => f.tcp!.payloadLength > 0 && !has(f, TCP_FLAG.SYN | TCP_FLAG.FIN | TCP_FLAG.RST));
      return filtered(name, facts, (_f, i) => !drop.has(i));
    }
    case 'one-way-client':
      return filtered(name, facts, (f) => f.from === 'client');
    case 'one-way-server':
      return filtered(name, facts, (f) => f.from === 'server');
    case 'duplicated':
      return { name, frames: model.frames.flatMap((f) => [f, f]), dropped: [] };
    case 'late-start': {
      const { drop, answered } = handshakeFrames(facts);
      return filtered(name, facts, (f, i) => f.connection < 0 || (answered.has(f.connection) && !drop.has(i)));
    }
    case 'snap64':
      return snapped(name, model.frames, 64);
    case 'snap68':
      return snapped(name, model.frames, 68);
    case 'shuffled':
      return shuffled(model.frames, options.seed ?? DEFAULT_SEED);
  }
}

/** The variant as a capture file in the clean capture's format, link type(s) and precision. */
export function variantBytes(model: CaptureModel, variant: Variant): Uint8Array {
  return writeCapture(model, variant.frames, { snaplen: variant.snaplen });
}
