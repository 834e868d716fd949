/**
 * Just enough decoding to tell which connection a frame belongs to, who sent it and what it carries:
 * link header (Ethernet with VLAN tags, Linux SLL/SLL2, BSD null/loop, raw IP) -> IPv4/IPv6 (no
 * extension headers, no fragments) -> TCP. Frames it does not understand are left alone by the variants.
 * Only for the test captures in captures/; the real decoder is src/decode.
 */
import { formatIp } from '../craft/address.js';
import { LINKTYPE } from '../craft/link-types.js';

export const TCP_FLAG = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10 } as const;

export interface TcpView {
  /** `ip:port`, IPv6 as `[addr]:port` (RFC 5952), as in captures/manifest.json. */
  src: string;
  dst: string;
  flags: number;
  payloadLength: number;
  ipVersion: 4 | 6;
}

/** Bytes before the IP header and the EtherType/protocol found there, or null for other link types. */
function linkHeader(linkType: number, d: Uint8Array): { length: number; ipVersion: number } | null {
  const u16 = (o: number): number => (d[o] << 8) | d[o + 1];
  const fromEtherType = (type: number, length: number): { length: number; ipVersion: number } | null =>
    type === 0x0800 ? { length, ipVersion: 4 } : type === 0x86dd ? { length, ipVersion: 6 } : null;
  switch (linkType) {
    case LINKTYPE.ETHERNET: {
      let at = 12;
      while (d.length >= at + 2 && (u16(at) === 0x8100 || u16(at) === 0x88a8)) at += 4;
      return d.length >= at + 2 ? fromEtherType(u16(at), at + 2) : null;
    }
    case LINKTYPE.LINUX_SLL:
      return d.length >= 16 ? fromEtherType(u16(14), 16) : null;
    case LINKTYPE.LINUX_SLL2:
      return d.length >= 20 ? fromEtherType(u16(0), 20) : null;
    case LINKTYPE.NULL:
    case LINKTYPE.LOOP:
    case LINKTYPE.RAW:
    case LINKTYPE.RAW_DLT12:
    case LINKTYPE.RAW_DLT14:
    case LINKTYPE.IPV4:
    case LINKTYPE.IPV6: {
      const at = linkType === LINKTYPE.NULL || linkType === LINKTYPE.LOOP ? 4 : 0;
      return d.length > at ? { length: at, ipVersion: d[at] >> 4 } : null;
    }
    default:
      return null;
  }
}

/** Bytes of the link-layer header this module knows for a link type (without VLAN tags). */
export function linkHeaderLength(linkType: number): number {
  switch (linkType) {
    case LINKTYPE.ETHERNET:
      return 14;
    case LINKTYPE.LINUX_SLL:
      return 16;
    case LINKTYPE.LINUX_SLL2:
      return 20;
    case LINKTYPE.NULL:
    case LINKTYPE.LOOP:
      return 4;
    default:
      return 0;
  }
}

/** The TCP view of a complete (not snapped) frame, or null when it is not a plain TCP segment. */
export function tcpView(linkType: number, d: Uint8Array): TcpView | null {
  const link = linkHeader(linkType, d);
  if (link === null) return null;
  const ip = link.length;
  let tcp: number;
  let ipEnd: number;
  let src: string;
  let dst: string;
  if (link.ipVersion === 4 && (d[ip] >> 4) === 4) {
    const ihl = (d[ip] & 15) * 4;
    const fragment = ((d[ip + 6] << 8) | d[ip + 7]) & 0x3fff;
    if (d[ip + 9] !== 6 || fragment !== 0) return null;
    tcp = ip + ihl;
    ipEnd = ip + ((d[ip + 2] << 8) | d[ip + 3]);
    src = formatIp(d.subarray(ip + 12, ip + 16));
    dst = formatIp(d.subarray(ip + 16, ip + 20));
  } else if (link.ipVersion === 6 && (d[ip] >> 4) === 6) {
    if (d[ip + 6] !== 6) return null;
    tcp = ip + 40;
    ipEnd = tcp + ((d[ip + 4] << 8) | d[ip + 5]);
    src = `[${formatIp(d.subarray(ip + 8, ip + 24))}]`;
    dst = `[${formatIp(d.subarray(ip + 24, ip + 40))}]`;
  } else {
    return null;
  }
  if (d.length < tcp + 20) return null;
  const sport = (d[tcp] << 8) | d[tcp + 1];
  const dport = (d[tcp + 2] << 8) | d[tcp + 3];
  const dataOffset = (d[tcp + 12] >> 4) * 4;
  return {
    src: `${src}:${sport}`,
    dst: `${dst}:${dport}`,
    flags: d[tcp + 13],
    payloadLength: Math.max(0, ipEnd - tcp - dataOffset),
    ipVersion: link.ipVersion === 4 ? 4 : 6,
  };
}
