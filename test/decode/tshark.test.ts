/**
 * The decoder against tshark (skipped where tshark is not installed): one pcapng with an interface per
 * supported link type and the edge cases of the other decode tests. tshark assigns `tcp.stream` exactly
 * to the TCP headers closetrace must see: ours are the Normal and HeaderOnly segments outside ICMP, and
 * the Quoted ones inside ICMP errors; ports, raw seq and tcp.len must agree.
 */
import { afterAll, describe, expect, it } from 'vitest';
import {
  AF,
  bsdLoop,
  bsdNull,
  buildPcapng,
  ether,
  ETHERTYPE,
  fragmentIpv4,
  ipv4,
  IPPROTO,
  ipv6,
  LINKTYPE,
  linuxSll,
  linuxSll2,
  parseIp,
  setTcpChecksum,
  tcp,
  tcpSegment,
  type PcapngWriter,
  type TcpPacketSpec,
} from '../../tools/craft/index.js';
import { SegmentDecoder } from '../../src/decode/decoder.js';
import { numberedByTshark } from '../../src/flow/stream-rules.js';
import { newSegment, SegmentKind } from '../../src/decode/segment.js';
import { readCapture } from '../../src/capture/reader.js';
import { icmpv4, icmpv6, quote } from '../support/icmp.js';
import { tempDir } from '../support/temp-dir.js';
import { hasTshark, tsharkFields } from '../support/tshark.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

interface Ours {
  frame: number;
  kind: number;
  srcPort: number;
  dstPort: number;
  seq: number;
  payloadLength: number;
}

async function decodeFile(file: string): Promise<{ ours: Map<number, Ours>; frames: number; error: string | null }> {
  const decoder = new SegmentDecoder();
  const seg = newSegment();
  const ours = new Map<number, Ours>();
  const result = await readCapture(file, (f) => {
    // Headers cut after 14 bytes are tracked but, like tshark, given no stream (numberedByTshark).
    if (decoder.decode(f, seg) && numberedByTshark(seg)) ours.set(f.number, { frame: f.number, kind: seg.kind, srcPort: seg.srcPort, dstPort: seg.dstPort, seq: seg.seq >>> 0, payloadLength: seg.payloadLength });
  });
  return { ours, frames: result.frames, error: result.error };
}

interface Theirs {
  frame: number;
  icmp: boolean;
  srcPort: number;
  dstPort: number;
  seq: string;
  len: string;
}

function tsharkStreams(file: string): { rows: number; withStream: Map<number, Theirs> } {
  const rows = tsharkFields(file, ['frame.number', 'frame.protocols', 'tcp.stream', 'tcp.srcport', 'tcp.dstport', 'tcp.seq_raw', 'tcp.len', 'tcp.seq']);
  const withStream = new Map<number, Theirs>();
  for (const [number, protocols, stream, srcPort, dstPort, seqRaw, len, seq] of rows) {
    if (stream === '') continue;
    // tshark shows no seq_raw for IPv4-quoted headers, only the (absolute) seq.
    withStream.set(Number(number), { frame: Number(number), icmp: /:icmp(v6)?:/.test(protocols), srcPort: Number(srcPort), dstPort: Number(dstPort), seq: seqRaw || seq, len });
  }
  return { rows: rows.length, withStream };
}

/** Asserts tshark's TCP headers (those given a stream) equal our segments, frame by frame. */
async function compare(file: string): Promise<number> {
  const { ours, frames, error } = await decodeFile(file);
  expect(error).toBeNull();
  const { rows, withStream } = tsharkStreams(file);
  expect(frames).toBe(rows);
  expect([...ours.keys()].sort((a, b) => a - b), 'frames with a TCP header').toEqual([...withStream.keys()].sort((a, b) => a - b));
  for (const [frame, t] of withStream) {
    const o = ours.get(frame)!;
    const where = `frame ${frame}`;
    expect(o.kind === SegmentKind.Quoted, `${where}: quoted in ICMP`).toBe(t.icmp);
    expect([o.srcPort, o.dstPort], where).toEqual([t.srcPort, t.dstPort]);
    if (o.kind !== SegmentKind.HeaderOnly && t.seq !== '') expect(o.seq, where).toBe(Number(t.seq));
    if (o.kind === SegmentKind.Normal && t.len !== '') expect(o.payloadLength, where).toBe(Number(t.len));
  }
  return withStream.size;
}

