import { u16be } from '../capture/byte-order.js';
import type { DecodeCursor } from './cursor.js';
import { ETHERTYPE_IPV4, ETHERTYPE_IPV6 } from './cursor.js';
import { Reason } from './reasons.js';

/** PPP (LINKTYPE_PPP, LINKTYPE_PPP_HDLC): optional FF 03 address/control, then a 1- or 2-byte protocol. */
export function decodePpp(c: DecodeCursor): Reason {
  const b = c.bytes;
  let p = c.offset;
  if (c.capturedEnd - p < 2) return Reason.Truncated;
  if (b[p] === 0xff && b[p + 1] === 0x03) p += 2;
  if (c.capturedEnd - p < 1) return Reason.Truncated;
  let protocol: number;
  // Protocol-field compression (RFC 1661 6.5): an odd first byte is a complete 1-byte protocol.
  if ((b[p] & 1) === 1) {
    protocol = b[p];
    p += 1;
  } else {
    if (c.capturedEnd - p < 2) return Reason.Truncated;
    protocol = u16be(b, p);
    p += 2;
  }
  c.offset = p;
  if (protocol === 0x21) c.etherType = ETHERTYPE_IPV4;
  else if (protocol === 0x57) c.etherType = ETHERTYPE_IPV6;
  else return Reason.NotIp;
  return Reason.Decoded;
}

/** Cisco HDLC (LINKTYPE_C_HDLC): address, control, then an ethertype. */
export function decodeCiscoHdlc(c: DecodeCursor): Reason {
  const p = c.offset;
  if (c.capturedEnd - p < 4) return Reason.Truncated;
  c.etherType = u16be(c.bytes, p + 2);
  c.offset = p + 4;
  return Reason.Decoded;
}
