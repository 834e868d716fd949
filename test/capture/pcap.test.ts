/**
 * Classic pcap reading: both magics (µs and ns) in both byte orders, every frame field, equality with
 * pcap-parser (an independent reader), and every way a classic pcap can be cut short or lie about lengths.
 */
import { existsSync, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, type Packet } from 'pcap-parser';
import { buildPcap, conversation, ether, LINKTYPE, mergeByTime, tcp, type CapturedPacket } from '../../tools/craft/index.js';
import type { Frame } from '../../src/capture/frame.js';
import { readCapture } from '../../src/capture/reader.js';
import { expectErrorLine } from '../support/error-line.js';
import { readFrames } from '../support/read-frames.js';
import { tempDir } from '../support/temp-dir.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** Packets of distinct sizes and out-of-order times (so start/end are a min/max, not first/last). */
function samplePackets(): CapturedPacket[] {
  const mk = (port: number, payload: number): Uint8Array => ether(tcp({ src: `10.1.0.1:${port}`, dst: '10.1.0.2:80', seq: port, payload }));
  return [
    { ts: { seconds: 1_700_000_000, nanos: 123_456_789 }, data: mk(1001, 0) },
    { ts: { seconds: 1_700_000_005, nanos: 999_999_999 }, data: mk(1002, 300) },
    { ts: { seconds: 1_699_999_999, nanos: 1 }, data: mk(1003, 7) },
    { ts: { seconds: 1_700_000_002, nanos: 500_000_000 }, data: mk(1004, 1400) },
  ];
}

describe('classic pcap: magic, byte order, precision', () => {
  for (const precision of ['micro', 'nano'] as const) {
    for (const byteOrder of ['little', 'big'] as const) {
      it(`reads ${precision}second timestamps, lengths, numbers and link type (${byteOrder}-endian)`, async () => {
        const packets = samplePackets();
        // snaplen 200 cuts the two big packets: captured < original length.
        const bytes = buildPcap(packets, { precision, byteOrder, snaplen: 200, linkType: LINKTYPE.ETHERNET });
        const file = tmp.write(`sample-${precision}-${byteOrder}.pcap`, bytes);
        const { result, frames } = await readFrames(file);

        expect(result.error).toBeNull();
        expect(result.format).toBe('pcap');
        expect(result.compression).toBeNull();
        expect(result.linkTypes).toEqual([1]);
        expect(result.precision).toBe(precision === 'nano' ? 9 : 6);
        expect(result.frames).toBe(4);
        expect(result.bytes).toBe(bytes.length);
        const nanosOf = (n: number): number => (precision === 'nano' ? n : Math.floor(n / 1000) * 1000);
        expect(result.start).toEqual({ seconds: 1_699_999_999, nanos: nanosOf(1) });
        expect(result.end).toEqual({ seconds: 1_700_000_005, nanos: nanosOf(999_999_999) });

        let offset = 24;
        frames.forEach((f, i) => {
          const p = packets[i];
          const ts = p.ts as { seconds: number; nanos: number };
          expect(f.number).toBe(i + 1);
          expect(f.seconds).toBe(ts.seconds);
          expect(f.nanos).toBe(nanosOf(ts.nanos));
          expect(f.originalLength).toBe(p.data.length);
          expect(f.capturedLength).toBe(Math.min(200, p.data.length));
          expect(f.data).toEqual(p.data.subarray(0, Math.min(200, p.data.length)));
          expect(f.linkType).toBe(1);
          expect(f.interfaceId).toBe(0);
          expect(f.precision).toBe(precision === 'nano' ? 9 : 6);
          expect(f.fileOffset).toBe(offset);
          offset += 16 + f.capturedLength;
        });
        expect(frames[3].capturedLength).toBeLessThan(frames[3].originalLength);
      });
    }
  }

  it('keeps every link type number, masking the FCS bits of the link-type field', async () => {
    const ip = tcp({ src: '10.0.0.1:1', dst: '10.0.0.2:2' });
    for (const linkType of [LINKTYPE.RAW, LINKTYPE.LINUX_SLL2, LINKTYPE.NULL, 147]) {
      const file = tmp.write(`lt-${linkType}.pcap`, buildPcap([{ ts: 1, data: ip }], { linkType, byteOrder: 'big' }));
      const { result, frames } = await readFrames(file);
      expect(result.linkTypes).toEqual([linkType]);
      expect(frames[0].linkType).toBe(linkType);
    }
    // Upper bits: FCS length 4 (bits 28-31) and the F bit (26), as libpcap writes for Ethernet with FCS.
    const withFcs = tmp.write('fcs.pcap', buildPcap([{ ts: 1, data: ether(ip) }], { linkType: 0x44000001 }));
    const { result, frames } = await readFrames(withFcs);
    expect(result.linkTypes).toEqual([1]);
    expect(frames[0].linkType).toBe(1);
  });

  it('carries a microsecond field of 1 000 000 or more into the seconds', async () => {
    const bytes = buildPcap([{ ts: { seconds: 100, nanos: 0 }, data: new Uint8Array(20) }], { linkType: LINKTYPE.RAW });
    new DataView(bytes.buffer).setUint32(24 + 4, 2_500_000, true);
    const { frames } = await readFrames(tmp.write('usec-overflow.pcap', bytes));
    expect(frames[0].seconds).toBe(102);
    expect(frames[0].nanos).toBe(500_000_000);
  });

  it('reads the modified (Kuznetzov) pcap with 24-byte record headers', async () => {
    const payloads = [new Uint8Array([1, 2, 3, 4, 5]), new Uint8Array(40).fill(9)];
    const parts: number[] = [];
    const u32 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];
    parts.push(...u32(0xa1b2cd34), 2, 0, 4, 0, ...u32(0), ...u32(0), ...u32(65535), ...u32(LINKTYPE.RAW));
    payloads.forEach((p, i) => {
      parts.push(...u32(1000 + i), ...u32(250 * (i + 1)), ...u32(p.length), ...u32(p.length + 3));
      parts.push(...u32(7), 1, 2, 3, 4); // ifindex, protocol, pkt_type, pad
      parts.push(...p);
    });
    const { result, frames } = await readFrames(tmp.write('kuznetzov.pcap', Uint8Array.from(parts)));
    expect(result.error).toBeNull();
    expect(frames.map((f) => [f.seconds, f.nanos, f.capturedLength, f.originalLength])).toEqual([
      [1000, 250_000, 5, 8],
      [1001, 500_000, 40, 43],
    ]);
    expect(frames[0].data).toEqual(payloads[0]);
    expect(frames[1].data).toEqual(payloads[1]);
  });

  it('accepts the largest legal record (262144 bytes) and 16 MiB-class link types beyond it', async () => {
    const big = new Uint8Array(262_144).fill(0x5a);
    const { result, frames } = await readFrames(tmp.write('max.pcap', buildPcap([{ ts: 1, data: big }], { linkType: LINKTYPE.RAW })));
    expect(result.error).toBeNull();
    expect(frames[0].capturedLength).toBe(262_144);
    // D-Bus (231) messages may be bigger than Wireshark's standard maximum.
    const dbus = new Uint8Array(300_000).fill(1);
    const r2 = await readFrames(tmp.write('dbus.pcap', buildPcap([{ ts: 1, data: dbus }], { linkType: 231, snaplen: 1 << 24 })));
    expect(r2.result.error).toBeNull();
    expect(r2.frames[0].capturedLength).toBe(300_000);
  });
});

