import { i32be, u16be, u32be } from '../capture/byte-order.js';
import type { DecodeCursor } from './cursor.js';
import { Reason } from './reasons.js';
import { SegmentKind, type TcpSegment } from './segment.js';

const OPTION_END = 0;
const OPTION_NOP = 1;
const OPTION_WINDOW_SCALE = 3;
const OPTION_TIMESTAMP = 8;

/** Bytes of TCP header with ports, sequence, acknowledgment, flags and window (what a quoted header needs). */
export const TCP_MINIMUM_CAPTURED = 16;
/** Bytes of TCP header the tracker cannot do without: ports, sequence, acknowledgment, data offset, flags. */
export const TCP_ESSENTIAL_CAPTURED = 14;

/**
 * TCP header (RFC 9293 3.1). The payload length comes from the IP length fields via the cursor's wireEnd,
 * so captures cut short by a snap length still give exact sequence numbers. 14 captured bytes are
 * enough to track the segment (a `-s 64` capture of IPv6 over Ethernet keeps exactly these): the
 * window and the options are then unknown, marked by `headerCut`. A header with a bogus data offset is
 * still read (HeaderOnly) because tshark still numbers its stream, but it is not tracked.
 */
export function decodeTcp(c: DecodeCursor, seg: TcpSegment): Reason {
  const b = c.bytes;
  const p = c.offset;
  const captured = c.capturedEnd - p;
  if (captured < TCP_ESSENTIAL_CAPTURED) return Reason.Truncated;
  if (captured >= TCP_MINIMUM_CAPTURED) readTcpFields(b, p, seg);
  else {
    readEssentialFields(b, p, seg);
    seg.window = -1;
  }
  const headerLength = (b[p + 12] >> 4) * 4;
  const segmentLength = c.wireEnd - p;
  seg.headerLength = headerLength;
  if (headerLength < 20 || headerLength > segmentLength) {
    seg.kind = SegmentKind.HeaderOnly;
    seg.payloadLength = 0;
    seg.capturedPayloadLength = 0;
    seg.optionsLength = 0;
    seg.hasTimestamp = false;
    seg.windowScale = -1;
    return Reason.Malformed;
  }
  seg.optionsLength = headerLength - 20;
  seg.headerCut = captured < headerLength;
  seg.payloadLength = segmentLength - headerLength;
  const payloadStart = p + headerLength;
  seg.capturedPayloadLength = c.capturedEnd > payloadStart ? c.capturedEnd - payloadStart : 0;
  seg.hasTimestamp = false;
  seg.windowScale = -1;
  if (headerLength > 20) readOptions(b, p + 20, Math.min(payloadStart, c.capturedEnd), seg);
  return Reason.Decoded;
}

/** The fixed fields in the first 16 bytes, shared with headers quoted in ICMP errors. */
export function readTcpFields(b: Uint8Array, p: number, seg: TcpSegment): void {
  readEssentialFields(b, p, seg);
  seg.window = u16be(b, p + 14);
}

/** Ports, sequence and acknowledgment numbers and flags: the first 14 bytes. */
function readEssentialFields(b: Uint8Array, p: number, seg: TcpSegment): void {
  seg.srcPort = u16be(b, p);
  seg.dstPort = u16be(b, p + 2);
  seg.seq = i32be(b, p + 4);
  seg.ack = i32be(b, p + 8);
  seg.flags = ((b[p + 12] & 0x0f) << 8) | b[p + 13];
}

/** Scans the options for RFC 7323 timestamps and window scale; a malformed list just ends the scan. */
function readOptions(b: Uint8Array, start: number, end: number, seg: TcpSegment): void {
  let q = start;
  while (q < end) {
    const kind = b[q];
    if (kind === OPTION_END) return;
    if (kind === OPTION_NOP) {
      q++;
      continue;
    }
    if (q + 1 >= end) return;
    const length = b[q + 1];
    if (length < 2 || q + length > end) return;
    if (kind === OPTION_TIMESTAMP && length === 10) {
      seg.hasTimestamp = true;
      seg.tsVal = u32be(b, q + 2);
      seg.tsEcr = u32be(b, q + 6);
    } else if (kind === OPTION_WINDOW_SCALE && length === 3) {
      // RFC 7323 2.3: shifts above 14 are treated as 14.
      seg.windowScale = Math.min(b[q + 2], 14);
    }
    q += length;
  }
}
