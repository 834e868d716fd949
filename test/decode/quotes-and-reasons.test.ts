/**
 * TCP headers quoted in ICMP/ICMPv6 errors (kind Quoted, with who sent the error), broken TCP headers
 * (kind HeaderOnly, counted as malformed), the 16-captured-bytes rule, and the count of every frame that
 * yields nothing, by reason.
 */
import { describe, expect, it } from 'vitest';
import { ether, ETHERTYPE, ipv4, IPPROTO, LINKTYPE, tcp } from '../../tools/craft/index.js';
import { LINKTYPE_NOT_A_PACKET } from '../../src/capture/pcapng.js';
import { SegmentKind } from '../../src/decode/segment.js';
import { addressFields, decodeOne, Decoding } from '../support/decode-frames.js';
import { icmpv4, icmpv6, quote } from '../support/icmp.js';

const syn4 = tcp({ src: '192.0.2.1:40000', dst: '198.51.100.7:443', flags: 'S', seq: 0x80000001, mss: 1460, windowScale: 7, ts: [1, 0], window: 29200 });
const syn6 = tcp({ src: '[2001:db8::1]:40000', dst: '[2001:db8:9::7]:443', flags: 'S', seq: 0x80000001, mss: 1440, ts: [1, 0] });

describe('ICMP errors quoting TCP', () => {
  it('port unreachable quoting 20 bytes of a SYN: kind Quoted, the quoted 4-tuple, type, code and sender', () => {
    const icmp = ether(icmpv4('198.51.100.7', '192.0.2.1', 3, 3, quote(syn4, 20)));
    const { seg, notDecoded, segments } = decodeOne({ data: icmp, linkType: LINKTYPE.ETHERNET });
    expect(seg).toMatchObject({
      kind: SegmentKind.Quoted,
      ipVersion: 4,
      ...addressFields('192.0.2.1', '198.51.100.7'),
      srcPort: 40000,
      dstPort: 443,
      seq: 0x80000001,
      flags: 0x002,
      window: 29200,
      icmpType: 3,
      icmpCode: 3,
      icmpFrom: '198.51.100.7',
      payloadLength: 0,
      hasTimestamp: false,
      windowScale: -1,
      frame: 1,
    });
    expect(notDecoded).toEqual({ 'icmp-error': 1 });
    expect(segments).toBe(0);
  });

  it('a router (time exceeded, quoting the whole SYN) is named as the sender', () => {
    const { seg } = decodeOne({ data: icmpv4('203.0.113.254', '192.0.2.1', 11, 0, syn4), linkType: LINKTYPE.RAW });
    expect(seg).toMatchObject({ kind: SegmentKind.Quoted, icmpType: 11, icmpCode: 0, icmpFrom: '203.0.113.254', srcPort: 40000, dstPort: 443 });
  });

  it('16 quoted TCP bytes are enough, 15 and the classic 8 are not (not-tcp)', () => {
    expect(decodeOne({ data: icmpv4('198.51.100.7', '192.0.2.1', 3, 1, quote(syn4, 16)), linkType: LINKTYPE.RAW }).seg).toMatchObject({
      kind: SegmentKind.Quoted,
      window: 29200,
    });
    for (const n of [15, 8]) {
      const r = decodeOne({ data: icmpv4('198.51.100.7', '192.0.2.1', 3, 3, quote(syn4, n)), linkType: LINKTYPE.RAW });
      expect(r.seg, `${n} bytes`).toBeNull();
      expect(r.notDecoded).toEqual({ 'not-tcp': 1 });
    }
  });

  it('ICMP echo and other non-error types are not-tcp', () => {
    for (const type of [0, 8, 13]) {
      const r = decodeOne({ data: icmpv4('198.51.100.7', '192.0.2.1', type, 0, quote(syn4, 20)), linkType: LINKTYPE.RAW });
      expect(r.notDecoded, `type ${type}`).toEqual({ 'not-tcp': 1 });
    }
  });

  it('an ICMP error quoting UDP is not-tcp', () => {
    const udp = ipv4({ src: '192.0.2.1', dst: '198.51.100.7', protocol: IPPROTO.UDP, payload: new Uint8Array(20) });
    expect(decodeOne({ data: icmpv4('198.51.100.7', '192.0.2.1', 3, 3, udp), linkType: LINKTYPE.RAW }).notDecoded).toEqual({ 'not-tcp': 1 });
  });

  it('ICMPv6 destination unreachable (port) quoting 20 bytes: Quoted, sender in RFC 5952 form', () => {
    const icmp = ether(icmpv6('2001:db8:9::7', '2001:db8::1', 1, 4, quote(syn6, 20)));
    const { seg, notDecoded } = decodeOne({ data: icmp, linkType: LINKTYPE.ETHERNET });
    expect(seg).toMatchObject({
      kind: SegmentKind.Quoted,
      ipVersion: 6,
      ...addressFields('2001:db8::1', '2001:db8:9::7'),
      srcPort: 40000,
      dstPort: 443,
      seq: 0x80000001,
      icmpType: 1,
      icmpCode: 4,
      icmpFrom: '2001:db8:9::7',
    });
    expect(notDecoded).toEqual({ 'icmp-error': 1 });
  });

  it('ICMPv6 packet too big / time exceeded quote too; 8 bytes or echo do not', () => {
    expect(decodeOne({ data: icmpv6('2001:db8:ff::1', '2001:db8::1', 2, 0, quote(syn6, 20)), linkType: LINKTYPE.RAW }).seg).toMatchObject({
      kind: SegmentKind.Quoted,
      icmpType: 2,
      icmpFrom: '2001:db8:ff::1',
    });
    expect(decodeOne({ data: icmpv6('2001:db8:ff::1', '2001:db8::1', 3, 0, quote(syn6, 16)), linkType: LINKTYPE.RAW }).seg).toMatchObject({ icmpType: 3 });
    expect(decodeOne({ data: icmpv6('2001:db8:9::7', '2001:db8::1', 1, 4, quote(syn6, 8)), linkType: LINKTYPE.RAW }).notDecoded).toEqual({ 'not-tcp': 1 });
    expect(decodeOne({ data: icmpv6('2001:db8:9::7', '2001:db8::1', 128, 0, quote(syn6, 20)), linkType: LINKTYPE.RAW }).notDecoded).toEqual({ 'not-tcp': 1 });
  });

  it('an ICMP error cut by the snap length inside the quote follows the captured bytes', () => {
    const icmp = ether(icmpv4('198.51.100.7', '192.0.2.1', 3, 3, syn4));
    const cutAt = 14 + 20 + 8 + 20 + 15;
    expect(decodeOne({ data: icmp, linkType: LINKTYPE.ETHERNET, capturedLength: cutAt }).notDecoded).toEqual({ 'not-tcp': 1 });
    expect(decodeOne({ data: icmp, linkType: LINKTYPE.ETHERNET, capturedLength: cutAt + 1 }).seg).toMatchObject({ kind: SegmentKind.Quoted });
  });
});

