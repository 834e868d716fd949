import { u16be } from '../capture/byte-order.js';
import type { DecodeCursor } from './cursor.js';
import { ETHERTYPE_ETHERNET } from './cursor.js';
import { Reason } from './reasons.js';

const GRE_CHECKSUM = 0x8000;
const GRE_ROUTING = 0x4000;
const GRE_KEY = 0x2000;
const GRE_SEQUENCE = 0x1000;
const GRE_ACK = 0x0080;
const ERSPAN_II = 0x88be;
const ERSPAN_III = 0x22eb;

/**
 * GRE (RFC 2784/2890, and PPTP's version 1 of RFC 2637): skips the optional fields the flags announce and
 * sets the ethertype of the payload. ERSPAN II/III headers are skipped to the mirrored Ethernet frame.
 */
export function decodeGre(c: DecodeCursor): Reason {
  const b = c.bytes;
  let p = c.offset;
  if (c.capturedEnd - p < 4) return Reason.Truncated;
  const flags = u16be(b, p);
  let protocol = u16be(b, p + 2);
  const version = flags & 0x0007;
  // Source routing (long deprecated) would need the SRE list walked; nobody sends it.
  if ((flags & GRE_ROUTING) !== 0 || version > 1) return Reason.NotIp;
  p += 4;
  if ((flags & GRE_CHECKSUM) !== 0) p += 4;
  if ((flags & GRE_KEY) !== 0) p += 4;
  if ((flags & GRE_SEQUENCE) !== 0) p += 4;
  if (version === 1 && (flags & GRE_ACK) !== 0) p += 4;
  if (protocol === ERSPAN_II) {
    // Type I ERSPAN has no header and no sequence number; type II has an 8-byte header.
    if ((flags & GRE_SEQUENCE) !== 0) p += 8;
    protocol = ETHERTYPE_ETHERNET;
  } else if (protocol === ERSPAN_III) {
    if (c.capturedEnd - p < 12) return Reason.Truncated;
    const optional = (b[p + 11] & 0x01) !== 0;
    p += optional ? 20 : 12;
    protocol = ETHERTYPE_ETHERNET;
  }
  if (p > c.capturedEnd) return Reason.Truncated;
  c.offset = p;
  c.etherType = protocol;
  return Reason.Decoded;
}
