/**
 * The network layer: IPv4 options and IPv6 extension-header chains in front of TCP, and where the
 * payload length comes from: the IP length fields, not the captured bytes (a snap length of 96 keeps
 * sequence space exact), never Ethernet padding, the frame length when IPv4 total length is 0 (TSO).
 */
import { describe, expect, it } from 'vitest';
import { ether, ipv4, IPPROTO, ipv6, LINKTYPE, tcp, type TcpPacketSpec } from '../../tools/craft/index.js';
import { SegmentKind } from '../../src/decode/segment.js';
import { addressFields, decodeOne } from '../support/decode-frames.js';

const v4 = (extra: Partial<TcpPacketSpec> = {}): Uint8Array =>
  tcp({ src: '192.0.2.10:5555', dst: '203.0.113.5:80', seq: 77, ack: 88, flags: 'A', ts: [7, 8], ttl: 33, ipId: 4242, ...extra });
const v6 = (extra: Partial<TcpPacketSpec> = {}): Uint8Array =>
  tcp({ src: '[2001:db8::10]:5555', dst: '[2001:db8:5::5]:80', seq: 77, ack: 88, flags: 'A', ts: [7, 8], ttl: 33, ...extra });

describe('IPv4 options', () => {
  it('finds TCP after the options (IHL 8 and the maximum IHL 15)', () => {
    const recordRoute = Uint8Array.of(7, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0);
    for (const ipOptions of [recordRoute, new Uint8Array(40).fill(1)]) {
      const { seg } = decodeOne({ data: ether(v4({ ipOptions, payload: 21 })), linkType: LINKTYPE.ETHERNET });
      expect(seg).toMatchObject({
        ...addressFields('192.0.2.10', '203.0.113.5'),
        srcPort: 5555,
        dstPort: 80,
        seq: 77,
        ack: 88,
        ttl: 33,
        ipId: 4242,
        hasTimestamp: true,
        tsVal: 7,
        tsEcr: 8,
        headerLength: 32,
        payloadLength: 21,
        capturedPayloadLength: 21,
      });
    }
  });

  it('an IHL below 5 or a version other than 4 is malformed', () => {
    for (const patch of [0x44 /* IHL 4 */, 0x06 /* version 0 */, 0x65 /* version 6 */]) {
      const p = v4();
      p[0] = patch;
      const r = decodeOne({ data: ether(p, { etherType: 0x0800 }), linkType: LINKTYPE.ETHERNET });
      expect(r.seg, `first byte 0x${patch.toString(16)}`).toBeNull();
      expect(r.notDecoded).toEqual({ 'malformed-header': 1 });
    }
  });

  it('DF and the reserved flag do not make a fragment', () => {
    for (const [df, reservedFlag] of [
      [true, false],
      [false, true],
      [true, true],
    ] as const) {
      const p = ipv4({ src: '10.0.0.1', dst: '10.0.0.2', protocol: IPPROTO.TCP, df, reservedFlag, payload: v4({ payload: 3 }).subarray(20) });
      expect(decodeOne({ data: p, linkType: LINKTYPE.RAW }).seg, `df ${df} reserved ${reservedFlag}`).toMatchObject({ payloadLength: 3, unreassembled: false });
    }
  });

  it('options longer than what was captured: truncated-header', () => {
    const p = ether(v4({ ipOptions: new Uint8Array(40).fill(1) }));
    const r = decodeOne({ data: p, linkType: LINKTYPE.ETHERNET, capturedLength: 14 + 40 });
    expect(r.seg).toBeNull();
    expect(r.notDecoded).toEqual({ 'truncated-header': 1 });
  });
});

describe('IPv6 extension headers', () => {
  it('walks hop-by-hop, routing and destination options to TCP; the payload length excludes them', () => {
    const p = v6({
      payload: 50,
      extensions: [
        { type: 'hopByHop', options: Uint8Array.of(5, 2, 0, 0) }, // router alert
        { type: 'routing', addresses: ['2001:db8::99', '2001:db8::98', '2001:db8:5::5'], segmentsLeft: 0 },
        { type: 'destinationOptions', options: new Uint8Array(20).fill(0) },
      ],
    });
    expect(p.length).toBe(40 + 8 + 56 + 24 + 32 + 50);
    const { seg } = decodeOne({ data: ether(p), linkType: LINKTYPE.ETHERNET });
    expect(seg).toMatchObject({
      ipVersion: 6,
      ...addressFields('2001:db8::10', '2001:db8:5::5'),
      srcPort: 5555,
      dstPort: 80,
      ttl: 33,
      ipId: -1,
      headerLength: 32,
      payloadLength: 50,
      capturedPayloadLength: 50,
      hasTimestamp: true,
    });
  });

  it('no next header (59) after an extension header is not-tcp', () => {
    const p = ipv6({ src: '2001:db8::1', dst: '2001:db8::2', nextHeader: IPPROTO.NONE, payload: new Uint8Array(0), extensions: [{ type: 'hopByHop' }] });
    expect(decodeOne({ data: p, linkType: LINKTYPE.RAW }).notDecoded).toEqual({ 'not-tcp': 1 });
  });

  it('a chain cut by the snap length is truncated-header', () => {
    const p = v6({ extensions: [{ type: 'hopByHop', options: new Uint8Array(30) }, { type: 'destinationOptions' }] });
    for (const captured of [40 + 1, 40 + 30, 40 + 40 + 4]) {
      const r = decodeOne({ data: p, linkType: LINKTYPE.RAW, capturedLength: captured });
      expect(r.seg, `captured ${captured}`).toBeNull();
      expect(r.notDecoded).toEqual({ 'truncated-header': 1 });
    }
  });

  it('an extension header running past the payload length is malformed', () => {
    const p = v6({ extensions: [{ type: 'hopByHop' }] });
    p[41] = 200; // hop-by-hop length: 1608 bytes
    const r = decodeOne({ data: p, linkType: LINKTYPE.RAW });
    expect(r.seg).toBeNull();
    expect(Object.keys(r.notDecoded)).toHaveLength(1);
  });
});

