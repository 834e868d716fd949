import { u32be, u32le } from '../capture/byte-order.js';
import type { DecodeCursor } from './cursor.js';
import { ETHERTYPE_IPV4, ETHERTYPE_IPV6 } from './cursor.js';
import { Reason } from './reasons.js';

/**
 * BSD loopback encapsulation: a 4-byte address family. LINKTYPE_NULL stores it in the capturing host's
 * byte order (so either order is possible), LINKTYPE_LOOP always in network order. AF_INET6 differs by
 * OS: 24 (NetBSD, OpenBSD, BSD/OS), 28 (FreeBSD), 30 (macOS), 10 (Linux), 23 (Windows).
 */
export function decodeBsdLoopback(c: DecodeCursor, networkOrderOnly: boolean): Reason {
  const b = c.bytes;
  const p = c.offset;
  if (c.capturedEnd - p < 4) return Reason.Truncated;
  let family = u32be(b, p);
  // A family value never needs the upper 16 bits: if they are set, the field is in the other order.
  if (!networkOrderOnly && (family & 0xffff0000) !== 0) family = u32le(b, p);
  c.offset = p + 4;
  switch (family) {
    case 2:
      c.etherType = ETHERTYPE_IPV4;
      return Reason.Decoded;
    case 10:
    case 23:
    case 24:
    case 28:
    case 30:
      c.etherType = ETHERTYPE_IPV6;
      return Reason.Decoded;
    default:
      return Reason.NotIp;
  }
}
