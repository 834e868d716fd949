/**
 * Every supported link type down to the TCP segment, for IPv4 and IPv6: addresses as words, ports,
 * sequence and acknowledgment numbers, all flag bits (NS/CWR/ECE included), header length, window,
 * TTL / hop limit, IPv4 ID, the timestamp option, window scale on SYNs and the outermost VLAN id.
 */
import { describe, expect, it } from 'vitest';
import { AF, bsdLoop, bsdNull, ether, ETHERTYPE, LINKTYPE, linuxSll, linuxSll2, tcp, type TcpPacketSpec } from '../../tools/craft/index.js';
import { SegmentKind } from '../../src/decode/segment.js';
import { addressFields, decodeOne } from '../support/decode-frames.js';

const V4 = { src: '192.0.2.1', dst: '198.51.100.7' };
const V6 = { src: '2001:db8:1::a', dst: '2001:db8:ffff::1:2' };

/** A data segment with every field set to something distinctive. */
function packet(version: 4 | 6, extra: Partial<TcpPacketSpec> = {}): Uint8Array {
  const a = version === 4 ? V4 : V6;
  const ep = (addr: string, port: number): string => (version === 4 ? `${addr}:${port}` : `[${addr}]:${port}`);
  return tcp({
    src: ep(a.src, 40000),
    dst: ep(a.dst, 443),
    seq: 0xfedcba98,
    ack: 0x01234567,
    flags: 'PAECN',
    window: 0x1234,
    ttl: 57,
    ipId: 0xbeef,
    ts: [0x11223344, 0x55667788],
    payload: 33,
    ...extra,
  });
}

function expected(version: 4 | 6): Record<string, unknown> {
  const a = version === 4 ? V4 : V6;
  return {
    kind: SegmentKind.Normal,
    ipVersion: version,
    ...addressFields(a.src, a.dst),
    srcPort: 40000,
    dstPort: 443,
    seq: 0xfedcba98,
    ack: 0x01234567,
    flags: 0x1d8,
    headerLength: 32,
    optionsLength: 12,
    window: 0x1234,
    ttl: 57,
    ipId: version === 4 ? 0xbeef : -1,
    hasTimestamp: true,
    tsVal: 0x11223344,
    tsEcr: 0x55667788,
    windowScale: -1,
    payloadLength: 33,
    capturedPayloadLength: 33,
    unreassembled: false,
    frame: 1,
    seconds: 1_700_000_001,
    nanos: 1000,
  };
}

interface LinkCase {
  name: string;
  linkType: number;
  frame: (ip: Uint8Array) => Uint8Array;
  versions: Array<4 | 6>;
  vlan?: number;
}

const nullFamily = (v4: number, v6: number, byteOrder: 'little' | 'big') => (ip: Uint8Array) => bsdNull(ip, { family: ip[0] >> 4 === 4 ? v4 : v6, byteOrder });