const T0 = 1_700_000_000_000_000_000n;

function buildCorpus(): Uint8Array {
  let port = 20000;
  let ipId = 1;
  let t = T0;
  const seg = (version: 4 | 6, extra: Partial<TcpPacketSpec> = {}): Uint8Array => {
    port++;
    return version === 4
      ? tcp({ src: `192.0.2.1:${port}`, dst: '198.51.100.2:80', seq: 0x90000000 + port, ack: 5, flags: 'PA', payload: 40, ipId: ipId++, ...extra })
      : tcp({ src: `[2001:db8::1]:${port}`, dst: '[2001:db8::2]:80', seq: 0x90000000 + port, ack: 5, flags: 'PA', payload: 40, ...extra });
  };
  return buildPcapng((w: PcapngWriter) => {
    const add = (interfaceId: number, data: Uint8Array, capturedLength = data.length): void => {
      t += 1_000_000n;
      w.enhancedPacket({ interfaceId, ts: t, data: data.subarray(0, capturedLength), originalLength: data.length });
    };
    const eth = w.addInterface({ linkType: LINKTYPE.ETHERNET, tsresol: 9 });
    const links: Array<[number, (p: Uint8Array) => Uint8Array, Array<4 | 6>]> = [
      [w.addInterface({ linkType: LINKTYPE.LINUX_SLL }), (p) => linuxSll(p), [4, 6]],
      [w.addInterface({ linkType: LINKTYPE.LINUX_SLL2 }), (p) => linuxSll2(p), [4, 6]],
      [w.addInterface({ linkType: LINKTYPE.RAW }), (p) => p, [4, 6]],
      [w.addInterface({ linkType: LINKTYPE.NULL }), (p) => bsdNull(p, { family: p[0] >> 4 === 4 ? AF.INET : AF.INET6_BSD }), [4, 6]],
      [w.addInterface({ linkType: LINKTYPE.NULL }), (p) => bsdNull(p, { family: p[0] >> 4 === 4 ? AF.INET : AF.INET6_DARWIN, byteOrder: 'big' }), [4, 6]],
      [w.addInterface({ linkType: LINKTYPE.NULL }), (p) => bsdNull(p, { family: AF.INET6_FREEBSD }), [6]],
      [w.addInterface({ linkType: LINKTYPE.LOOP }), (p) => bsdLoop(p, { family: p[0] >> 4 === 4 ? AF.INET : AF.INET6_BSD }), [4, 6]],
      [w.addInterface({ linkType: LINKTYPE.IPV4 }), (p) => p, [4]],
      [w.addInterface({ linkType: LINKTYPE.IPV6 }), (p) => p, [6]],
    ];
    // Every link type, both IP versions, SYNs with options and data segments.
    for (const v of [4, 6] as const) {
      add(eth, ether(seg(v, { flags: 'S', mss: 1460, windowScale: 7, sackPermitted: true, ts: [1, 0], payload: 0 })));
      add(eth, ether(seg(v, { flags: 'PAECN', ts: [2, 3] })));
      for (const [id, frame, versions] of links) if (versions.includes(v)) add(id, frame(seg(v)));
    }
    // VLAN stacks, padding, options, extension chains.
    add(eth, ether(seg(4), { vlans: [10] }));
    add(eth, ether(seg(4), { vlans: [{ id: 100, tpid: 0x88a8 }, 200] }));
    add(eth, ether(seg(6), { vlans: [{ id: 300, tpid: 0x88a8 }, 200, 100] }));
    add(eth, ether(seg(4, { payload: 0, ts: null }), { padTo: 60 }));
    add(eth, ether(seg(4, { payload: 3, ts: null }), { vlans: [5], padTo: 64 }));
    add(eth, ether(seg(4, { ipOptions: Uint8Array.of(7, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0) })));
    add(eth, ether(seg(6, { extensions: [{ type: 'hopByHop', options: Uint8Array.of(5, 2, 0, 0) }, { type: 'routing', routingType: 4, data: new Uint8Array(14) }, { type: 'destinationOptions' }] })));
    // Lengths: snap length 96, TSO, IP length beyond / short of the frame, 15 and 16 captured TCP bytes.
    add(eth, ether(seg(4, { payload: 1000 })), 96);
    add(eth, ether(seg(6, { payload: 1000 })), 96);
    add(eth, ether(seg(4, { totalLength: 0, payload: 10, ts: null })));
    add(eth, ether(seg(4, { totalLength: 200, payload: 10, ts: null })));
    add(eth, ether(seg(4, { totalLength: 44, payload: 10, ts: null })));
    add(eth, ether(seg(4, { payload: 100, ts: null })), 14 + 20 + 16);
    add(eth, ether(seg(4, { payload: 100, ts: null })), 14 + 20 + 15);
    add(eth, ether(seg(4, { options: [], dataOffset: 4, payload: 4 })));
    // ICMP errors quoting 20, 16, 8 bytes of a SYN, ICMPv6 20 and 8; echo.
    const syn4 = seg(4, { flags: 'S', payload: 0, mss: 1460 });
    const syn6 = seg(6, { flags: 'S', payload: 0, mss: 1440 });
    add(eth, ether(icmpv4('198.51.100.2', '192.0.2.1', 3, 3, quote(syn4, 20))));
    add(eth, ether(icmpv4('203.0.113.1', '192.0.2.1', 11, 0, quote(seg(4, { flags: 'S', payload: 0 }), 16))));
    add(eth, ether(icmpv4('198.51.100.2', '192.0.2.1', 3, 3, quote(seg(4, { flags: 'S', payload: 0 }), 8))));
    add(eth, ether(icmpv4('198.51.100.2', '192.0.2.1', 8, 0, quote(seg(4), 20))));
    add(eth, ether(icmpv6('2001:db8::2', '2001:db8::1', 1, 4, quote(syn6, 20))));
    add(eth, ether(icmpv6('2001:db8::2', '2001:db8::1', 1, 4, quote(seg(6, { flags: 'S', payload: 0 }), 8))));
    // IPv4 fragments: in order, out of order, first last, one missing, first cut by the snap length.
    const frag = (): Uint8Array[] => fragmentIpv4(seg(4, { flags: 'S', options: [], payload: 100, df: false, ts: null }), 48).map((f) => ether(f));
    const inOrder = frag();
    inOrder.forEach((f) => add(eth, f));
    const [a, b, c] = frag();
    add(eth, a);
    add(eth, c);
    add(eth, ether(seg(4)));
    add(eth, b);
    const late = frag();
    [late[2], late[1], late[0]].forEach((f) => add(eth, f));
    const missing = frag();
    add(eth, missing[0]);
    add(eth, missing[2]);
    const cut = frag();
    add(eth, cut[0], 14 + 20 + 24);
    add(eth, cut[1]);
    add(eth, cut[2]);
    // IPv6 fragments: in order, first last, one missing.
    const v6frag = (): Uint8Array[] => {
      port++;
      const s = tcpSegment({ srcPort: port, dstPort: 443, seq: port * 3, flags: 'S', payload: new Uint8Array(100).fill(0x41) });
      setTcpChecksum(s, parseIp('2001:db8::1').bytes, parseIp('2001:db8::2').bytes);
      return [
        [0, 48],
        [48, 48],
        [96, 24],
      ].map(([o, l]) =>
        ether(ipv6({ src: '2001:db8::1', dst: '2001:db8::2', nextHeader: IPPROTO.TCP, payload: s.subarray(o, o + l), extensions: [{ type: 'fragment', offset: o, more: o + l < s.length, identification: port }] })),
      );
    };
    v6frag().forEach((f) => add(eth, f));
    const v6late = v6frag();
    [v6late[1], v6late[2], v6late[0]].forEach((f) => add(eth, f));
    const v6missing = v6frag();
    add(eth, v6missing[0]);
    add(eth, v6missing[1]);
    // Not TCP: ARP, UDP.
    add(eth, ether(new Uint8Array(28), { etherType: ETHERTYPE.ARP }));
    add(eth, ether(ipv4({ src: '192.0.2.1', dst: '192.0.2.53', protocol: IPPROTO.UDP, payload: Uint8Array.of(0x30, 0x39, 0, 53, 0, 12, 0, 0, 1, 2, 3, 4) })));
  });
}

