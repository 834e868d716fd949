/**
 * TCP segments (RFC 9293): header fields, options and the checksum over the IPv4 or IPv6 pseudo-header.
 * The checksum is filled in separately because it needs the addresses of the packet the segment ends
 * up in (and, for IPv6 with a routing header, the final destination rather than the header's).
 */
import { foldChecksum, onesSum, pseudoHeaderSum } from './checksum.js';
import { IPPROTO } from './link-types.js';

export const TCP_FLAG = {
  FIN: 0x001,
  SYN: 0x002,
  RST: 0x004,
  PSH: 0x008,
  ACK: 0x010,
  URG: 0x020,
  ECE: 0x040,
  CWR: 0x080,
  NS: 0x100,
} as const;

const LETTERS: Record<string, number> = {
  F: TCP_FLAG.FIN,
  S: TCP_FLAG.SYN,
  R: TCP_FLAG.RST,
  P: TCP_FLAG.PSH,
  A: TCP_FLAG.ACK,
  '.': TCP_FLAG.ACK,
  U: TCP_FLAG.URG,
  E: TCP_FLAG.ECE,
  C: TCP_FLAG.CWR,
  W: TCP_FLAG.CWR,
  N: TCP_FLAG.NS,
};

/**
 * Flag bits from letters as tcpdump prints them (`'SA'`, `'FA'`, `'R'`, `'PA'`; `.` or `A` is ACK, `W` or
 * `C` is CWR, `E` ECE, `N` NS), or a number of raw bits, passed through.
 */
export function parseTcpFlags(flags: string | number): number {
  if (typeof flags === 'number') return flags;
  let bits = 0;
  for (const ch of flags.toUpperCase()) {
    const bit = LETTERS[ch];
    if (bit === undefined) throw new Error(`unknown TCP flag letter '${ch}' in '${flags}'`);
    bits |= bit;
  }
  return bits;
}

export type TcpOption =
  | { kind: 'eol' }
  | { kind: 'nop' }
  | { kind: 'mss'; value: number }
  | { kind: 'windowScale'; shift: number }
  | { kind: 'sackPermitted' }
  /** Up to 4 blocks of [left edge, right edge). */
  | { kind: 'sack'; blocks: Array<[number, number]> }
  | { kind: 'timestamps'; value: number; echo: number }
  /** Any bytes, written as given (kind and length included): for unknown or malformed options. */
  | { kind: 'raw'; bytes: Uint8Array };

function encodeOption(o: TcpOption): number[] {
  const u32 = (v: number): number[] => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
  switch (o.kind) {
    case 'eol':
      return [0];
    case 'nop':
      return [1];
    case 'mss':
      return [2, 4, (o.value >> 8) & 0xff, o.value & 0xff];
    case 'windowScale':
      return [3, 3, o.shift];
    case 'sackPermitted':
      return [4, 2];
    case 'sack':
      return [5, 2 + 8 * o.blocks.length, ...o.blocks.flatMap(([l, r]) => [...u32(l >>> 0), ...u32(r >>> 0)])];
    case 'timestamps':
      return [8, 10, ...u32(o.value >>> 0), ...u32(o.echo >>> 0)];
    case 'raw':
      return Array.from(o.bytes);
  }
}

/** Option bytes padded with End-of-Options to a multiple of 4; at most 40 bytes fit a header. */
export function encodeTcpOptions(options: TcpOption[]): Uint8Array {
  const bytes = options.flatMap(encodeOption);
  while (bytes.length % 4 !== 0) bytes.push(0);
  if (bytes.length > 40) throw new Error(`TCP options take ${bytes.length} bytes, at most 40 fit`);
  return Uint8Array.from(bytes);
}

export interface TcpSegmentSpec {
  srcPort: number;
  dstPort: number;
  /** Unsigned 32-bit; values outside wrap (`>>> 0`). Default 0. */
  seq?: number;
  ack?: number;
  /** Letters or bits; default 'A'. */
  flags?: string | number;
  /** Raw (unscaled) window; default 65535. */
  window?: number;
  urgent?: number;
  /** Encoded with encodeTcpOptions, or raw bytes (padded to a multiple of 4 with zeros). */
  options?: TcpOption[] | Uint8Array;
  payload?: Uint8Array;
  /** Data offset in 32-bit words written instead of the true header length (for malformed segments). */
  dataOffset?: number;
}

/** A TCP header plus payload with a zero checksum; see setTcpChecksum. */
export function tcpSegment(spec: TcpSegmentSpec): Uint8Array {
  let options = spec.options instanceof Uint8Array ? spec.options : encodeTcpOptions(spec.options ?? []);
  if (options.length % 4 !== 0) {
    const padded = new Uint8Array((options.length + 3) & ~3);
    padded.set(options);
    options = padded;
  }
  const headerLength = 20 + options.length;
  const payload = spec.payload ?? new Uint8Array(0);
  const out = new Uint8Array(headerLength + payload.length);
  const view = new DataView(out.buffer);
  const flags = parseTcpFlags(spec.flags ?? 'A');
  view.setUint16(0, spec.srcPort);
  view.setUint16(2, spec.dstPort);
  view.setUint32(4, (spec.seq ?? 0) >>> 0);
  view.setUint32(8, (spec.ack ?? 0) >>> 0);
  view.setUint16(12, (((spec.dataOffset ?? headerLength / 4) & 0xf) << 12) | (flags & 0xfff));
  view.setUint16(14, spec.window ?? 65535);
  view.setUint16(18, spec.urgent ?? 0);
  out.set(options, 20);
  out.set(payload, headerLength);
  return out;
}

/** Computes the checksum of `segment` for these pseudo-header addresses (4 or 16 bytes each). */
export function tcpChecksum(segment: Uint8Array, src: Uint8Array, dst: Uint8Array): number {
  const saved = (segment[16] << 8) | segment[17];
  segment[16] = 0;
  segment[17] = 0;
  const sum = pseudoHeaderSum(src, dst, IPPROTO.TCP, segment.length) + onesSum(segment);
  segment[16] = saved >> 8;
  segment[17] = saved & 0xff;
  return foldChecksum(sum);
}

/** Writes the correct checksum into the segment (or `value`, for deliberately bad ones). */
export function setTcpChecksum(segment: Uint8Array, src: Uint8Array, dst: Uint8Array, value?: number): void {
  const sum = value ?? tcpChecksum(segment, src, dst);
  segment[16] = sum >> 8;
  segment[17] = sum & 0xff;
}