const LINKS: LinkCase[] = [
  { name: 'Ethernet', linkType: LINKTYPE.ETHERNET, frame: (p) => ether(p), versions: [4, 6] },
  { name: '802.1Q', linkType: LINKTYPE.ETHERNET, frame: (p) => ether(p, { vlans: [10] }), versions: [4, 6], vlan: 10 },
  { name: '802.1Q with priority and DEI bits', linkType: LINKTYPE.ETHERNET, frame: (p) => ether(p, { vlans: [{ id: 4094, pcp: 7, dei: true }] }), versions: [4], vlan: 4094 },
  { name: '802.1ad (QinQ)', linkType: LINKTYPE.ETHERNET, frame: (p) => ether(p, { vlans: [{ id: 100, tpid: 0x88a8 }, 200] }), versions: [4, 6], vlan: 100 },
  {
    name: 'three stacked tags',
    linkType: LINKTYPE.ETHERNET,
    frame: (p) => ether(p, { vlans: [{ id: 300, tpid: 0x88a8 }, { id: 200, tpid: 0x8100 }, 100] }),
    versions: [4, 6],
    vlan: 300,
  },
  { name: 'old QinQ TPID 0x9100', linkType: LINKTYPE.ETHERNET, frame: (p) => ether(p, { vlans: [{ id: 5, tpid: 0x9100 }, 6] }), versions: [4], vlan: 5 },
  { name: 'Linux SLL (113)', linkType: LINKTYPE.LINUX_SLL, frame: (p) => linuxSll(p, { packetType: 4 }), versions: [4, 6] },
  { name: 'Linux SLL2 (276)', linkType: LINKTYPE.LINUX_SLL2, frame: (p) => linuxSll2(p, { interfaceIndex: 9 }), versions: [4, 6] },
  { name: 'raw (101)', linkType: LINKTYPE.RAW, frame: (p) => p, versions: [4, 6] },
  { name: 'raw (12)', linkType: LINKTYPE.RAW_DLT12, frame: (p) => p, versions: [4, 6] },
  { name: 'raw (14)', linkType: LINKTYPE.RAW_DLT14, frame: (p) => p, versions: [4, 6] },
  { name: 'DLT_IPV4 (228)', linkType: LINKTYPE.IPV4, frame: (p) => p, versions: [4] },
  { name: 'DLT_IPV6 (229)', linkType: LINKTYPE.IPV6, frame: (p) => p, versions: [6] },
  { name: 'BSD null, little-endian, AF_INET6 24', linkType: LINKTYPE.NULL, frame: nullFamily(AF.INET, AF.INET6_BSD, 'little'), versions: [4, 6] },
  { name: 'BSD null, little-endian, AF_INET6 28', linkType: LINKTYPE.NULL, frame: nullFamily(AF.INET, AF.INET6_FREEBSD, 'little'), versions: [6] },
  { name: 'BSD null, little-endian, AF_INET6 30', linkType: LINKTYPE.NULL, frame: nullFamily(AF.INET, AF.INET6_DARWIN, 'little'), versions: [6] },
  { name: 'BSD null, big-endian, AF_INET6 24', linkType: LINKTYPE.NULL, frame: nullFamily(AF.INET, AF.INET6_BSD, 'big'), versions: [4, 6] },
  { name: 'BSD null, big-endian, AF_INET6 28', linkType: LINKTYPE.NULL, frame: nullFamily(AF.INET, AF.INET6_FREEBSD, 'big'), versions: [6] },
  { name: 'BSD null, big-endian, AF_INET6 30', linkType: LINKTYPE.NULL, frame: nullFamily(AF.INET, AF.INET6_DARWIN, 'big'), versions: [6] },
  { name: 'BSD loop (108), AF_INET6 24', linkType: LINKTYPE.LOOP, frame: (p) => bsdLoop(p, { family: p[0] >> 4 === 4 ? AF.INET : AF.INET6_BSD }), versions: [4, 6] },
  { name: 'BSD loop (108), AF_INET6 28', linkType: LINKTYPE.LOOP, frame: (p) => bsdLoop(p, { family: AF.INET6_FREEBSD }), versions: [6] },
  { name: 'BSD loop (108), AF_INET6 30', linkType: LINKTYPE.LOOP, frame: (p) => bsdLoop(p, { family: AF.INET6_DARWIN }), versions: [6] },
];

describe('decoded segment fields on every link type', () => {
  for (const link of LINKS) {
    for (const version of link.versions) {
      it(`${link.name}, IPv${version}`, () => {
        const { seg, notDecoded, segments } = decodeOne({ data: link.frame(packet(version)), linkType: link.linkType });
        expect(seg).not.toBeNull();
        expect(seg).toMatchObject({ ...expected(version), vlan: link.vlan ?? -1 });
        expect(notDecoded).toEqual({});
        expect(segments).toBe(1);
      });
    }
  }
});

describe('SYN options', () => {
  it('reads the window scale (and timestamps) of a SYN with Linux-style options', () => {
    for (const version of [4, 6] as const) {
      const syn = packet(version, { flags: 'S', ack: 0, mss: 1460, sackPermitted: true, windowScale: 7, ts: [1, 0], payload: 0 });
      const { seg } = decodeOne({ data: ether(syn), linkType: LINKTYPE.ETHERNET });
      expect(seg).toMatchObject({ flags: 0x002, headerLength: 40, optionsLength: 20, windowScale: 7, hasTimestamp: true, tsVal: 1, tsEcr: 0, payloadLength: 0 });
    }
  });

  it('caps a window scale above 14 at 14 (RFC 7323 2.3)', () => {
    const syn = packet(4, { flags: 'SA', windowScale: 15, ts: null, payload: 0 });
    expect(decodeOne({ data: syn, linkType: LINKTYPE.RAW }).seg).toMatchObject({ windowScale: 14, hasTimestamp: false, headerLength: 24 });
  });

  it('no timestamp option: hasTimestamp false, window scale -1', () => {
    const p = packet(6, { ts: null, options: [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'sack', blocks: [[1, 2]] }] });
    expect(decodeOne({ data: p, linkType: LINKTYPE.RAW }).seg).toMatchObject({ hasTimestamp: false, windowScale: -1, headerLength: 32 });
  });

  it('a malformed option list ends the scan without losing the segment', () => {
    // A zero-length option (kind 8, length 0) would loop forever if taken at face value.
    const p = packet(4, { ts: null, options: Uint8Array.of(8, 0, 1, 1, 8, 10, 0, 0, 0, 1, 0, 0) });
    const { seg } = decodeOne({ data: p, linkType: LINKTYPE.RAW });
    expect(seg).toMatchObject({ kind: SegmentKind.Normal, hasTimestamp: false, headerLength: 32, payloadLength: 33 });
  });

  it('options after End-of-Options are not read', () => {
    const p = packet(4, { ts: null, options: Uint8Array.of(0, 1, 8, 10, 0, 0, 0, 5, 0, 0, 0, 6) });
    expect(decodeOne({ data: p, linkType: LINKTYPE.RAW }).seg).toMatchObject({ hasTimestamp: false });
  });
});

