import { describe, expect, it } from 'vitest';
import { parseStreamFilter, StreamSet, streamFilter } from '../../src/report/stream-set.js';

function setOf(streams: number[]): StreamSet {
  const set = new StreamSet();
  for (const s of streams) set.add(s);
  return set;
}

describe('StreamSet and its Wireshark filter', () => {
  it('writes ranges and single streams the way Wireshark 3.6+ parses them', () => {
    expect(streamFilter(setOf([7]))).toBe('tcp.stream eq 7');
    expect(streamFilter(setOf([3, 4]))).toBe('tcp.stream in {3, 4}');
    expect(streamFilter(setOf([26, 4, 5, 6, 7, 0, 100000]))).toBe('tcp.stream in {0, 4..7, 26, 100000}');
    expect(streamFilter(setOf([0]))).toBe('tcp.stream eq 0');
    expect(streamFilter(setOf([9, 10, 99, 100, 101, 1234567]))).toBe('tcp.stream in {9, 10, 99..101, 1234567}');
  });

  it('counts each stream once, whatever the order, and survives a round trip through its bits and its text', () => {
    const streams = Array.from({ length: 500 }, (_, i) => (i * 7919) % 1000);
    const set = setOf([...streams, ...streams]);
    expect(set.size).toBe(new Set(streams).size);
    const copy = new StreamSet(set.toBits());
    expect(copy.size).toBe(set.size);
    expect(streamFilter(copy)).toBe(streamFilter(set));
    const parsed = parseStreamFilter(streamFilter(set));
    expect(parsed === null ? null : streamFilter(parsed)).toBe(streamFilter(set));
    for (const s of streams) expect(parsed?.has(s)).toBe(true);
    expect(parsed?.has(1001)).toBe(false);
  });

  it('merges sets (worker partials)', () => {
    const a = setOf([1, 2, 3]);
    a.addAll(setOf([3, 4, 900]));
    expect(streamFilter(a)).toBe('tcp.stream in {1..4, 900}');
    expect(a.size).toBe(5);
  });

  it('parses only its own filters', () => {
    expect(parseStreamFilter('tcp.port == 80')).toBeNull();
    expect(parseStreamFilter('tcp.stream in {1, x}')).toBeNull();
  });
});
