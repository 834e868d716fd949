/**
 * The benchmark capture generator: same bytes for the same seed, the requested packet count, valid
 * packets, and close-kind counts that an independent reading (tshark, when installed) agrees with.
 */
import { readFileSync, statSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { BENCH_CLOSE_KINDS, generateBenchCapture, parseSize, type BenchCloseKind } from '../../bench/generate.js';
import { internetChecksum, onesSum, foldChecksum } from '../../tools/craft/index.js';
import { hasTshark, parsePcap, tempDir, tsharkFields } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('benchmark capture generator', () => {
  it('writes the same bytes for the same seed and different ones for another', async () => {
    const a = await generateBenchCapture({ path: tmp.path('a.pcap'), packets: 5000, seed: 7 });
    const b = await generateBenchCapture({ path: tmp.path('b.pcap'), packets: 5000, seed: 7 });
    const c = await generateBenchCapture({ path: tmp.path('c.pcap'), packets: 5000, seed: 8 });
    expect(readFileSync(tmp.path('a.pcap')).equals(readFileSync(tmp.path('b.pcap')))).toBe(true);
    expect(readFileSync(tmp.path('a.pcap')).equals(readFileSync(tmp.path('c.pcap')))).toBe(false);
    expect(a).toEqual(b);
    expect(c.packets).toBe(5000);
  });

  it('writes exactly the requested packets, valid and in time order, and a consistent summary', async () => {
    const path = tmp.path('valid.pcap');
    const summary = await generateBenchCapture({ path, packets: 20_000, seed: 3 });
    expect(summary.packets).toBe(20_000);
    expect(summary.bytes).toBe(statSync(path).size);
    expect(Object.values(summary.closes).reduce((x, y) => x + y, 0)).toBe(summary.connections);
    for (const kind of BENCH_CLOSE_KINDS) {
      const by = summary.closedBy[kind];
      if (kind === 'synUnanswered' || kind === 'openAtEnd') expect(by.client + by.server).toBe(0);
      else expect(by.client + by.server).toBe(summary.closes[kind]);
    }
    expect(summary.connections).toBeGreaterThan(1500);
    expect(summary.ipv6Connections).toBeGreaterThan(0);
    expect(summary.vlanTaggedConnections).toBeGreaterThan(0);

    const { header, packets } = await parsePcap(readFileSync(path));
    expect(header.linkLayerType).toBe(1);
    expect(packets.length).toBe(20_000);
    let last = -1;
    let v6 = 0;
    let tagged = 0;
    for (const { header: h, data } of packets) {
      const t = h.timestampSeconds * 1e6 + h.timestampMicroseconds;
      expect(t).toBeGreaterThan(last);
      last = t;
      let at = 12;
      while (data.readUInt16BE(at) === 0x8100 || data.readUInt16BE(at) === 0x88a8) at += 4;
      if (at > 12) tagged++;
      const type = data.readUInt16BE(at);
      const ip = at + 2;
      let tcp: number;
      let pseudo: number;
      let segmentLength: number;
      if (type === 0x0800) {
        expect(internetChecksum(data, ip, ip + 20)).toBe(0);
        segmentLength = data.readUInt16BE(ip + 2) - 20;
        tcp = ip + 20;
        pseudo = onesSum(data, ip + 12, ip + 20) + 6 + segmentLength;
      } else {
        expect(type).toBe(0x86dd);
        v6++;
        segmentLength = data.readUInt16BE(ip + 4);
        tcp = ip + 40;
        pseudo = onesSum(data, ip + 8, ip + 40) + 6 + segmentLength;
      }
      expect(tcp + segmentLength).toBe(data.length);
      expect(foldChecksum(pseudo + onesSum(data, tcp, tcp + segmentLength))).toBe(0);
    }
    expect(v6).toBeGreaterThan(0);
    expect(tagged).toBeGreaterThan(0);
  });

  it('stops near a requested file size', async () => {
    const summary = await generateBenchCapture({ path: tmp.path('sized.pcap'), bytes: parseSize('2MB'), seed: 1 });
    expect(summary.bytes).toBeGreaterThanOrEqual(2_000_000);
    expect(summary.bytes).toBeLessThan(2_100_000);
    expect(parseSize('2.5GB')).toBe(2_500_000_000);
    expect(parseSize('64KiB')).toBe(65536);
    expect(parseSize('2e6')).toBe(2_000_000);
  });

  it('cuts packets to a snaplen and writes nanosecond files when asked', async () => {
    const path = tmp.path('cut.pcap');
    const summary = await generateBenchCapture({ path, packets: 2000, seed: 5, snaplen: 96, nanos: true });
    const bytes = readFileSync(path);
    expect(bytes.readUInt32LE(0)).toBe(0xa1b23c4d);
    expect(bytes.readUInt32LE(16)).toBe(96);
    let at = 24;
    let cut = 0;
    for (let i = 0; i < summary.packets; i++) {
      const caplen = bytes.readUInt32LE(at + 8);
      const origlen = bytes.readUInt32LE(at + 12);
      expect(caplen).toBe(Math.min(origlen, 96));
      if (caplen < origlen) cut++;
      at += 16 + caplen;
    }
    expect(at).toBe(bytes.length);
    expect(cut).toBeGreaterThan(0);
  });

  it.skipIf(!hasTshark)('agrees with an independent reading by tshark', async () => {
    const path = tmp.path('tshark.pcap');
    const summary = await generateBenchCapture({ path, packets: 30_000, seed: 11 });
    const rows = tsharkFields(path, ['tcp.stream', 'tcp.srcport', 'tcp.flags', 'tcp.seq_raw', 'tcp.ack_raw', 'tcp.len', 'tcp.checksum.status', 'ip.checksum.status', 'tcp.analysis.keep_alive']);
    expect(rows.length).toBe(summary.packets);
    expect(rows.every((r) => r[6] === '1' && (r[7] === '1' || r[7] === ''))).toBe(true);
    expect(rows.filter((r) => r[8] !== '').length).toBe(summary.keepaliveProbes);

    // Classify each tshark stream from its packets alone (client = ephemeral port side).
    interface Stream {
      syn: number;
      synAck: boolean;
      data: boolean;
      fins: Array<{ client: boolean; seq: number; ack: number; len: number }>;
      rst: Array<{ client: boolean; withAck: boolean }>;
      dataAfterFin: boolean;
    }
    const streams = new Map<string, Stream>();
    for (const [id, srcPort, flagsHex, seq, ack, len] of rows) {
      const s = streams.get(id) ?? { syn: 0, synAck: false, data: false, fins: [], rst: [], dataAfterFin: false };
      streams.set(id, s);
      const flags = parseInt(flagsHex, 16);
      const client = Number(srcPort) >= 32768;
      if ((flags & 0x12) === 0x02) s.syn++;
      if ((flags & 0x12) === 0x12) s.synAck = true;
      if (Number(len) > 0 && !(flags & 0x01)) {
        s.data = true;
        if (s.fins.some((f) => f.client !== client)) s.dataAfterFin = true;
      }
      if (flags & 0x01 && !s.fins.some((f) => f.client === client)) s.fins.push({ client, seq: Number(seq), ack: Number(ack), len: Number(len) });
      if (flags & 0x04) s.rst.push({ client, withAck: (flags & 0x10) !== 0 });
    }
    const counts = Object.fromEntries(BENCH_CLOSE_KINDS.map((k) => [k, 0])) as Record<BenchCloseKind, number>;
    for (const s of streams.values()) {
      let kind: BenchCloseKind;
      if (s.rst.length > 0 && !s.synAck && s.fins.length === 0 && !s.data) kind = 'refused';
      else if (s.syn > 0 && !s.synAck && s.rst.length === 0 && !s.data) kind = 'synUnanswered';
      else if (s.rst.length > 0 && s.rst[0].withAck) kind = 'abortiveRst';
      else if (s.rst.length > 0) kind = 'passiveRst';
      else if (s.fins.length === 1) kind = 'closeWaitLeak';
      else if (s.fins.length === 0) kind = 'openAtEnd';
      else {
        const [first, second] = s.fins;
        // The second FIN did not acknowledge the first: they crossed.
        if (second.ack === ((first.seq + first.len) >>> 0)) kind = 'simultaneousClose';
        else if (first.client && s.dataAfterFin) kind = 'halfClose';
        else kind = first.client ? 'orderlyClientFirst' : 'orderlyServerFirst';
      }
      counts[kind]++;
    }
    expect(streams.size).toBe(summary.connections);
    expect(counts).toEqual(summary.closes);
  });
});