/** Reads a classic pcap with pcap-parser; the nanosecond magic is presented to it as µs (it knows only that). */
function parseWithPcapParser(bytes: Uint8Array): Promise<Packet[]> {
  const copy = Buffer.from(bytes);
  const magic = copy.readUInt32LE(0);
  if (magic === 0xa1b23c4d) copy.writeUInt32LE(0xa1b2c3d4, 0);
  if (magic === 0x4d3cb2a1) copy.writeUInt32LE(0xd4c3b2a1, 0);
  return new Promise((resolve, reject) => {
    const parser = parse(Readable.from([copy]));
    const packets: Packet[] = [];
    parser.on('packet', (p) => packets.push({ header: { ...p.header }, data: Buffer.from(p.data) }));
    parser.on('error', reject);
    parser.on('end', () => resolve(packets));
  });
}

describe('classic pcap: equal to pcap-parser', () => {
  const crafted = (): Array<[string, Uint8Array]> => {
    const a = conversation('192.0.2.1:40000', '192.0.2.2:80', { link: (p) => ether(p, { vlans: [7] }) });
    a.syn();
    a.synAck();
    a.ack();
    a.data('a', 1200);
    a.data('b', 3000);
    a.fin('a');
    a.fin('b');
    a.ack('a');
    const b = conversation('[2001:db8::1]:40001', '[2001:db8::2]:443', { link: (p) => ether(p), start: 1_700_000_000.0005 });
    b.syn();
    b.refuse();
    const packets = mergeByTime(a.packets, b.packets);
    return [
      ['crafted-le-us.pcap', buildPcap(packets)],
      ['crafted-be-us.pcap', buildPcap(packets, { byteOrder: 'big' })],
      ['crafted-le-ns-snap96.pcap', buildPcap(packets, { precision: 'nano', snaplen: 96 })],
      ['crafted-be-ns.pcap', buildPcap(packets, { precision: 'nano', byteOrder: 'big' })],
    ];
  };
  const real = ['lo-ipv4.pcap', 'veth-ipv4-any-sll2.pcap', 'veth-ipv6-nsec.pcap']
    .map((name) => new URL(`../../captures/${name}`, import.meta.url).pathname)
    .filter((path) => existsSync(path));

  it('gives the same timestamps, lengths and bytes for every packet', async () => {
    const inputs: Array<[string, Uint8Array]> = [...crafted(), ...real.map((path): [string, Uint8Array] => [path, new Uint8Array(readFileSync(path))])];
    for (const [name, bytes] of inputs) {
      const file = name.startsWith('/') ? name : tmp.write(name, bytes);
      const ns = bytes[0] === 0x4d || bytes[3] === 0x4d;
      const [theirs, ours] = await Promise.all([parseWithPcapParser(bytes), readFrames(file)]);
      expect(ours.result.error, name).toBeNull();
      expect(ours.frames.length, name).toBe(theirs.length);
      expect(theirs.length, name).toBeGreaterThan(0);
      ours.frames.forEach((f, i) => {
        const h = theirs[i].header;
        const where = `${name} frame ${i + 1}`;
        expect(f.seconds, where).toBe(h.timestampSeconds);
        expect(f.nanos, where).toBe(ns ? h.timestampMicroseconds : h.timestampMicroseconds * 1000);
        expect(f.capturedLength, where).toBe(h.capturedLength);
        expect(f.originalLength, where).toBe(h.originalLength);
        expect(Buffer.from(f.data).equals(theirs[i].data), where).toBe(true);
      });
    }
  });
});

