import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import {
  buildPcap,
  conversation,
  FileSink,
  gzip,
  gzipMembers,
  LINKTYPE,
  MemorySink,
  PcapWriter,
  tcp,
  type CapturedPacket,
} from '../../tools/craft/index.js';
import { parsePcap, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

function sample(): CapturedPacket[] {
  const c = conversation('10.0.0.1:40000', '10.0.0.2:80', { start: { seconds: 1700000000, nanos: 123456789 } });
  c.syn();
  c.synAck();
  c.ack();
  c.data('a', 300);
  c.fin('b');
  return c.packets;
}

describe('classic pcap writer', () => {
  it.each(['little', 'big'] as const)('writes a %s-endian microsecond file pcap-parser reads back', async (byteOrder) => {
    const packets = sample();
    const { header, packets: read } = await parsePcap(buildPcap(packets, { linkType: LINKTYPE.ETHERNET, byteOrder, encapsulate: true }));
    expect(header.magicNumber).toBe(0xa1b2c3d4);
    expect([header.majorVersion, header.minorVersion, header.snapshotLength, header.linkLayerType]).toEqual([2, 4, 262144, 1]);
    expect(read.length).toBe(packets.length);
    read.forEach((r, i) => {
      expect(r.header.timestampSeconds).toBe(1700000000);
      expect(r.header.timestampMicroseconds).toBe(123456 + i * 1000);
      expect(r.header.capturedLength).toBe(packets[i].data.length + 14);
      expect(r.header.originalLength).toBe(packets[i].data.length + 14);
      expect(new Uint8Array(r.data.subarray(14))).toEqual(packets[i].data);
    });
  });

  it('cuts records to the snaplen and keeps the original length', async () => {
    const packets = sample();
    const { header, packets: read } = await parsePcap(buildPcap(packets, { linkType: LINKTYPE.RAW, snaplen: 96 }));
    expect(header.snapshotLength).toBe(96);
    expect(header.linkLayerType).toBe(101);
    const big = read[3];
    expect(big.header.capturedLength).toBe(96);
    expect(big.header.originalLength).toBe(packets[3].data.length);
    expect(new Uint8Array(big.data)).toEqual(packets[3].data.subarray(0, 96));
    expect(read[0].header.capturedLength).toBe(packets[0].data.length);
  });

  it('writes nanosecond files with magic a1b23c4d and full-precision fractions', () => {
    const bytes = buildPcap([{ ts: 1700000000123456789n, data: new Uint8Array(4) }], { precision: 'nano', byteOrder: 'big', linkType: 228 });
    const v = new DataView(bytes.buffer);
    expect(v.getUint32(0)).toBe(0xa1b23c4d);
    expect(v.getUint32(20)).toBe(228);
    expect([v.getUint32(24), v.getUint32(28), v.getUint32(32), v.getUint32(36)]).toEqual([1700000000, 123456789, 4, 4]);
    const le = new DataView(buildPcap([], { precision: 'nano' }).buffer);
    expect(le.getUint32(0, true)).toBe(0xa1b23c4d);
    expect(Buffer.from(le.buffer.slice(0, 4)).toString('hex')).toBe('4d3cb2a1');
  });

  it('can lie in headers for corrupt-file tests', () => {
    const sink = new MemorySink();
    const w = new PcapWriter(sink, { magic: 0x12345678, versionMajor: 9, snaplen: 10 });
    w.writePacket(1, new Uint8Array(20), { capturedLength: 5000, originalLength: 1 });
    w.raw(Uint8Array.of(1, 2, 3));
    const v = new DataView(sink.bytes().buffer);
    expect(v.getUint32(0, true)).toBe(0x12345678);
    expect(v.getUint16(4, true)).toBe(9);
    expect([v.getUint32(24 + 8, true), v.getUint32(24 + 12, true)]).toEqual([5000, 1]);
    expect(sink.position).toBe(24 + 16 + 10 + 3);
  });

  it('streams to a file through a small reused buffer with the same bytes as in memory', () => {
    const packets = sample();
    const expected = buildPcap(packets, { linkType: LINKTYPE.RAW, precision: 'nano' });
    const file = tmp.path('stream.pcap');
    const sink = FileSink.create(file, { bufferSize: 100 });
    const w = new PcapWriter(sink, { linkType: LINKTYPE.RAW, precision: 'nano' });
    for (const p of packets.slice(0, 2)) w.writePacket(p.ts, p.data);
    for (const p of packets.slice(2)) {
      // The benchmark's path: reserve, fill in place, commit.
      const ns = p.ts as bigint;
      const at = w.beginRecord(Number(ns / 1_000_000_000n), Number(ns % 1_000_000_000n), p.data.length);
      sink.buffer.set(p.data, at);
      w.endRecord();
    }
    sink.close();
    expect(w.packets).toBe(packets.length);
    expect(new Uint8Array(readFileSync(file))).toEqual(expected);
  });

  it('streams multi-member gzip that decompresses to the same capture', () => {
    const packets = sample();
    const expected = buildPcap(packets);
    const file = tmp.path('stream.pcap.gz');
    const sink = FileSink.create(file, { bufferSize: 200, gzip: true });
    const w = new PcapWriter(sink);
    for (const p of packets) w.writePacket(p.ts, p.data);
    sink.close();
    const compressed = readFileSync(file);
    expect(sink.bytesWritten).toBe(compressed.length);
    expect(new Uint8Array(gunzipSync(compressed))).toEqual(expected);
    expect(new Uint8Array(gunzipSync(gzip(expected)))).toEqual(expected);
    expect(new Uint8Array(gunzipSync(gzipMembers(expected, 64)))).toEqual(expected);
  });

  it('keeps timestamps in the forms given', async () => {
    const p = tcp({ src: '10.0.0.1:1', dst: '10.0.0.2:2' });
    const { packets } = await parsePcap(
      buildPcap([
        { ts: 1700000000.25, data: p },
        { ts: { seconds: 1700000001, nanos: 999_999_999 }, data: p },
        { ts: 1700000002_000_001_000n, data: p },
      ], { linkType: LINKTYPE.RAW }),
    );
    expect(packets.map((x) => [x.header.timestampSeconds, x.header.timestampMicroseconds])).toEqual([
      [1700000000, 250000],
      [1700000001, 999999],
      [1700000002, 1],
    ]);
  });
});
