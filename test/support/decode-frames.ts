/**
 * Feeds packets straight to the SegmentDecoder (no capture file): each frame's bytes sit at an odd offset
 * inside a bigger buffer whose bytes after the captured ones are 0xEE, so a decoder that ignores
 * `offset` or reads past `capturedLength` gives itself away.
 */
import { newFrame, type Frame } from '../../src/capture/frame.js';
import { SegmentDecoder } from '../../src/decode/decoder.js';
import { newSegment, type TcpSegment } from '../../src/decode/segment.js';
import { parseIp } from '../../tools/craft/index.js';

export interface FrameSpec {
  /** Bytes on the wire (link layer included); only the first `capturedLength` are captured. */
  data: Uint8Array;
  linkType: number;
  /** Default data.length (a snap length cuts the capture, not the wire length). */
  capturedLength?: number;
  /** Default data.length. */
  originalLength?: number;
  seconds?: number;
  nanos?: number;
}

const LEAD = 13;

export function frameOf(spec: FrameSpec, number: number): Frame {
  const captured = Math.min(spec.capturedLength ?? spec.data.length, spec.data.length);
  const buffer = new Uint8Array(LEAD + captured + 256).fill(0xee);
  buffer.set(spec.data.subarray(0, captured), LEAD);
  const frame = newFrame();
  frame.number = number;
  frame.seconds = spec.seconds ?? 1_700_000_000 + number;
  frame.nanos = spec.nanos ?? number * 1000;
  frame.capturedLength = captured;
  frame.originalLength = spec.originalLength ?? spec.data.length;
  frame.linkType = spec.linkType;
  frame.bytes = buffer;
  frame.offset = LEAD;
  return frame;
}

/** One decoder over a sequence of frames numbered 1, 2, ...; each result is a copy of the segment or null. */
export class Decoding {
  readonly decoder = new SegmentDecoder();
  private readonly seg = newSegment();
  private number = 0;

  next(spec: FrameSpec): TcpSegment | null {
    const frame = frameOf(spec, ++this.number);
    // Leftovers of a previous frame must not leak into this one.
    Object.assign(this.seg, { ttl: 0xdead, vlan: 0xbeef, windowScale: 99, hasTimestamp: true, payloadLength: -5 });
    return this.decoder.decode(frame, this.seg) ? unsignedWords(this.seg) : null;
  }

  notDecoded(): Record<string, number> {
    return this.decoder.notDecoded() as Record<string, number>;
  }
}

const WORD_FIELDS = ['src0', 'src1', 'src2', 'src3', 'dst0', 'dst1', 'dst2', 'dst3', 'seq', 'ack'] as const;

/**
 * A copy of the segment with addresses, seq and ack as unsigned numbers. The segment may keep them as
 * int32 bit patterns (V8 stores those unboxed); tests compare the 32 bits, whichever form is used.
 */
export function unsignedWords(seg: TcpSegment): TcpSegment {
  const copy = { ...seg };
  for (const key of WORD_FIELDS) copy[key] = copy[key] >>> 0;
  return copy;
}

/** Decodes one frame with a fresh decoder. */
export function decodeOne(spec: FrameSpec): { seg: TcpSegment | null; notDecoded: Record<string, number>; segments: number } {
  const d = new Decoding();
  const seg = d.next(spec);
  return { seg, notDecoded: d.notDecoded(), segments: d.decoder.segments };
}

/** An address as the segment's four words (IPv4 in word 3 only). */
export function words(address: string): { w0: number; w1: number; w2: number; w3: number } {
  const a = parseIp(address);
  const b = a.bytes;
  const u32 = (i: number): number => ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
  return a.version === 4 ? { w0: 0, w1: 0, w2: 0, w3: u32(0) } : { w0: u32(0), w1: u32(4), w2: u32(8), w3: u32(12) };
}

/** The src0..src3 / dst0..dst3 fields for a pair of addresses. */
export function addressFields(src: string, dst: string): Record<string, number> {
  const s = words(src);
  const d = words(dst);
  return { src0: s.w0, src1: s.w1, src2: s.w2, src3: s.w3, dst0: d.w0, dst1: d.w1, dst2: d.w2, dst3: d.w3 };
}
