import { describe, expect, it } from 'vitest';
import { buildPcapng, LINKTYPE, PCAPNG_BLOCK, tcp, timestampUnits } from '../../tools/craft/index.js';

interface Block {
  type: number;
  body: Uint8Array;
  little: boolean;
  view: DataView;
}

/**
 * An independent pcapng walker: byte order from each section header's byte-order magic, both length
 * fields checked against each other.
 */
function walk(bytes: Uint8Array): Block[] {
  const blocks: Block[] = [];
  const all = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let little = true;
  for (let at = 0; at < bytes.length; ) {
    const type = all.getUint32(at, true);
    if (type === 0x0a0d0d0a) little = all.getUint32(at + 8, true) === 0x1a2b3c4d;
    const total = all.getUint32(at + 4, little);
    expect(total % 4).toBe(0);
    expect(all.getUint32(at + total - 4, little)).toBe(total);
    const body = bytes.subarray(at + 8, at + total - 4);
    blocks.push({ type: all.getUint32(at, little), body, little, view: new DataView(body.buffer, body.byteOffset, body.byteLength) });
    at += total;
  }
  return blocks;
}

/** Options from `offset` in a block body: code -> values. */
function options(b: Block, offset: number): Map<number, Uint8Array[]> {
  const out = new Map<number, Uint8Array[]>();
  for (let at = offset; at + 4 <= b.body.length; ) {
    const code = b.view.getUint16(at, b.little);
    const len = b.view.getUint16(at + 2, b.little);
    if (code === 0) break;
    out.set(code, [...(out.get(code) ?? []), b.body.subarray(at + 4, at + 4 + len)]);
    at += 4 + ((len + 3) & ~3);
  }
  return out;
}

const packet = tcp({ src: '10.0.0.1:1', dst: '10.0.0.2:2', payload: 3 });
const T = 1_700_000_000n * 1_000_000_000n;