describe('decoder vs tshark', () => {
  it.skipIf(!hasTshark)('the frames with a TCP header and their ports, raw seq and tcp.len match tshark', async () => {
    const file = tmp.write('decode-vs-tshark.pcapng', buildCorpus());
    const compared = await compare(file);
    expect(compared).toBeGreaterThan(40);
  });

  it.skipIf(!hasTshark)('the real captures in captures/ match tshark', async () => {
    const { existsSync } = await import('node:fs');
    for (const name of ['lo-ipv4.pcap', 'veth-ipv4-any-sll2.pcap', 'veth-ipv6-nsec.pcap', 'two-paths.pcapng']) {
      const path = new URL(`../../captures/${name}`, import.meta.url).pathname;
      if (existsSync(path)) expect(await compare(path), name).toBeGreaterThan(100);
    }
  });

  // BUG (src/decode/decoder.ts:177-206 enterFragment / tcp.ts:23): the TCP header is only ever read from
  // the first fragment. When the first fragment carries fewer than 16 bytes of it (8-byte fragments, as
  // `fragroute`-style tiny-fragment traffic has), that frame counts as truncated-header and nothing is
  // held, so the completed datagram yields no segment; tshark reassembles first and shows the SYN
  // (tcp.len 100) at the completing frame.
  it.skipIf(!hasTshark)('a TCP header split across tiny IPv4 fragments appears at the completing frame', async () => {
    const whole = tcp({ src: '192.0.2.1:4001', dst: '192.0.2.2:80', flags: 'S', seq: 1000, options: [], payload: 100, ipId: 5, df: false });
    const file = tmp.write('tiny-fragments.pcapng', buildPcapng((w) => {
      w.addInterface({ linkType: LINKTYPE.ETHERNET });
      fragmentIpv4(whole, 8).forEach((f, i) => w.enhancedPacket({ ts: T0 + BigInt(i), data: ether(f) }));
    }));
    await compare(file);
  });

  // BUG (src/decode/ipv6.ts:62-77, see test/decode/fragments.test.ts): later fragments of an IPv6
  // datagram whose fragmentable part starts with a destination-options header are walked as headers.
  it.skipIf(!hasTshark)('IPv6 fragments with destination options after the fragment header match tshark', async () => {
    const s = tcpSegment({ srcPort: 4100, dstPort: 443, seq: 0xabcdef01, flags: 'S', payload: new Uint8Array(100).fill(0x41) });
    setTcpChecksum(s, parseIp('2001:db8::1').bytes, parseIp('2001:db8::2').bytes);
    const part = new Uint8Array(8 + s.length);
    part.set([IPPROTO.TCP, 0, 1, 4, 0, 0, 0, 0]);
    part.set(s, 8);
    const file = tmp.write('v6-frag-dstopts.pcapng', buildPcapng((w) => {
      w.addInterface({ linkType: LINKTYPE.ETHERNET });
      [[0, 48], [48, 48], [96, 32]].forEach(([o, l], i) =>
        w.enhancedPacket({
          ts: T0 + BigInt(i),
          data: ether(ipv6({ src: '2001:db8::1', dst: '2001:db8::2', nextHeader: IPPROTO.DSTOPTS, payload: part.subarray(o, o + l), extensions: [{ type: 'hopByHop' }, { type: 'fragment', offset: o, more: o + l < part.length, identification: 7 }] })),
        }),
      );
    }));
    await compare(file);
  });
});
