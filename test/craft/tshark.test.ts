/**
 * Crafted captures checked against an independent decoder, tshark, field by field. Skipped where tshark
 * is not installed (CI may not have it); the other craft tests do not need it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import {
  AF,
  bsdNull,
  buildPcap,
  buildPcapng,
  conversation,
  encapsulate,
  ether,
  formatIp,
  fragmentIpv4,
  gzip,
  gzipMembers,
  LINKTYPE,
  linuxSll,
  linuxSll2,
  mergeByTime,
  tcp,
  TCP_FLAG,
  type Conversation,
  type ConversationPacket,
} from '../../tools/craft/index.js';
import { epochText, hasTshark, tempDir, tsharkFields } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const FIELDS = [
  'frame.number',
  'tcp.stream',
  'tcp.srcport',
  'tcp.dstport',
  'tcp.seq_raw',
  'tcp.ack_raw',
  'tcp.flags',
  'ip.ttl',
  'ipv6.hlim',
  'tcp.len',
  'frame.time_epoch',
  'tcp.checksum.status',
  'ip.checksum.status',
  'ip.src',
  'ipv6.src',
  'vlan.id',
  'ieee8021ad.id',
  'tcp.options.timestamp.tsval',
];

/** The edge cases real sockets will not produce on demand, one conversation each. */
function edgeCases(): { conversations: Conversation[]; packets: ConversationPacket[] } {
  const at = (ms: number): bigint => 1_700_000_000_000_000_000n + BigInt(ms) * 1_000_000n;
  const all: Conversation[] = [];
  const make = (a: string, b: string, ms: number, opts: Parameters<typeof conversation>[2] = {}): Conversation => {
    const c = conversation(a, b, { start: at(ms), ...opts });
    all.push(c);
    return c;
  };

  // Sequence numbers wrap past 2^32 in both directions, on a QinQ-tagged link.
  const wrap = make('10.0.0.1:40000', '10.0.0.2:80', 0, {
    isnA: 0xffffff00,
    isnB: 0xfffffff0,
    link: (p) => ether(p, { vlans: [{ id: 100, tpid: 0x88a8 }, 200] }),
  });
  wrap.syn();
  wrap.synAck();
  wrap.ack();
  wrap.data('a', 0x180);
  wrap.data('b', 1448);
  wrap.ack('a');
  wrap.fin('a');
  wrap.fin('b');
  wrap.ack('a');

  // FIN with payload, retransmitted once, then acknowledged; peer answers with RST carrying text.
  const finData = make('10.0.0.3:40001', '10.0.0.2:80', 1, { link: (p) => ether(p) });
  finData.syn();
  finData.synAck();
  finData.ack();
  finData.fin('b', { payload: 20 });
  finData.fin('b', { payload: 20, after: 0.2 });
  finData.ack('a');
  finData.rst('a', { payload: 'connection aborted' });

  // Mid-stream start over IPv6: first packets are data; then a FIN that is never acknowledged.
  const mid = make('[2001:db8::1]:50000', '[2001:db8::2]:443', 2, { isnA: 123456, isnB: 654321, link: (p) => ether(p) });
  mid.data('a', 100);
  mid.data('b', 200);
  mid.ack('a');
  mid.fin('a');

  // Reordering: the second data segment is captured before the first.
  const reorder = make('10.0.0.4:40002', '10.0.0.2:80', 3, { isnA: 1000, isnB: 2000, link: (p) => ether(p, { vlans: [7] }) });
  reorder.syn();
  reorder.synAck();
  reorder.ack();
  reorder.data('a', 100, { seq: 1101, advance: false });
  reorder.data('a', 100);
  reorder.data('a', 100);
  reorder.ack('b');

  // Port reuse: the same 4-tuple closes, then opens again with a new ISN.
  const first = make('10.0.0.5:40003', '10.0.0.2:80', 4, { isnA: 10, isnB: 20, link: (p) => ether(p) });
  first.syn();
  first.synAck();
  first.ack();
  first.fin('a');
  first.fin('b');
  first.ack('a');
  const again = make('10.0.0.5:40003', '10.0.0.2:80', 500, { isnA: 90000, isnB: 80000, link: (p) => ether(p) });
  again.syn();
  again.synAck();
  again.ack();

  // A middlebox injects a RST with an odd TTL and IP id 0 in the middle of an exchange.
  const middlebox = make('10.0.0.6:40004', '10.0.0.2:80', 5, { ttlB: 60, link: (p) => ether(p) });
  middlebox.syn();
  middlebox.synAck();
  middlebox.ack();
  middlebox.data('a', 50);
  middlebox.rst('b', { flags: 'R', ttl: 251, ipId: 0 });
  middlebox.keepalive('a', { after: 10 });

  const packets = mergeByTime(...all.map((c) => c.packets));
  return { conversations: all, packets };
}

