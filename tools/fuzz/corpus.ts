/**
 * The captures the fuzzers mutate: two crafted ones that exercise many record and header kinds (pcap
 * with VLANs, IPv6, a refused connection and IP fragments; pcapng with two link types, a custom block,
 * statistics and a big-endian section) and the small real captures in captures/.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildPcap, buildPcapng, conversation, ether, fragmentIpv4, LINKTYPE, linuxSll2, mergeByTime, tcp } from '../craft/index.js';
import { captureLayout, type CaptureLayout } from './capture-layout.js';

export interface FuzzInput {
  name: string;
  bytes: Uint8Array;
  layout: CaptureLayout;
}

function conversations(): ReturnType<typeof conversation>[] {
  const a = conversation('10.0.0.1:40000', '10.0.0.2:80', { link: (p) => ether(p, { vlans: [12] }) });
  a.syn();
  a.synAck();
  a.ack();
  a.data('a', 300);
  a.data('b', 1400);
  a.ack('a');
  a.fin('a');
  a.fin('b');
  a.ack('a');
  const b = conversation('[2001:db8::1]:40001', '[2001:db8::2]:443', { link: (p) => ether(p), start: 1_700_000_000.0005 });
  b.syn();
  b.synAck();
  b.data('a', 20);
  b.rst('b');
  const c = conversation('10.0.0.3:40002', '10.0.0.4:22', { link: (p) => ether(p), start: 1_700_000_000.002 });
  c.syn();
  c.refuse();
  return [a, b, c];
}

export function craftedInputs(): Array<[string, Uint8Array]> {
  const packets = mergeByTime(...conversations().map((c) => c.packets));
  const fragments = fragmentIpv4(tcp({ src: '10.0.0.5:1', dst: '10.0.0.6:2', flags: 'S', payload: 200, df: false, ipId: 9 }), 64).map((f, i) => ({
    ts: 1_700_000_001 + i / 1000,
    data: ether(f),
  }));
  const pcap = buildPcap([...packets, ...fragments], { precision: 'nano' });
  const pcapng = buildPcapng((w) => {
    w.addInterface({ linkType: LINKTYPE.ETHERNET, tsresol: 9 });
    w.addInterface({ linkType: LINKTYPE.LINUX_SLL2 });
    packets.forEach((p, i) => w.enhancedPacket({ interfaceId: i % 2, ts: p.ts, data: i % 2 ? linuxSll2(p.data.subarray(14)) : p.data }));
    w.customBlock({ pen: 32473, data: new Uint8Array(10) });
    w.interfaceStatistics({ ts: 1_700_000_002, received: 9n });
    w.section({ byteOrder: 'big' });
    w.addInterface({ linkType: LINKTYPE.RAW, tsresol: 0x89 });
    for (const p of conversations()[1].packets) w.enhancedPacket({ ts: p.ts, data: p.data.subarray(14) });
    w.simplePacket({ data: tcp({ src: '10.0.0.1:1', dst: '10.0.0.2:2' }) });
  });
  return [
    ['crafted.pcap', pcap],
    ['crafted.pcapng', pcapng],
  ];
}

/** The small uncompressed captures of `capturesDir` (the repository's captures/), those present. */
export function realInputs(capturesDir: string): Array<[string, Uint8Array]> {
  return ['lo-ipv4.pcap', 'veth-ipv4-any-sll2.pcap', 'veth-ipv6-nsec.pcap', 'two-paths.pcapng']
    .map((name) => [name, join(capturesDir, name)] as const)
    .filter(([, path]) => existsSync(path))
    .map(([name, path]) => [name, new Uint8Array(readFileSync(path))]);
}

export function fuzzInputs(capturesDir: string): FuzzInput[] {
  return [...craftedInputs(), ...realInputs(capturesDir)].map(([name, bytes]) => ({ name, bytes, layout: captureLayout(bytes) }));
}