describe('link layers that carry no IP', () => {
  const ip = packet(4);

  it('an Ethernet ARP frame is not-ip', () => {
    const arp = ether(new Uint8Array(28), { etherType: ETHERTYPE.ARP });
    expect(decodeOne({ data: arp, linkType: LINKTYPE.ETHERNET })).toMatchObject({ seg: null, notDecoded: { 'not-ip': 1 }, segments: 0 });
  });

  it('BSD loop stores the family in network order only: a little-endian AF_INET is not IP', () => {
    const wrongOrder = bsdNull(ip, { family: AF.INET, byteOrder: 'little' });
    expect(decodeOne({ data: wrongOrder, linkType: LINKTYPE.LOOP })).toMatchObject({ seg: null, notDecoded: { 'not-ip': 1 } });
  });

  it('an unknown address family on BSD null is not-ip', () => {
    expect(decodeOne({ data: bsdNull(ip, { family: 99 }), linkType: LINKTYPE.NULL })).toMatchObject({ seg: null, notDecoded: { 'not-ip': 1 } });
  });

  it('Linux SLL from a netlink monitor (ARPHRD_NETLINK) and SLL ARP are not-ip', () => {
    expect(decodeOne({ data: linuxSll(ip, { arphrdType: 824, protocol: 0x0800 }), linkType: LINKTYPE.LINUX_SLL }).notDecoded).toEqual({ 'not-ip': 1 });
    expect(decodeOne({ data: linuxSll2(new Uint8Array(28), { protocol: 0x0806 }), linkType: LINKTYPE.LINUX_SLL2 }).notDecoded).toEqual({ 'not-ip': 1 });
  });

  it('802.3 with an LLC/SNAP header carrying IPv4 is decoded', () => {
    const snap = Uint8Array.of(0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00);
    const body = new Uint8Array(snap.length + ip.length);
    body.set(snap);
    body.set(ip, snap.length);
    const { seg } = decodeOne({ data: ether(body, { etherType: body.length }), linkType: LINKTYPE.ETHERNET });
    expect(seg).toMatchObject(expected(4));
  });

  it('an IPv6 packet on DLT_IPV4 is not a segment', () => {
    const r = decodeOne({ data: packet(6), linkType: LINKTYPE.IPV4 });
    expect(r.seg).toBeNull();
    expect(Object.values(r.notDecoded).reduce((a, b) => a + b, 0)).toBe(1);
  });
});

describe('PPPoE sessions (RFC 2516)', () => {
  /** The PPPoE session header (version/type 0x11, code 0, session id, length) and a PPP protocol field. */
  function pppoe(ip: Uint8Array, protocol: number[]): Uint8Array {
    const length = protocol.length + ip.length;
    return Uint8Array.from([0x11, 0x00, 0x12, 0x34, length >> 8, length & 0xff, ...protocol, ...ip]);
  }

  it.each([
    ['IPv4, 2-byte PPP protocol', 4, [0x00, 0x21]],
    ['IPv6, 2-byte PPP protocol', 6, [0x00, 0x57]],
    ['IPv4, protocol field compressed to one byte', 4, [0x21]],
  ] as const)('on Ethernet, in QinQ and on Linux cooked links: %s', (_name, version, protocol) => {
    const session = pppoe(packet(version), [...protocol]);
    for (const [data, linkType] of [
      [ether(session, { etherType: 0x8864 }), LINKTYPE.ETHERNET],
      [ether(session, { etherType: 0x8864, vlans: [{ id: 100, tpid: 0x88a8 }, 200] }), LINKTYPE.ETHERNET],
      [linuxSll2(session, { protocol: 0x8864 }), LINKTYPE.LINUX_SLL2],
      [session, 51],
    ] as const) {
      const { seg } = decodeOne({ data, linkType });
      expect(seg, `link type ${linkType}`).toMatchObject({ ...expected(version), vlan: expect.any(Number) });
    }
  });

  it('PPPoE discovery frames and PPP control protocols carry no IP', () => {
    const lcp = pppoe(new Uint8Array(8), [0xc0, 0x21]);
    expect(decodeOne({ data: ether(lcp, { etherType: 0x8864 }), linkType: LINKTYPE.ETHERNET }).notDecoded).toEqual({ 'not-ip': 1 });
    expect(decodeOne({ data: ether(new Uint8Array(20), { etherType: 0x8863 }), linkType: LINKTYPE.ETHERNET }).notDecoded).toEqual({ 'not-ip': 1 });
  });
});
