/**
 * Link-layer headers put in front of an IP packet. Each builder returns a new array holding header and
 * payload; `encapsulate` picks the builder for a LINKTYPE with defaults, for tests that loop over types.
 */
import { AF, ETHERTYPE, LINKTYPE } from './link-types.js';
import type { ByteOrder } from './byte-order.js';

/** The IP version of a packet from its first nibble; 0 when the packet is empty or not IP. */
export function ipVersionOf(packet: Uint8Array): number {
  return packet.length > 0 ? packet[0] >> 4 : 0;
}

function etherTypeFor(packet: Uint8Array): number {
  return ipVersionOf(packet) === 6 ? ETHERTYPE.IPV6 : ETHERTYPE.IPV4;
}

export function parseMac(mac: string | Uint8Array): Uint8Array {
  if (mac instanceof Uint8Array) {
    if (mac.length !== 6) throw new Error(`MAC address must be 6 bytes, got ${mac.length}`);
    return mac;
  }
  const parts = mac.split(/[:-]/);
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{2}$/.test(p))) throw new Error(`not a MAC: ${mac}`);
  return Uint8Array.from(parts.map((p) => parseInt(p, 16)));
}

/** A VLAN id alone means an 802.1Q tag (TPID 0x8100) with priority 0. */
export type VlanTag = number | { id: number; pcp?: number; dei?: boolean; tpid?: number };

export interface EtherOptions {
  src?: string | Uint8Array;
  dst?: string | Uint8Array;
  /** Type of the payload; by default IPv4 or IPv6 from the payload's version nibble. */
  etherType?: number;
  /** Tags outermost first; any depth (QinQ is `[{id: 100, tpid: 0x88a8}, 200]`). */
  vlans?: VlanTag[];
  /** Zero-pad the frame to this many bytes, as received short frames are (60 without FCS). */
  padTo?: number;
}

/** Ethernet II frame (LINKTYPE_ETHERNET), optionally with a stack of 802.1Q / 802.1ad tags. */
export function ether(payload: Uint8Array, options: EtherOptions = {}): Uint8Array {
  const vlans = options.vlans ?? [];
  const headerLength = 14 + 4 * vlans.length;
  const length = Math.max(headerLength + payload.length, options.padTo ?? 0);
  const out = new Uint8Array(length);
  out.set(parseMac(options.dst ?? '02:00:00:00:00:02'), 0);
  out.set(parseMac(options.src ?? '02:00:00:00:00:01'), 6);
  let at = 12;
  for (const tag of vlans) {
    const t = typeof tag === 'number' ? { id: tag } : tag;
    const tpid = t.tpid ?? ETHERTYPE.VLAN;
    const tci = ((t.pcp ?? 0) << 13) | (t.dei ? 0x1000 : 0) | (t.id & 0x0fff);
    out[at] = tpid >> 8;
    out[at + 1] = tpid & 0xff;
    out[at + 2] = tci >> 8;
    out[at + 3] = tci & 0xff;
    at += 4;
  }
  const type = options.etherType ?? etherTypeFor(payload);
  out[at] = type >> 8;
  out[at + 1] = type & 0xff;
  out.set(payload, headerLength);
  return out;
}

/** Linux cooked-capture packet types. */
export const SLL_PACKET_TYPE = { HOST: 0, BROADCAST: 1, MULTICAST: 2, OTHERHOST: 3, OUTGOING: 4 } as const;

export interface SllOptions {
  /** SLL_PACKET_TYPE; default HOST (addressed to us). */
  packetType?: number;
  /** ARPHRD_* of the device; default 1 (Ethernet). */
  arphrdType?: number;
  /** Link-layer source address, up to 8 bytes; default a 6-byte MAC. */
  address?: string | Uint8Array;
  /** Protocol (an Ethertype); by default from the payload's version nibble. */
  protocol?: number;
}

function sllAddress(a: string | Uint8Array | undefined): Uint8Array {
  if (a === undefined) return parseMac('02:00:00:00:00:01');
  if (typeof a === 'string') return parseMac(a);
  if (a.length > 8) throw new Error('SLL address holds at most 8 bytes');
  return a;
}

