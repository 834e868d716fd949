/**
 * Prebuilt header bytes (Ethernet with 0-2 VLAN tags, IPv4 or IPv6, TCP with one of four option layouts),
 * crafted once with tools/craft. The generator copies one into the output buffer per packet and patches
 * addresses, ports, numbers and checksums in place, so writing millions of packets allocates nothing.
 */
import { ether, standardTcpOptions, tcp, type VlanTag } from '../../tools/craft/index.js';

export const LAYOUT = {
  /** No TCP options. */
  NONE: 0,
  /** NOP, NOP, timestamps. */
  TS: 1,
  /** SYN: MSS, SACK-permitted, timestamps, NOP, window scale. */
  SYN_TS: 2,
  /** SYN without timestamps: MSS, NOP, NOP, SACK-permitted, NOP, window scale. */
  SYN: 3,
} as const;

export interface HeaderTemplate {
  bytes: Buffer;
  ipOffset: number;
  tcpOffset: number;
  /** Bytes before the payload. */
  headerLength: number;
  tcpHeaderLength: number;
  /** Offset of TSval from the TCP header start, or -1. */
  tsOffset: number;
}

/** Index of the template for a packet. */
export function templateKey(v6: boolean, vlanTags: number, layout: number): number {
  return (v6 ? 12 : 0) + vlanTags * 4 + layout;
}

/** MSS announced on SYNs: 1500-byte Ethernet MTU less IP and TCP headers. */
export function synMss(v6: boolean): number {
  return v6 ? 1440 : 1460;
}

export function buildTemplates(): HeaderTemplate[] {
  const templates: HeaderTemplate[] = [];
  for (const v6 of [false, true]) {
    for (let tags = 0; tags <= 2; tags++) {
      for (let layout = 0; layout < 4; layout++) {
        const syn = layout === LAYOUT.SYN_TS || layout === LAYOUT.SYN;
        const ts: [number, number] | null = layout === LAYOUT.TS || layout === LAYOUT.SYN_TS ? [0, 0] : null;
        const options = standardTcpOptions(syn, { mss: synMss(v6), sackPermitted: true, windowScale: 7, ts });
        const ip = tcp({
          src: v6 ? '[2001:db8::1]:1' : '10.0.0.1:1',
          dst: v6 ? '[2001:db8::2]:2' : '10.0.0.2:2',
          flags: syn ? 'S' : 'A',
          options,
        });
        const vlans: VlanTag[] = tags === 0 ? [] : tags === 1 ? [1] : [{ id: 1, tpid: 0x88a8 }, 1];
        const frame = ether(ip, { vlans });
        const ipOffset = 14 + 4 * tags;
        const tcpOffset = ipOffset + (v6 ? 40 : 20);
        templates[templateKey(v6, tags, layout)] = {
          bytes: Buffer.from(frame),
          ipOffset,
          tcpOffset,
          headerLength: frame.length,
          tcpHeaderLength: frame.length - tcpOffset,
          tsOffset: layout === LAYOUT.TS ? 24 : layout === LAYOUT.SYN_TS ? 28 : -1,
        };
      }
    }
  }
  return templates;
}
