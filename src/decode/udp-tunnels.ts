import { u16be } from '../capture/byte-order.js';
import type { DecodeCursor } from './cursor.js';
import { ETHERTYPE_ETHERNET, ETHERTYPE_IP_BY_VERSION } from './cursor.js';
import { decodeGre } from './gre.js';
import { Reason } from './reasons.js';

const VXLAN = 4789;
const GENEVE = 6081;
const GTP_U = 2152;
const GRE_IN_UDP = 4754;
const GTP_G_PDU = 0xff;

/**
 * UDP, decoded further only when it is one of the tunnels Wireshark dissects by default on their IANA
 * ports (VXLAN, Geneve, GTP-U, GRE-in-UDP). Anything else is not TCP.
 */
export function decodeUdpTunnel(c: DecodeCursor): Reason {
  const b = c.bytes;
  const p = c.offset;
  if (c.capturedEnd - p < 8) return Reason.Truncated;
  const src = u16be(b, p);
  const dst = u16be(b, p + 2);
  const tunnel = isTunnelPort(dst) ? dst : isTunnelPort(src) ? src : 0;
  if (tunnel === 0) return Reason.NotTcp;
  c.offset = p + 8;
  switch (tunnel) {
    case VXLAN:
      return skip(c, 8, ETHERTYPE_ETHERNET);
    case GENEVE: {
      if (c.capturedEnd - c.offset < 8) return Reason.Truncated;
      const optionsLength = (b[c.offset] & 0x3f) * 4;
      return skip(c, 8 + optionsLength, u16be(b, c.offset + 2));
    }
    case GTP_U:
      return decodeGtpU(c);
    default:
      return decodeGre(c);
  }
}

function isTunnelPort(port: number): boolean {
  return port === VXLAN || port === GENEVE || port === GTP_U || port === GRE_IN_UDP;
}

function skip(c: DecodeCursor, length: number, etherType: number): Reason {
  if (c.capturedEnd - c.offset < length) return Reason.Truncated;
  c.offset += length;
  c.etherType = etherType;
  return Reason.Decoded;
}

/** GTP-U (3GPP TS 29.281): only G-PDUs carry user IP packets; optional fields and extension headers skipped. */
function decodeGtpU(c: DecodeCursor): Reason {
  const b = c.bytes;
  let p = c.offset;
  if (c.capturedEnd - p < 8) return Reason.Truncated;
  const flags = b[p];
  if (flags >> 5 !== 1 || b[p + 1] !== GTP_G_PDU) return Reason.NotTcp;
  let next = 0;
  if ((flags & 0x07) !== 0) {
    if (c.capturedEnd - p < 12) return Reason.Truncated;
    next = (flags & 0x04) !== 0 ? b[p + 11] : 0;
    p += 12;
  } else {
    p += 8;
  }
  for (let guard = 0; next !== 0; guard++) {
    if (guard > 16) return Reason.TooDeep;
    if (c.capturedEnd - p < 1) return Reason.Truncated;
    const length = b[p] * 4;
    if (length === 0 || c.capturedEnd - p < length) return Reason.Truncated;
    next = b[p + length - 1];
    p += length;
  }
  c.offset = p;
  c.etherType = ETHERTYPE_IP_BY_VERSION;
  return Reason.Decoded;
}
