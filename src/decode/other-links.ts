import { u16be, u16le } from '../capture/byte-order.js';
import type { DecodeCursor } from './cursor.js';
import { ETHERTYPE_IP_BY_VERSION } from './cursor.js';
import { decodeLlc } from './ethernet.js';
import { Reason } from './reasons.js';

/** FDDI: frame control and two 6-byte addresses, then 802.2 LLC. */
export function decodeFddi(c: DecodeCursor): Reason {
  if (c.capturedEnd - c.offset < 13) return Reason.Truncated;
  c.offset += 13;
  return decodeLlc(c);
}

const ARC_P_IP_RFC1201 = 0xd4;
const ARC_P_IPV6_RFC1201 = 0xc4;
const ARC_P_IP_RFC1051 = 0xf0;

/**
 * ARCnet as Linux captures it: source, destination, a 2-byte offset, the protocol id, and for RFC 1201
 * framing a split flag and a 2-byte sequence number before the datagram.
 */
export function decodeArcnetLinux(c: DecodeCursor): Reason {
  const b = c.bytes;
  const p = c.offset;
  if (c.capturedEnd - p < 5) return Reason.Truncated;
  const protocol = b[p + 4];
  if (protocol === ARC_P_IP_RFC1051) {
    c.offset = p + 5;
  } else if (protocol === ARC_P_IP_RFC1201 || protocol === ARC_P_IPV6_RFC1201) {
    if (c.capturedEnd - p < 8) return Reason.Truncated;
    c.offset = p + 8;
  } else {
    return Reason.NotIp;
  }
  c.etherType = ETHERTYPE_IP_BY_VERSION;
  return Reason.Decoded;
}

/** IP over InfiniBand (LINKTYPE_IPOIB): a 44-byte pseudo-header whose ethertype sits at byte 40. */
export function decodeIpoib(c: DecodeCursor): Reason {
  const p = c.offset;
  if (c.capturedEnd - p < 44) return Reason.Truncated;
  c.etherType = u16be(c.bytes, p + 40);
  c.offset = p + 44;
  return Reason.Decoded;
}

const NFULA_PAYLOAD = 9;

/**
 * Linux NFLOG: a 4-byte header then TLVs in host byte order (lengths include the 4-byte TLV header and
 * are padded to 4); the packet is the NFULA_PAYLOAD attribute.
 */
export function decodeNflog(c: DecodeCursor): Reason {
  const b = c.bytes;
  let p = c.offset + 4;
  const end = c.capturedEnd;
  while (end - p >= 4) {
    const length = u16le(b, p);
    const type = u16le(b, p + 2) & 0x7fff;
    if (length < 4) return Reason.Malformed;
    if (type === NFULA_PAYLOAD) {
      c.offset = p + 4;
      c.capturedEnd = Math.min(end, p + length);
      c.wireEnd = Math.min(c.wireEnd, p + length);
      c.etherType = ETHERTYPE_IP_BY_VERSION;
      return Reason.Decoded;
    }
    p += (length + 3) & ~3;
  }
  return end - p >= 0 && end - c.offset < 4 ? Reason.Truncated : Reason.NotIp;
}