describe.skipIf(!hasTshark)('crafted captures read by tshark', () => {
  it('decodes every field of the edge-case conversations as crafted', () => {
    const { conversations, packets } = edgeCases();
    const file = tmp.write('edge.pcap', buildPcap(packets, { precision: 'nano' }));
    const rows = tsharkFields(file, FIELDS);
    expect(rows.length).toBe(packets.length);
    // tshark numbers streams by first appearance, and starts a new one when a closed 4-tuple SYNs again.
    const streamOf = new Map<ConversationPacket, number>();
    const order: Conversation[] = [];
    for (const p of packets) {
      const c = conversations.find((x) => x.packets.includes(p))!;
      if (!order.includes(c)) order.push(c);
      streamOf.set(p, order.indexOf(c));
    }
    packets.forEach((p, i) => {
      const [frame, stream, sport, dport, seq, ack, flags, ttl, hlim, len, time, tcpCk, ipCk, src, src6, vlan, svlan, tsval] = rows[i];
      const spec = p.spec;
      const srcEndpoint = typeof spec.src === 'string' ? undefined : spec.src;
      const v6 = srcEndpoint!.address.version === 6;
      expect(Number(frame)).toBe(i + 1);
      expect(Number(stream)).toBe(streamOf.get(p));
      expect(Number(sport)).toBe(srcEndpoint!.port);
      const dstEndpoint = typeof spec.dst === 'string' ? undefined : spec.dst;
      expect(Number(dport)).toBe(dstEndpoint!.port);
      expect(Number(seq)).toBe(p.seq);
      expect(Number(ack)).toBe(p.flags & TCP_FLAG.ACK ? p.ack : 0);
      expect(parseInt(flags, 16)).toBe(p.flags);
      expect(Number(v6 ? hlim : ttl)).toBe(spec.ttl);
      expect(Number(len)).toBe(p.payloadLength);
      expect(time).toBe(epochText(p.ts));
      expect(tcpCk).toBe('1');
      expect(ipCk).toBe(v6 ? '' : '1');
      expect(v6 ? src6 : src).toBe(formatIp(srcEndpoint!.address));
      expect(tsval).toBe(spec.ts ? String(spec.ts[0]) : '');
      // tshark decodes an 802.1ad (0x88a8) tag as ieee8021ad, an 802.1Q one as vlan.
      if (p.data[12] === 0x88) expect([svlan, vlan]).toEqual(['100', '200']);
      else if (p.data[12] === 0x81) expect([svlan, vlan]).toEqual(['', '7']);
      else expect([svlan, vlan]).toEqual(['', '']);
    });
  });

  it('flags the analysis events the scripts stage', () => {
    const { packets } = edgeCases();
    const file = tmp.write('edge-analysis.pcap', buildPcap(packets));
    const rows = tsharkFields(file, ['tcp.analysis.retransmission', 'tcp.analysis.keep_alive', 'tcp.analysis.out_of_order', 'tcp.analysis.ack_lost_segment', 'tcp.stream']);
    const count = (col: number): number => rows.filter((r) => r[col] !== '').length;
    expect(count(0)).toBeGreaterThanOrEqual(1); // the FIN sent twice (the reordered segment may count too)
    expect(count(1)).toBe(1);
    expect(new Set(rows.map((r) => r[4])).size).toBe(7);
  });

  it('reads every link type, NULL in both byte orders and every AF_INET6 value', () => {
    const v4 = tcp({ src: '10.0.0.1:1000', dst: '10.0.0.2:80', flags: 'S', seq: 7 });
    const v6 = tcp({ src: '[2001:db8::1]:1000', dst: '[2001:db8::2]:80', flags: 'S', seq: 9 });
    const cases: Array<{ linkType: number; frames: Uint8Array[]; proto: string }> = [
      ...[LINKTYPE.ETHERNET, LINKTYPE.RAW, LINKTYPE.RAW_DLT12, LINKTYPE.RAW_DLT14, LINKTYPE.LOOP].map((lt) => ({ linkType: lt, frames: [encapsulate(lt, v4), encapsulate(lt, v6)], proto: '' })),
      { linkType: LINKTYPE.LINUX_SLL, frames: [linuxSll(v4, { packetType: 4 }), linuxSll(v6)], proto: 'sll' },
      { linkType: LINKTYPE.LINUX_SLL2, frames: [linuxSll2(v4, { interfaceIndex: 3 }), linuxSll2(v6)], proto: 'sll' },
      { linkType: LINKTYPE.IPV4, frames: [v4], proto: '' },
      { linkType: LINKTYPE.IPV6, frames: [v6], proto: '' },
      {
        linkType: LINKTYPE.NULL,
        frames: [bsdNull(v4), bsdNull(v4, { byteOrder: 'big' }), ...[AF.INET6_BSD, AF.INET6_FREEBSD, AF.INET6_DARWIN].flatMap((family) => [bsdNull(v6, { family }), bsdNull(v6, { family, byteOrder: 'big' })])],
        proto: 'null',
      },
    ];
    for (const c of cases) {
      const file = tmp.write(`lt${c.linkType}.pcap`, buildPcap(c.frames.map((data, i) => ({ ts: 1700000000 + i, data })), { linkType: c.linkType }));
      const rows = tsharkFields(file, ['frame.protocols', 'tcp.seq_raw', 'tcp.checksum.status']);
      expect(rows.length, `link type ${c.linkType}`).toBe(c.frames.length);
      rows.forEach((r, i) => {
        // The IPv6 packet is always last in its frame (whatever header precedes it).
        const isV6 = c.frames[i].subarray(c.frames[i].length - v6.length).every((b, j) => b === v6[j]) && c.frames[i].length >= v6.length;
        expect(r[0], `link type ${c.linkType} frame ${i}`).toMatch(isV6 ? /(^|:)ipv6:tcp$/ : /(^|:)ip:tcp$/);
        if (c.proto) expect(r[0].startsWith(c.proto)).toBe(true);
        expect(Number(r[1])).toBe(isV6 ? 9 : 7);
        expect(r[2]).toBe('1');
      });
    }
  });

  it('reassembles IPv4 fragments and walks IPv6 extension headers to TCP', () => {
    const big = tcp({ src: '10.0.0.1:1000', dst: '10.0.0.2:80', flags: 'PA', seq: 77, payload: 3000, df: false, ipId: 4242, ipOptions: Uint8Array.of(0x94, 4, 0, 0) });
    const ext = tcp({
      src: '[2001:db8::1]:1000',
      dst: '[2001:db8::2]:80',
      flags: 'S',
      seq: 88,
      ttl: 3,
      extensions: [
        { type: 'hopByHop', options: Uint8Array.of(5, 2, 0, 0) },
        { type: 'routing', addresses: ['2001:db8::99', '2001:db8::aa'] },
        { type: 'fragment', identification: 7 },
        { type: 'destinationOptions' },
      ],
    });
    const frames = [...fragmentIpv4(big, 1000), ext];
    const file = tmp.write('frag.pcap', buildPcap(frames.map((data, i) => ({ ts: i, data })), { linkType: LINKTYPE.RAW }));
    const rows = tsharkFields(file, ['tcp.seq_raw', 'tcp.len', 'ip.flags.mf', 'ip.frag_offset', 'tcp.checksum.status', 'ipv6.hlim', 'frame.protocols']);
    expect(rows.map((r) => r[0])).toEqual(['', '', '', '77', '88']);
    expect(rows[3][1]).toBe('3000');
    expect(rows.slice(0, 4).map((r) => r[2])).toEqual(['1', '1', '1', '0']);
    expect(rows.slice(0, 4).map((r) => r[3])).toEqual(['0', '125', '250', '375']); // in 8-byte units
    expect(rows[3][4]).toBe('1');
    expect(rows[4][4]).toBe('1');
    expect(rows[4][6]).toBe('raw:ipv6:ipv6.hopopts:ipv6.routing:ipv6.fraghdr:ipv6.dstopts:tcp');
  });

  it('sees deliberately bad checksums as bad', () => {
    const file = tmp.write('bad.pcap', buildPcap([{ ts: 0, data: tcp({ src: '10.0.0.1:1', dst: '10.0.0.2:2', tcpChecksum: 1, ipChecksum: 2 }) }], { linkType: LINKTYPE.RAW }));
    expect(tsharkFields(file, ['tcp.checksum.status', 'ip.checksum.status'])[0]).toEqual(['0', '0']);
  });

  it('reads snaplen-cut, big-endian, nanosecond and gzip (also multi-member) classic captures', () => {
    const c = conversation('10.0.0.1:1', '10.0.0.2:2', { start: { seconds: 1700000000, nanos: 123456789 }, link: (p) => ether(p) });
    c.syn();
    c.synAck();
    c.ack();
    c.data('a', 500);
    const cut = buildPcap(c.packets, { snaplen: 96, byteOrder: 'big' });
    for (const [name, bytes] of [
      ['cut.pcap', cut],
      ['cut.pcap.gz', gzip(cut)],
      ['cut-members.pcap.gz', gzipMembers(cut, 50)],
    ] as const) {
      const rows = tsharkFields(tmp.write(name, bytes), ['frame.cap_len', 'frame.len', 'tcp.len', 'frame.time_epoch']);
      const lengths = c.packets.map((p) => p.data.length);
      expect(lengths).toEqual([74, 74, 66, 566]);
      expect(rows.map((r) => r[0]), name).toEqual(['74', '74', '66', '96']);
      expect(rows.map((r) => r[1])).toEqual(lengths.map(String));
      expect(rows[3][2]).toBe('500');
      expect(rows[0][3]).toBe('1700000000.123456000');
    }
    const nano = tsharkFields(tmp.write('nano.pcap', buildPcap(c.packets, { precision: 'nano' })), ['frame.time_epoch']);
    expect(nano.map((r) => r[0])).toEqual(c.packets.map((p) => epochText(p.ts)));
  });

  it('reads pcapng with mixed byte-order sections, interface resolutions and blocks to skip', () => {
    const ip = tcp({ src: '10.0.0.1:1', dst: '10.0.0.2:2', flags: 'S', seq: 1 });
    const T = 1_700_000_000_000_000_000n;
    const tick2 = 1_953_125n; // 2^-9 s
    const bytes = buildPcapng((w) => {
      const eth = w.addInterface({ linkType: LINKTYPE.ETHERNET, name: 'eth0' });
      const raw = w.addInterface({ linkType: LINKTYPE.RAW, tsresol: 9 });
      w.enhancedPacket({ interfaceId: eth, ts: T + 1_000n, data: ether(ip) });
      w.nameResolution([{ address: '10.0.0.1', names: ['client'] }]);
      w.enhancedPacket({ interfaceId: raw, ts: T + 7n, data: ip });
      w.customBlock({ pen: 32473, data: Uint8Array.of(1, 2, 3) });
      w.interfaceStatistics({ interfaceId: eth, ts: T + 2_000n, received: 2n, dropped: 0n });
      w.section({ byteOrder: 'big' });
      const bin = w.addInterface({ linkType: LINKTYPE.LINUX_SLL, tsresol: 0x89, tsoffset: 1_000_000_000 });
      w.enhancedPacket({ interfaceId: bin, ts: T + 3n * tick2, data: linuxSll(ip) });
      w.obsoletePacket({ interfaceId: bin, ts: T + 5n * tick2, data: linuxSll(ip), drops: 1 });
      w.block(0x0000000a, new Uint8Array(12));
      w.section({ byteOrder: 'little' });
      w.addInterface({ linkType: LINKTYPE.RAW, snaplen: 30 });
      w.simplePacket({ data: ip });
    });
    const all = tsharkFields(tmp.write('mixed.pcapng', bytes), ['frame.time_epoch', 'tcp.seq_raw', 'frame.cap_len', 'frame.len', 'frame.interface_id', 'frame.protocols']);
    // tshark 4.0 lists a copyable custom block as a frame of its own; the rest are skipped.
    expect(all.map((r) => r[5])).toEqual(['eth:ethertype:ip:tcp', 'raw:ip:tcp', 'data', 'sll:ethertype:ip:tcp', 'sll:ethertype:ip:tcp', 'raw:ip:tcp']);
    const rows = all.filter((r) => r[5] !== 'data');
    expect(rows.slice(0, 4).map((r) => r[0])).toEqual([epochText(T + 1_000n), epochText(T + 7n), epochText(T + 3n * tick2), epochText(T + 5n * tick2)]);
    expect(rows.map((r) => r[1])).toEqual(['1', '1', '1', '1', '']); // the simple packet is cut inside the TCP header
    expect([rows[4][2], rows[4][3]]).toEqual(['30', String(ip.length)]);
    expect(rows.map((r) => r[4])).toEqual(['0', '1', '0', '0', '0']);
  });
});