describe('classic pcap: frames are views into the reader buffer', () => {
  it('hands out one reused record whose bytes/offset point into a shared buffer', async () => {
    const packets = samplePackets();
    const bytes = buildPcap(packets);
    const file = tmp.write('views.pcap', bytes);
    const seen: Array<{ record: Frame; bytes: Uint8Array; offset: number; fileOffset: number; first: number }> = [];
    const result = await readCapture(file, (f) => {
      seen.push({ record: f, bytes: f.bytes, offset: f.offset, fileOffset: f.fileOffset, first: f.bytes[f.offset] });
    });
    expect(result.frames).toBe(4);
    // The same record object every time (nothing allocated per packet).
    for (const s of seen) expect(s.record).toBe(seen[0].record);
    // One buffer for this small file, much bigger than any packet, the packets at their file offsets.
    for (const s of seen) {
      expect(s.bytes).toBe(seen[0].bytes);
      expect(s.bytes.length).toBeGreaterThan(bytes.length);
      expect(s.offset - seen[0].offset).toBe(s.fileOffset - seen[0].fileOffset);
      expect(s.offset).toBe(s.fileOffset + 16);
      expect(s.first).toBe(bytes[s.fileOffset + 16]);
    }
  });
});

describe('classic pcap: reading control', () => {
  it('stops at a record boundary when the signal aborts, keeping what was read', async () => {
    const packets = Array.from({ length: 20 }, (_, i) => ({ ts: 1000 + i, data: new Uint8Array(60).fill(i) }));
    const file = tmp.write('abort.pcap', buildPcap(packets, { linkType: LINKTYPE.RAW }));
    const controller = new AbortController();
    const numbers: number[] = [];
    const result = await readCapture(file, (f) => {
      numbers.push(f.number);
      if (f.number === 3) controller.abort();
    }, { signal: controller.signal });
    expect(result.interrupted).toBe(true);
    expect(result.error).toBeNull();
    expect(numbers).toEqual([1, 2, 3]);
    expect(result.frames).toBe(3);
    expect(result.end).toEqual({ seconds: 1002, nanos: 0 });
  });

  it('reads nothing when the signal is already aborted', async () => {
    const file = tmp.write('pre-abort.pcap', buildPcap(samplePackets()));
    const controller = new AbortController();
    controller.abort();
    let calls = 0;
    const result = await readCapture(file, () => calls++, { signal: controller.signal });
    expect(result.interrupted).toBe(true);
    expect(calls).toBe(0);
    expect(result.error).toBeNull();
  });

  it('reports progress up to the whole file', async () => {
    const bytes = buildPcap(samplePackets());
    const file = tmp.write('progress.pcap', bytes);
    const calls: Array<[number, number, number]> = [];
    await readCapture(file, () => undefined, { onProgress: (raw, size, frames) => calls.push([raw, size, frames]), bufferSize: 256 });
    expect(calls.length).toBeGreaterThan(3);
    expect(calls.at(-1)).toEqual([bytes.length, bytes.length, 4]);
    for (let i = 1; i < calls.length; i++) expect(calls[i][0]).toBeGreaterThanOrEqual(calls[i - 1][0]);
  });

  it('turns an exception thrown by the frame handler into an error line, not a rejection', async () => {
    const file = tmp.write('handler-throws.pcap', buildPcap(samplePackets()));
    const result = await readCapture(file, (f) => {
      if (f.number === 2) throw new Error('boom');
    });
    expectErrorLine(result.error, file);
    expect(result.error).toContain('boom');
  });
});

