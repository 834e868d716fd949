import { u16be, u32be } from '../capture/byte-order.js';
import type { DecodeCursor } from './cursor.js';
import { Reason } from './reasons.js';
import type { TcpSegment } from './segment.js';

const OPTION_END = 0;
const OPTION_NOP = 1;
const OPTION_WINDOW_SCALE = 3;
const OPTION_TIMESTAMP = 8;

/**
 * TCP header (RFC 9293 3.1). The payload length comes from the IP length fields via the cursor's wireEnd,
 * so captures cut short by a snap length still give exact sequence numbers.
 */
export function decodeTcp(c: DecodeCursor, seg: TcpSegment): Reason {
  const b = c.bytes;
  const p = c.offset;
  if (c.capturedEnd - p < 20) return Reason.Truncated;
  const headerLength = (b[p + 12] >> 4) * 4;
  if (headerLength < 20) return Reason.Malformed;
  const segmentLength = c.wireEnd - p;
  if (headerLength > segmentLength) return Reason.Malformed;
  seg.srcPort = u16be(b, p);
  seg.dstPort = u16be(b, p + 2);
  seg.seq = u32be(b, p + 4);
  seg.ack = u32be(b, p + 8);
  seg.flags = ((b[p + 12] & 0x0f) << 8) | b[p + 13];
  seg.window = u16be(b, p + 14);
  seg.headerLength = headerLength;
  seg.optionsLength = headerLength - 20;
  seg.payloadLength = segmentLength - headerLength;
  const payloadStart = p + headerLength;
  seg.capturedPayloadLength = c.capturedEnd > payloadStart ? c.capturedEnd - payloadStart : 0;
  seg.hasTimestamp = false;
  seg.windowScale = -1;
  if (headerLength > 20) readOptions(b, p + 20, Math.min(payloadStart, c.capturedEnd), seg);
  return Reason.Decoded;
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