describe('pcapng writer', () => {
  it('writes sections in either byte order, each with its own interfaces', () => {
    const bytes = buildPcapng((w) => {
      w.addInterface({ linkType: LINKTYPE.RAW, name: 'eth0' });
      w.enhancedPacket({ ts: T + 1000n, data: packet });
      w.section({ byteOrder: 'big', comment: 'second' });
      w.addInterface({ linkType: LINKTYPE.ETHERNET, snaplen: 40 });
      w.addInterface({ linkType: LINKTYPE.RAW, tsresol: 9 });
      w.enhancedPacket({ interfaceId: 1, ts: T + 7n, data: packet });
      w.enhancedPacket({ interfaceId: 0, ts: T, data: new Uint8Array(100) });
    });
    const blocks = walk(bytes);
    expect(blocks.map((b) => [b.type, b.little])).toEqual([
      [PCAPNG_BLOCK.SECTION_HEADER, true],
      [PCAPNG_BLOCK.INTERFACE_DESCRIPTION, true],
      [PCAPNG_BLOCK.ENHANCED_PACKET, true],
      [PCAPNG_BLOCK.SECTION_HEADER, false],
      [PCAPNG_BLOCK.INTERFACE_DESCRIPTION, false],
      [PCAPNG_BLOCK.INTERFACE_DESCRIPTION, false],
      [PCAPNG_BLOCK.ENHANCED_PACKET, false],
      [PCAPNG_BLOCK.ENHANCED_PACKET, false],
    ]);
    const [shb1, idb1, epb1, shb2, idb2, , epb2, epb3] = blocks;
    expect([shb1.view.getUint16(4, true), shb1.view.getUint16(6, true), shb1.view.getBigInt64(8, true)]).toEqual([1, 0, -1n]);
    expect(new TextDecoder().decode(options(shb2, 16).get(1)![0])).toBe('second');
    expect(new TextDecoder().decode(options(idb1, 8).get(2)![0])).toBe('eth0');
    expect([idb2.view.getUint16(0, false), idb2.view.getUint32(4, false)]).toEqual([1, 40]);
    // Microsecond default interface: 1000 ns is one unit.
    const units = (b: Block): bigint => (BigInt(b.view.getUint32(4, b.little)) << 32n) | BigInt(b.view.getUint32(8, b.little));
    expect(units(epb1)).toBe(T / 1000n + 1n);
    expect([epb1.view.getUint32(12, true), epb1.view.getUint32(16, true)]).toEqual([packet.length, packet.length]);
    expect(epb1.body.subarray(20, 20 + packet.length)).toEqual(packet);
    expect(units(epb2)).toBe(T + 7n);
    expect(epb2.view.getUint32(0, false)).toBe(1);
    expect([epb3.view.getUint32(12, false), epb3.view.getUint32(16, false)]).toEqual([40, 100]);
  });

  it('converts timestamps to power-of-10 and power-of-2 resolutions with an offset', () => {
    const ts = T + 3n * 1_953_125n; // three 2^-9 s ticks
    const bytes = buildPcapng((w) => {
      w.addInterface({ linkType: LINKTYPE.RAW, tsresol: 0x89 });
      w.addInterface({ linkType: LINKTYPE.RAW, tsresol: 3, tsoffset: 1_600_000_000 });
      w.addInterface({ linkType: LINKTYPE.RAW, tsresol: 6, writeTsresol: true });
      w.enhancedPacket({ interfaceId: 0, ts, data: packet });
      w.enhancedPacket({ interfaceId: 1, ts, data: packet });
      w.enhancedPacket({ interfaceId: 2, ts: T, data: packet, rawTimestamp: 42n });
    });
    const blocks = walk(bytes);
    const idbs = blocks.filter((b) => b.type === 1);
    expect(options(idbs[0], 8).get(9)![0]).toEqual(Uint8Array.of(0x89));
    expect(options(idbs[1], 8).get(9)![0]).toEqual(Uint8Array.of(3));
    expect(idbs[1].view.getBigInt64(8 + 8 + 4, true)).toBe(1_600_000_000n);
    expect(options(idbs[2], 8).get(9)![0]).toEqual(Uint8Array.of(6));
    const epbs = blocks.filter((b) => b.type === 6).map((b) => (BigInt(b.view.getUint32(4, true)) << 32n) | BigInt(b.view.getUint32(8, true)));
    expect(epbs).toEqual([1_700_000_000n * 512n + 3n, 100_000_000n * 1000n + 5n, 42n]);
    expect(timestampUnits(-1n, 9, 0n)).toBe(-1n);
  });

  it('writes simple, obsolete, name-resolution, statistics, custom and arbitrary blocks', () => {
    const bytes = buildPcapng((w) => {
      w.addInterface({ linkType: LINKTYPE.RAW, snaplen: 30 });
      w.simplePacket({ data: packet });
      w.obsoletePacket({ ts: T + 2000n, data: packet, drops: 3 });
      w.nameResolution([
        { address: '10.0.0.1', names: ['client.example'] },
        { address: '2001:db8::2', names: ['a', 'b'] },
      ]);
      w.interfaceStatistics({ ts: T, received: 10n, dropped: 2n });
      w.customBlock({ pen: 32473, data: Uint8Array.of(1, 2, 3) });
      w.customBlock({ pen: 32473, data: new Uint8Array(0), copyable: false });
      w.block(0x0000000a, new Uint8Array(5));
      w.block(0x12345678, Uint8Array.of(9));
    });
    const blocks = walk(bytes);
    expect(blocks.map((b) => b.type)).toEqual([0x0a0d0d0a, 1, 3, 2, 4, 5, 0xbad, 0x40000bad, 0xa, 0x12345678]);
    const [, , spb, opb, nrb, isb, custom] = blocks;
    expect(spb.view.getUint32(0, true)).toBe(packet.length);
    expect(spb.body.length).toBe(4 + 32); // 30 captured bytes padded
    expect([opb.view.getUint16(0, true), opb.view.getUint16(2, true), opb.view.getUint32(12, true), opb.view.getUint32(16, true)]).toEqual([0, 3, 30, packet.length]);
    expect(opb.view.getUint32(8, true)).toBe(Number((T / 1000n + 2n) & 0xffffffffn));
    expect([nrb.view.getUint16(0, true), nrb.view.getUint16(2, true)]).toEqual([1, 4 + 15]);
    expect(new TextDecoder().decode(nrb.body.subarray(8, 8 + 14))).toBe('client.example');
    const second = 4 + 20;
    expect([nrb.view.getUint16(second, true), nrb.view.getUint16(second + 2, true)]).toEqual([2, 16 + 4]);
    expect(new TextDecoder().decode(nrb.body.subarray(second + 20, second + 24))).toBe('a\0b\0');
    expect([nrb.view.getUint16(second + 24, true), nrb.view.getUint16(second + 26, true)]).toEqual([0, 0]);
    const isbOptions = options(isb, 12);
    expect(new DataView(isbOptions.get(4)![0].buffer, isbOptions.get(4)![0].byteOffset).getBigUint64(0, true)).toBe(10n);
    expect(new DataView(isbOptions.get(5)![0].buffer, isbOptions.get(5)![0].byteOffset).getBigUint64(0, true)).toBe(2n);
    expect(custom.view.getUint32(0, true)).toBe(32473);
    expect(custom.body.subarray(4, 8)).toEqual(Uint8Array.of(1, 2, 3, 0));
  });

  it('refuses packets for interfaces the section does not have', () => {
    expect(() => buildPcapng((w) => w.enhancedPacket({ interfaceId: 0, ts: 0, data: packet }))).toThrow(/interface 0/);
  });
});