describe('classic pcap: bad input', () => {
  const three = (): Uint8Array =>
    buildPcap(
      [0, 1, 2].map((i) => ({ ts: 10 + i, data: new Uint8Array(50 + i).fill(i + 1) })),
      { linkType: LINKTYPE.RAW },
    );
  const recordOffsets = [24, 24 + 16 + 50, 24 + 16 + 50 + 16 + 51];
  const fileEnd = recordOffsets[2] + 16 + 52;

  it('the three-record fixture has the expected layout', () => {
    expect(three().length).toBe(fileEnd);
  });

  it('truncated inside the global header: error at byte 0, no frames', async () => {
    for (const cut of [4, 10, 23]) {
      const file = tmp.write(`cut-global-${cut}.pcap`, three().subarray(0, cut));
      const { result, frames } = await readFrames(file);
      expectErrorLine(result.error, file, 0);
      expect(result.error).toMatch(/truncated/);
      expect(frames.length).toBe(0);
      expect(result.frames).toBe(0);
      expect(result.format).toBe('pcap');
    }
  });

  it('a file shorter than a magic number is an error at byte 0', async () => {
    const file = tmp.write('three-bytes.pcap', Uint8Array.of(0xd4, 0xc3, 0xb2));
    const { result } = await readFrames(file);
    expectErrorLine(result.error, file, 0);
  });

  it('truncated inside a record header: the records before are delivered and counted', async () => {
    for (const into of [1, 8, 15]) {
      const file = tmp.write(`cut-rechdr-${into}.pcap`, three().subarray(0, recordOffsets[2] + into));
      const { result, frames } = await readFrames(file);
      expectErrorLine(result.error, file, recordOffsets[2]);
      expect(frames.map((f) => f.number)).toEqual([1, 2]);
      expect(result.frames).toBe(2);
      expect(result.end).toEqual({ seconds: 11, nanos: 0 });
    }
  });

  it('truncated inside packet data: the records before are delivered and counted', async () => {
    const file = tmp.write('cut-data.pcap', three().subarray(0, recordOffsets[1] + 16 + 20));
    const { result, frames } = await readFrames(file);
    expectErrorLine(result.error, file, recordOffsets[1]);
    expect(result.error).toMatch(/truncated/);
    expect(frames.length).toBe(1);
    expect(result.frames).toBe(1);
  });

  it('a cut exactly at a record boundary is a complete capture', async () => {
    const file = tmp.write('cut-boundary.pcap', three().subarray(0, recordOffsets[2]));
    const { result } = await readFrames(file);
    expect(result.error).toBeNull();
    expect(result.frames).toBe(2);
  });

  for (const [caplen, label] of [
    [0xffffffff, '0xFFFFFFFF'],
    [262_145, '262145'],
    [0x7fffffff, '0x7FFFFFFF'],
  ] as const) {
    for (const byteOrder of ['little', 'big'] as const) {
      it(`rejects a captured length of ${label} (${byteOrder}-endian) naming the record's offset`, async () => {
        const bytes = buildPcap(
          [0, 1, 2].map((i) => ({ ts: 10 + i, data: new Uint8Array(50 + i).fill(i + 1) })),
          { linkType: LINKTYPE.RAW, byteOrder },
        );
        new DataView(bytes.buffer).setUint32(recordOffsets[2] + 8, caplen, byteOrder === 'little');
        const file = tmp.write(`caplen-${label}-${byteOrder}.pcap`, bytes);
        const { result, frames } = await readFrames(file);
        expectErrorLine(result.error, file, recordOffsets[2]);
        expect(result.error).toContain(String(caplen));
        expect(frames.length).toBe(2);
        expect(result.frames).toBe(2);
      });
    }
  }

  it('an original length smaller than the captured length is reported as written', async () => {
    const bytes = three();
    new DataView(bytes.buffer).setUint32(recordOffsets[0] + 12, 3, true);
    const { result, frames } = await readFrames(tmp.write('orig-small.pcap', bytes));
    expect(result.error).toBeNull();
    expect(frames[0].capturedLength).toBe(50);
    expect(frames[0].originalLength).toBe(3);
  });

  it('rejects an unsupported major version at byte 4', async () => {
    const file = tmp.write('v3.pcap', buildPcap([{ ts: 1, data: new Uint8Array(4) }], { versionMajor: 3 }));
    const { result } = await readFrames(file);
    expectErrorLine(result.error, file, 4);
    expect(result.error).toContain('version');
  });
});