describe('broken TCP headers', () => {
  it('data offset below 5: kind HeaderOnly, counted as malformed-header, still numbered', () => {
    for (const dataOffset of [0, 4]) {
      const p = ether(tcp({ src: '192.0.2.1:4012', dst: '192.0.2.2:80', seq: 1000, flags: 'PA', options: [], payload: 4, dataOffset }));
      const { seg, notDecoded, segments } = decodeOne({ data: p, linkType: LINKTYPE.ETHERNET });
      expect(seg, `data offset ${dataOffset}`).toMatchObject({
        kind: SegmentKind.HeaderOnly,
        srcPort: 4012,
        dstPort: 80,
        seq: 1000,
        headerLength: dataOffset * 4,
        payloadLength: 0,
        frame: 1,
      });
      expect(notDecoded).toEqual({ 'malformed-header': 1 });
      expect(segments).toBe(0);
    }
  });

  it('a data offset longer than the segment: HeaderOnly', () => {
    const p = tcp({ src: '192.0.2.1:1', dst: '192.0.2.2:2', options: [], dataOffset: 15 });
    expect(decodeOne({ data: p, linkType: LINKTYPE.RAW })).toMatchObject({ seg: { kind: SegmentKind.HeaderOnly, headerLength: 60 }, notDecoded: { 'malformed-header': 1 } });
  });

  it('13 captured bytes of TCP header: nothing (truncated-header); 14: a segment with the window unknown; 16: with the window', () => {
    const p = ether(tcp({ src: '192.0.2.1:4007', dst: '192.0.2.2:80', seq: 1000, options: [], payload: 100, window: 777 }));
    const thirteen = decodeOne({ data: p, linkType: LINKTYPE.ETHERNET, capturedLength: 14 + 20 + 13 });
    expect(thirteen.seg).toBeNull();
    expect(thirteen.notDecoded).toEqual({ 'truncated-header': 1 });
    const fourteen = decodeOne({ data: p, linkType: LINKTYPE.ETHERNET, capturedLength: 14 + 20 + 14 });
    expect(fourteen.seg).toMatchObject({ kind: SegmentKind.Normal, srcPort: 4007, seq: 1000, window: -1, headerCut: true, headerLength: 20, payloadLength: 100 });
    const sixteen = decodeOne({ data: p, linkType: LINKTYPE.ETHERNET, capturedLength: 14 + 20 + 16 });
    expect(sixteen.seg).toMatchObject({ kind: SegmentKind.Normal, srcPort: 4007, seq: 1000, window: 777, headerCut: true, headerLength: 20, payloadLength: 100, capturedPayloadLength: 0 });
    expect(sixteen.segments).toBe(1);
    const whole = decodeOne({ data: p, linkType: LINKTYPE.ETHERNET, capturedLength: 14 + 20 + 20 });
    expect(whole.seg).toMatchObject({ headerCut: false, window: 777 });
  });
});

