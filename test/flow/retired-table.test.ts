/**
 * The retired-flow history: a ring in retirement order with an open-addressing index. These cases go
 * through growth of a wrapped ring, the cap (oldest dropped first), touches that move an entry to the
 * young end, and expiry by age.
 */
import { describe, expect, it } from 'vitest';
import { newSegment, type TcpSegment } from '../../src/decode/segment.js';
import { FlowTable, T } from '../../src/flow/flow-table.js';
import { RetiredTable } from '../../src/flow/retired-table.js';

function segment(port: number): TcpSegment {
  const seg = newSegment();
  seg.ipVersion = 4;
  seg.src3 = 0x0a000001;
  seg.dst3 = 0x0a000002;
  seg.srcPort = port;
  seg.dstPort = 80;
  return seg;
}

/** Retires flows for ports [from, to) with stream number = port, at time = port. */
function retire(retired: RetiredTable, table: FlowTable, from: number, to: number): void {
  for (let port = from; port < to; port++) {
    const seg = segment(port);
    const entry = table.insert(seg, FlowTable.hashOf(seg));
    table.set(entry, T.Stream, port);
    retired.retire(table, entry, port, false);
    table.remove(entry);
  }
}

function streamOf(retired: RetiredTable, port: number): number {
  const seg = segment(port);
  const i = retired.find(seg, FlowTable.hashOf(seg));
  return i < 0 ? -1 : retired.get(i).stream;
}

describe('RetiredTable', () => {
  it('keeps every entry through growth of a wrapped ring, then drops the oldest at the cap', () => {
    const table = new FlowTable(() => undefined);
    const retired = new RetiredTable(10_000, 1e9);
    retire(retired, table, 1, 3001);
    // Wrap the ring (drop the oldest by age), then grow it past its first size.
    retired.expire(1000 + 1e9);
    expect(retired.size).toBe(2001);
    retire(retired, table, 3001, 9001);
    expect(retired.size).toBe(8001);
    for (const port of [1000, 1001, 5000, 9000]) expect(streamOf(retired, port)).toBe(port);
    expect(streamOf(retired, 999)).toBe(-1);
    retire(retired, table, 9001, 12001);
    expect(retired.size).toBe(10_000);
    expect(streamOf(retired, 2000)).toBe(-1);
    for (const port of [2001, 7777, 12000]) expect(streamOf(retired, port)).toBe(port);
  });

  it('a touched entry is kept as if retired at the touch; untouched ones expire by age', () => {
    const table = new FlowTable(() => undefined);
    const retired = new RetiredTable(100_000, 100);
    retire(retired, table, 1, 5001);
    const seg = segment(10);
    retired.touch(retired.find(seg, FlowTable.hashOf(seg)), 5000);
    retired.expire(5050);
    expect(streamOf(retired, 10)).toBe(10);
    expect(streamOf(retired, 11)).toBe(-1);
    expect(streamOf(retired, 4999)).toBe(4999);
    expect(retired.size).toBe(1 + 5000 - 4950 + 1);
  });

  it('at its cap, a touch turns the ring or drops the oldest, and the ring keeps its arrays', () => {
    const table = new FlowTable(() => undefined);
    const forgotten: number[] = [];
    const retired = new RetiredTable(4096, 1e9, (stream) => forgotten.push(stream));
    retire(retired, table, 1, 4097);
    const arrays = (retired as unknown as { ints: Int32Array }).ints;
    const touch = (port: number, at: number): void => {
      const seg = segment(port);
      retired.touch(retired.find(seg, FlowTable.hashOf(seg)), at);
    };
    // The oldest (port 1) becomes the newest: nothing dropped.
    touch(1, 5000);
    expect(forgotten).toEqual([]);
    expect(retired.size).toBe(4096);
    // A middle entry moves to the young end: the oldest now (port 2) makes room.
    touch(100, 5001);
    expect(forgotten).toEqual([2]);
    retire(retired, table, 4097, 4099);
    // Two more retired: ports 3 and 4, the oldest, go (port 100's old place is a hole that goes silently later).
    expect(forgotten).toEqual([2, 3, 4]);
    expect(streamOf(retired, 4)).toBe(-1);
    for (const port of [1, 100, 5, 4098]) expect(streamOf(retired, port)).toBe(port);
    // Nothing was copied: at the cap a touch used to unroll the ring into new arrays (10 MB at the default cap).
    expect((retired as unknown as { ints: Int32Array }).ints).toBe(arrays);
    retired.expire(5000.5 + 1e9);
    expect(streamOf(retired, 1)).toBe(-1);
    expect(streamOf(retired, 100)).toBe(100);
  });

  it('says when a stream is forgotten (age, cap, reuse of its 4-tuple), never when an entry only moves', () => {
    const table = new FlowTable(() => undefined);
    const forgotten: number[] = [];
    const retired = new RetiredTable(5000, 100, (stream) => forgotten.push(stream));
    retire(retired, table, 1, 4097);
    // Touches at the cap move entries (the ring grows and unrolls); nothing is forgotten by that.
    for (const port of [1, 2, 3000]) {
      const seg = segment(port);
      retired.touch(retired.find(seg, FlowTable.hashOf(seg)), 4096);
    }
    expect(forgotten).toEqual([]);
    retire(retired, table, 4097, 5003);
    // 5,002 retired and 3 moves (a move takes a new place in the ring) over the cap of 5,000: the five
    // oldest places go, two of them the moved entries' old places.
    expect(forgotten).toEqual([3, 4, 5]);
    const seg = segment(6);
    retired.remove(retired.find(seg, FlowTable.hashOf(seg)));
    expect(forgotten).toEqual([3, 4, 5, 6]);
    retired.expire(4110);
    // Retired before 4010 and not touched since: ports 7..4009 but 3000.
    expect(forgotten.length).toBe(4 + 4003 - 1);
    for (const touched of [1, 2, 3000]) expect(forgotten).not.toContain(touched);
  });
});
