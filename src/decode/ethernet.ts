import { u16be } from '../capture/byte-order.js';
import type { DecodeCursor } from './cursor.js';
import { ETHERTYPE_IP_BY_VERSION, ETHERTYPE_PPPOE_SESSION } from './cursor.js';
import { decodePpp } from './ppp.js';
import { Reason } from './reasons.js';
import type { TcpSegment } from './segment.js';

const MAX_ETHERNET_LENGTH_FIELD = 1500;

/** Ethernet II (and 802.3 with an LLC/SNAP header): leaves the cursor at the payload, ethertype set. */
export function decodeEthernet(c: DecodeCursor): Reason {
  const b = c.bytes;
  const p = c.offset;
  if (c.capturedEnd - p < 14) return Reason.Truncated;
  const type = u16be(b, p + 12);
  c.offset = p + 14;
  if (type <= MAX_ETHERNET_LENGTH_FIELD) return decodeLlc(c);
  c.etherType = type;
  return Reason.Decoded;
}

/**
 * IEEE 802.2 LLC, as found after 802.3 and FDDI headers: only SNAP with an ethertype (AA AA 03) and the
 * IP SAP (06) can carry IP.
 */
export function decodeLlc(c: DecodeCursor): Reason {
  const b = c.bytes;
  const p = c.offset;
  if (c.capturedEnd - p < 3) return Reason.Truncated;
  if (b[p] === 0xaa && b[p + 1] === 0xaa && b[p + 2] === 0x03) {
    if (c.capturedEnd - p < 8) return Reason.Truncated;
    c.etherType = u16be(b, p + 6);
    c.offset = p + 8;
    return Reason.Decoded;
  }
  if (b[p] === 0x06 && b[p + 1] === 0x06) {
    c.etherType = ETHERTYPE_IP_BY_VERSION;
    c.offset = p + 3;
    return Reason.Decoded;
  }
  return Reason.NotIp;
}

/**
 * Headers that sit between the link layer and IP and announce another ethertype: VLAN tags (802.1Q,
 * 802.1ad, the old 0x9100/0x9200 QinQ values; any depth), 802.1ah backbone tags, MPLS label stacks and
 * PPPoE sessions. Loops until the ethertype is something else. Records the outermost VLAN id.
 */
export function decodeEtherShims(c: DecodeCursor, seg: TcpSegment): Reason {
  const b = c.bytes;
  for (let guard = 0; guard < 64; guard++) {
    const p = c.offset;
    switch (c.etherType) {
      case 0x8100:
      case 0x88a8:
      case 0x9100:
      case 0x9200:
        if (c.capturedEnd - p < 4) return Reason.Truncated;
        if (seg.vlan < 0) seg.vlan = u16be(b, p) & 0x0fff;
        c.etherType = u16be(b, p + 2);
        c.offset = p + 4;
        if (c.etherType <= MAX_ETHERNET_LENGTH_FIELD) {
          const r = decodeLlc(c);
          if (r !== Reason.Decoded) return r;
        }
        break;
      case 0x88e7: {
        // 802.1ah I-TAG (4 bytes) then the customer's destination and source addresses and ethertype.
        if (c.capturedEnd - p < 18) return Reason.Truncated;
        c.etherType = u16be(b, p + 16);
        c.offset = p + 18;
        break;
      }
      case 0x8847:
      case 0x8848: {
        // MPLS: 4-byte labels until the bottom-of-stack bit; the payload type is not announced, so
        // guess from the first nibble as Wireshark does (4: IPv4, 6: IPv6, otherwise give up).
        let q = p;
        for (;;) {
          if (c.capturedEnd - q < 4) return Reason.Truncated;
          const bottom = (b[q + 2] & 0x01) !== 0;
          q += 4;
          if (bottom) break;
        }
        if (c.capturedEnd - q < 1) return Reason.Truncated;
        const version = b[q] >> 4;
        if (version !== 4 && version !== 6) return Reason.NotIp;
        c.offset = q;
        c.etherType = ETHERTYPE_IP_BY_VERSION;
        return Reason.Decoded;
      }
      case ETHERTYPE_PPPOE_SESSION: {
        // PPPoE session stage (RFC 2516): version/type 0x11, code 0, session id, length; then PPP (its
        // protocol field possibly compressed to one byte, RFC 1661 6.5, as some concentrators send).
        if (c.capturedEnd - p < 6) return Reason.Truncated;
        if (b[p] !== 0x11 || b[p + 1] !== 0) return Reason.NotIp;
        c.offset = p + 6;
        return decodePpp(c);
      }
      default:
        return Reason.Decoded;
    }
  }
  return Reason.TooDeep;
}