describe('frames without a segment, counted by reason', () => {
  it('counts ARP, UDP, cut IPv4 headers, unsupported link types and non-packet records; only non-zero keys', () => {
    const d = new Decoding();
    const arp = ether(new Uint8Array(28), { etherType: ETHERTYPE.ARP });
    const udp = ether(ipv4({ src: '10.0.0.1', dst: '10.0.0.2', protocol: IPPROTO.UDP, payload: Uint8Array.of(0, 53, 0, 53, 0, 12, 0, 0, 1, 2, 3, 4) }));
    const good = ether(tcp({ src: '10.0.0.1:1', dst: '10.0.0.2:2' }));
    const frames: Array<[Uint8Array, number, number?]> = [
      [arp, LINKTYPE.ETHERNET],
      [udp, LINKTYPE.ETHERNET],
      [good, LINKTYPE.ETHERNET, 14 + 19], // IPv4 header cut
      [good, LINKTYPE.ETHERNET, 10], // Ethernet header cut
      [good, LINKTYPE.ETHERNET],
      [good, 147], // LINKTYPE_USER0
      [good, 999],
      [new Uint8Array(0), LINKTYPE_NOT_A_PACKET],
      [arp, LINKTYPE.ETHERNET],
      [new Uint8Array(0), LINKTYPE.RAW],
    ];
    const results = frames.map(([data, linkType, capturedLength]) => d.next({ data, linkType, capturedLength }));
    expect(results.map((r) => (r === null ? null : r.frame))).toEqual([null, null, null, null, 5, null, null, null, null, null]);
    expect(d.notDecoded()).toEqual({
      'not-ip': 2,
      'not-tcp': 1,
      'truncated-header': 3,
      'unsupported-link-type': 2,
      'not-a-packet': 1,
    });
    expect(d.decoder.segments).toBe(1);
  });

  it('IP-in-IP nested deeper than the limit is too-many-encapsulations, not endless', () => {
    // IPv4 in IPv4 nested 12 times around a TCP segment.
    let p = tcp({ src: '10.0.0.1:1', dst: '10.0.0.2:2' });
    for (let i = 0; i < 12; i++) p = ipv4({ src: '10.9.0.1', dst: '10.9.0.2', protocol: 4, payload: p });
    const r = decodeOne({ data: p, linkType: LINKTYPE.RAW });
    expect(r.seg).toBeNull();
    expect(r.notDecoded).toEqual({ 'too-many-encapsulations': 1 });
  });

  it('a segment decoded after a failure carries no leftovers (vlan, kind, options) of earlier frames', () => {
    const d = new Decoding();
    const tagged = ether(tcp({ src: '10.0.0.1:1', dst: '10.0.0.2:2', flags: 'S', windowScale: 3, ts: [5, 0] }), { vlans: [42] });
    const icmp = icmpv4('198.51.100.7', '192.0.2.1', 3, 3, quote(syn4, 20));
    const broken = tcp({ src: '10.0.0.1:1', dst: '10.0.0.2:2', options: [], dataOffset: 3 });
    const plain = tcp({ src: '10.0.0.1:1', dst: '10.0.0.2:2', ts: null, options: [] });
    expect(d.next({ data: tagged, linkType: LINKTYPE.ETHERNET })).toMatchObject({ vlan: 42, windowScale: 3, hasTimestamp: true });
    expect(d.next({ data: icmp, linkType: LINKTYPE.RAW })).toMatchObject({ kind: SegmentKind.Quoted });
    expect(d.next({ data: broken, linkType: LINKTYPE.RAW })).toMatchObject({ kind: SegmentKind.HeaderOnly });
    expect(d.next({ data: plain, linkType: LINKTYPE.RAW })).toMatchObject({ kind: SegmentKind.Normal, vlan: -1, windowScale: -1, hasTimestamp: false, unreassembled: false, frame: 4 });
  });
});