describe('payload length from the IP length fields', () => {
  it('snap length 96: payloadLength from IP, capturedPayloadLength what was kept (IPv4 and IPv6)', () => {
    const a = ether(v4({ payload: 1000 }));
    expect(decodeOne({ data: a, linkType: LINKTYPE.ETHERNET, capturedLength: 96 }).seg).toMatchObject({
      kind: SegmentKind.Normal,
      headerLength: 32,
      payloadLength: 1000,
      capturedPayloadLength: 96 - 14 - 20 - 32,
      hasTimestamp: true,
      seq: 77,
    });
    const b = ether(v6({ payload: 1000 }));
    expect(decodeOne({ data: b, linkType: LINKTYPE.ETHERNET, capturedLength: 96 }).seg).toMatchObject({
      payloadLength: 1000,
      capturedPayloadLength: 96 - 14 - 40 - 32,
    });
  });

  it('a cut through the TCP options keeps the segment but not the cut option', () => {
    const p = ether(v4({ payload: 10 }));
    const r = decodeOne({ data: p, linkType: LINKTYPE.ETHERNET, capturedLength: 14 + 20 + 26 });
    expect(r.seg).toMatchObject({ kind: SegmentKind.Normal, headerLength: 32, payloadLength: 10, capturedPayloadLength: 0, hasTimestamp: false });
  });

  it('Ethernet padding is not payload', () => {
    for (const [payload, tsOption] of [
      [0, null],
      [1, null],
      [5, null],
    ] as const) {
      const frame = ether(v4({ payload, ts: tsOption }), { padTo: 60 });
      expect(frame.length).toBe(60);
      const { seg } = decodeOne({ data: frame, linkType: LINKTYPE.ETHERNET });
      expect(seg, `payload ${payload}`).toMatchObject({ payloadLength: payload, capturedPayloadLength: payload, headerLength: 20 });
    }
    // VLAN-tagged and IPv6 too.
    expect(decodeOne({ data: ether(v4({ ts: null }), { vlans: [3], padTo: 64 }), linkType: LINKTYPE.ETHERNET }).seg).toMatchObject({ payloadLength: 0, vlan: 3 });
    expect(decodeOne({ data: ether(v6({ ts: null, payload: 2 }), { padTo: 100 }), linkType: LINKTYPE.ETHERNET }).seg).toMatchObject({ payloadLength: 2 });
  });

  it('IPv4 total length 0 (TSO): the frame (original) length gives the payload', () => {
    const p = ether(v4({ totalLength: 0, payload: 2000 }));
    expect(decodeOne({ data: p, linkType: LINKTYPE.ETHERNET }).seg).toMatchObject({ payloadLength: 2000, capturedPayloadLength: 2000 });
    // Cut by a snap length: still the original length.
    expect(decodeOne({ data: p, linkType: LINKTYPE.ETHERNET, capturedLength: 96 }).seg).toMatchObject({ payloadLength: 2000, capturedPayloadLength: 30 });
  });

  it('IPv6 payload length 0 (jumbo/TSO): the frame length gives the payload', () => {
    const p = ether(v6({ totalLength: 0, payload: 3000 }));
    expect(decodeOne({ data: p, linkType: LINKTYPE.ETHERNET }).seg).toMatchObject({ payloadLength: 3000 });
  });

  it('an IP length beyond the frame is bounded by the frame; a shorter one bounds the payload', () => {
    // tshark exp4 frames 13 and 14: total length 200 on a 64-byte frame, 44 with 10 bytes of data.
    expect(decodeOne({ data: ether(v4({ ts: null, payload: 10, totalLength: 200 })), linkType: LINKTYPE.ETHERNET }).seg).toMatchObject({ payloadLength: 10 });
    expect(decodeOne({ data: ether(v4({ ts: null, payload: 10, totalLength: 44 })), linkType: LINKTYPE.ETHERNET }).seg).toMatchObject({
      payloadLength: 4,
      capturedPayloadLength: 4,
    });
    expect(decodeOne({ data: v6({ ts: null, payload: 10, totalLength: 24 }), linkType: LINKTYPE.RAW }).seg).toMatchObject({ payloadLength: 4 });
  });

  it('an IPv4 total length below the header length is malformed (nothing above IP)', () => {
    const r = decodeOne({ data: ether(v4({ totalLength: 10 })), linkType: LINKTYPE.ETHERNET });
    expect(r.seg).toBeNull();
    expect(r.notDecoded).toEqual({ 'malformed-header': 1 });
  });

  it('a raw IPv4 header on its own (no TCP bytes at all) is truncated-header', () => {
    const header = ipv4({ src: '10.0.0.1', dst: '10.0.0.2', protocol: IPPROTO.TCP, payload: new Uint8Array(0) });
    expect(decodeOne({ data: header, linkType: LINKTYPE.RAW }).notDecoded).toEqual({ 'truncated-header': 1 });
  });
});
