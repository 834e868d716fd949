import { i32be, u16be } from '../capture/byte-order.js';
import type { DecodeCursor } from './cursor.js';
import { Reason } from './reasons.js';
import type { TcpSegment } from './segment.js';

/**
 * IPv4 (RFC 791), options skipped by IHL. Sets addresses, TTL and ID on the segment, the protocol on the
 * cursor, and bounds the cursor to the datagram so Ethernet padding is never mistaken for payload.
 */
export function decodeIpv4(c: DecodeCursor, seg: TcpSegment): Reason {
  const b = c.bytes;
  const p = c.offset;
  if (c.capturedEnd - p < 20) return Reason.Truncated;
  const versionIhl = b[p];
  if (versionIhl >> 4 !== 4) return Reason.Malformed;
  const headerLength = (versionIhl & 0x0f) * 4;
  if (headerLength < 20) return Reason.Malformed;
  if (c.capturedEnd - p < headerLength) return Reason.Truncated;
  let totalLength = u16be(b, p + 2);
  const onWire = c.wireEnd - p;
  // A zero total length is what TSO/LRO hardware leaves in captured super-packets: use the frame length,
  // as Wireshark does by default.
  if (totalLength === 0) totalLength = onWire;
  else if (totalLength < headerLength) return Reason.Malformed;
  else if (totalLength > onWire) totalLength = onWire;
  const fragment = u16be(b, p + 6);
  seg.ipVersion = 4;
  seg.ipId = u16be(b, p + 4);
  seg.ttl = b[p + 8];
  seg.src0 = 0;
  seg.src1 = 0;
  seg.src2 = 0;
  seg.src3 = i32be(b, p + 12);
  seg.dst0 = 0;
  seg.dst1 = 0;
  seg.dst2 = 0;
  seg.dst3 = i32be(b, p + 16);
  c.ipProtocol = b[p + 9];
  c.offset = p + headerLength;
  c.wireEnd = p + totalLength;
  if (c.capturedEnd > c.wireEnd) c.capturedEnd = c.wireEnd;
  // MF set or a non-zero offset: a fragment; only the first (offset 0) carries the transport header.
  c.fragment = (fragment & 0x3fff) !== 0;
  if (c.fragment) {
    c.fragmentProtocol = c.ipProtocol;
    c.fragmentOffset = (fragment & 0x1fff) * 8;
    c.moreFragments = (fragment & 0x2000) !== 0;
    c.fragmentId = seg.ipId;
    c.fragmentDataStart = c.offset;
    c.fragmentDataEnd = c.wireEnd;
    c.fragmentCaptured = c.capturedEnd >= c.wireEnd;
  }
  return Reason.Decoded;
}