/** Linux "cooked" capture v1 (LINKTYPE_LINUX_SLL, 113): 16-byte header, what `tcpdump -i any` wrote. */
export function linuxSll(payload: Uint8Array, options: SllOptions = {}): Uint8Array {
  const out = new Uint8Array(16 + payload.length);
  const view = new DataView(out.buffer);
  const addr = sllAddress(options.address);
  view.setUint16(0, options.packetType ?? SLL_PACKET_TYPE.HOST);
  view.setUint16(2, options.arphrdType ?? 1);
  view.setUint16(4, addr.length);
  out.set(addr, 6);
  view.setUint16(14, options.protocol ?? etherTypeFor(payload));
  out.set(payload, 16);
  return out;
}

export interface Sll2Options extends SllOptions {
  /** Interface index the packet was seen on. */
  interfaceIndex?: number;
}

/** Linux cooked capture v2 (LINKTYPE_LINUX_SLL2, 276): 20-byte header with the interface index. */
export function linuxSll2(payload: Uint8Array, options: Sll2Options = {}): Uint8Array {
  const out = new Uint8Array(20 + payload.length);
  const view = new DataView(out.buffer);
  const addr = sllAddress(options.address);
  view.setUint16(0, options.protocol ?? etherTypeFor(payload));
  view.setUint16(2, 0);
  view.setUint32(4, options.interfaceIndex ?? 1);
  view.setUint16(8, options.arphrdType ?? 1);
  out[10] = options.packetType ?? SLL_PACKET_TYPE.HOST;
  out[11] = addr.length;
  out.set(addr, 12);
  out.set(payload, 20);
  return out;
}

export interface NullOptions {
  /** AF value; default AF.INET, or AF.INET6_BSD for IPv6 payloads. */
  family?: number;
  /**
   * LINKTYPE_NULL stores the family in the capturing host's byte order, so files from big-endian hosts
   * hold it big-endian; default little (x86, ARM).
   */
  byteOrder?: ByteOrder;
}

function familyFor(payload: Uint8Array): number {
  return ipVersionOf(payload) === 6 ? AF.INET6_BSD : AF.INET;
}

/** BSD loopback (LINKTYPE_NULL, 0): 4-byte address family in host byte order. */
export function bsdNull(payload: Uint8Array, options: NullOptions = {}): Uint8Array {
  const out = new Uint8Array(4 + payload.length);
  new DataView(out.buffer).setUint32(0, options.family ?? familyFor(payload), options.byteOrder !== 'big');
  out.set(payload, 4);
  return out;
}

/** OpenBSD loopback (LINKTYPE_LOOP, 108): like NULL but the family is always in network byte order. */
export function bsdLoop(payload: Uint8Array, options: { family?: number } = {}): Uint8Array {
  return bsdNull(payload, { family: options.family, byteOrder: 'big' });
}

/**
 * Frames an IP packet for `linkType` with default headers. Raw-IP types (12, 14, 101, 228, 229) have no
 * header at all, so the packet is returned as is.
 */
export function encapsulate(linkType: number, ipPacket: Uint8Array): Uint8Array {
  switch (linkType) {
    case LINKTYPE.ETHERNET:
      return ether(ipPacket);
    case LINKTYPE.LINUX_SLL:
      return linuxSll(ipPacket);
    case LINKTYPE.LINUX_SLL2:
      return linuxSll2(ipPacket);
    case LINKTYPE.NULL:
      return bsdNull(ipPacket);
    case LINKTYPE.LOOP:
      return bsdLoop(ipPacket);
    case LINKTYPE.RAW:
    case LINKTYPE.RAW_DLT12:
    case LINKTYPE.RAW_DLT14:
    case LINKTYPE.IPV4:
    case LINKTYPE.IPV6:
      return ipPacket;
    default:
      throw new Error(`no default encapsulation for link type ${linkType}`);
  }
}
