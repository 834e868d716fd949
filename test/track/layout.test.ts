/**
 * The connection record's layout (src/track/connection-layout.ts) is computed, never numbered by hand:
 * these tests hold it to what that promises. No two fields overlap, each is aligned to its type, the
 * fields every packet touches come first, and every field declared is used by the code.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defineStruct, type FieldType } from '../../src/layout/struct-layout.js';
import { CLOSE, CLOSE_BLOCK_INTS, CLOSE_FIELD_INTS, CONN, CONN_BYTES_WITHOUT_ZEEK, HISTORY_WORDS, LADDER_CLOSE_INLINE, LADDER_HEAD, LADDER_RING, LadderField } from '../../src/track/connection-layout.js';

const SIZE: Record<FieldType, number> = { f64: 8, i32: 4, u16: 2, u8: 1, i8: 1 };
const SRC = join(import.meta.dirname, '..', '..', 'src');

describe('defineStruct', () => {
  it('places widest types first in each group, aligned, with no padding inside a group', () => {
    const layout = defineStruct([
      { name: 'a', fields: { small: { type: 'u8' }, big: { type: 'f64' }, mid: { type: 'i32', pair: true }, half: { type: 'u16', count: 3 } } },
      { name: 'b', fields: { next: { type: 'u8' } } },
    ]);
    expect(layout.placements.map((p) => [p.name, p.byteOffset, p.byteLength])).toEqual([
      ['big', 0, 8],
      ['mid', 8, 8],
      ['half', 16, 6],
      ['small', 22, 1],
      ['next', 24, 1],
    ]);
    expect(layout.bytes).toBe(32);
    expect(layout.f64.big).toBe(0);
    expect(layout.i32.mid).toBe(2);
    expect(layout.u16.half).toBe(8);
    expect(layout.u8.small).toBe(22);
  });

  it('refuses a name declared twice and a bad count', () => {
    expect(() => defineStruct([{ name: 'a', fields: { x: { type: 'u8' } } }, { name: 'b', fields: { x: { type: 'i32' } } }])).toThrow(/twice/);
    expect(() => defineStruct([{ name: 'a', fields: { x: { type: 'u8', count: 0 } } }])).toThrow(/count/);
  });
});

describe('the connection record', () => {
  const placements = CONN.placements;

  it('has no two fields overlapping, every field aligned to its size, all inside the record', () => {
    const sorted = [...placements].sort((a, b) => a.byteOffset - b.byteOffset);
    for (let i = 0; i < sorted.length; i++) {
      const p = sorted[i];
      expect(p.byteOffset % SIZE[p.type], `${p.name} aligned`).toBe(0);
      expect(p.byteOffset + p.byteLength, `${p.name} inside`).toBeLessThanOrEqual(CONN.bytes);
      expect(p.index * SIZE[p.type], `${p.name} index`).toBe(p.byteOffset);
      if (i > 0) expect(p.byteOffset, `${p.name} after ${sorted[i - 1].name}`).toBeGreaterThanOrEqual(sorted[i - 1].byteOffset + sorted[i - 1].byteLength);
    }
    expect(CONN.bytes % 8).toBe(0);
  });

  it('keeps the fields every packet touches in the record\'s first cache lines', () => {
    const hot = placements.filter((p) => p.group === 'every packet');
    const end = Math.max(...hot.map((p) => p.byteOffset + p.byteLength));
    expect(end).toBeLessThanOrEqual(4 * 64);
    for (const p of placements.filter((q) => q.group !== 'every packet')) expect(p.byteOffset).toBeGreaterThanOrEqual(end);
  });

  it("ends with Zeek's fields, so a record without them is a prefix with every other offset unchanged", () => {
    const zeek = placements.filter((p) => p.name.startsWith('z'));
    const others = placements.filter((p) => !p.name.startsWith('z'));
    expect(zeek.length).toBeGreaterThan(10);
    expect(new Set(zeek.map((p) => p.group)).size).toBe(1);
    expect(Math.min(...zeek.map((p) => p.byteOffset))).toBe(CONN_BYTES_WITHOUT_ZEEK);
    expect(Math.max(...others.map((p) => p.byteOffset + p.byteLength))).toBeLessThanOrEqual(CONN_BYTES_WITHOUT_ZEEK);
    expect(CONN_BYTES_WITHOUT_ZEEK % 8).toBe(0);
    expect(CONN_BYTES_WITHOUT_ZEEK).toBeLessThan(CONN.bytes - 100);
  });

  it('sizes its arrays from the constants that index them', () => {
    const ladder = placements.find((p) => p.name === 'ladder');
    expect(ladder?.byteLength).toBe((LADDER_HEAD + LADDER_RING) * LadderField.Count * 4);
    expect(placements.find((p) => p.name === 'zHistory')?.byteLength).toBe(HISTORY_WORDS * 4);
  });

  it('every field is read somewhere outside the layout', () => {
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.name.endsWith('.ts') && entry.name !== 'connection-layout.ts') files.push(readFileSync(path, 'utf8'));
      }
    };
    walk(SRC);
    const code = files.join('\n');
    const aliases: Record<FieldType, string> = { f64: 'F64', i32: 'I32', u16: 'U16', u8: 'U8', i8: 'I8' };
    for (const p of placements) {
      const use = new RegExp(`\\b(${aliases[p.type]}|CONN\\.${p.type})\\.${p.name}\\b`);
      expect(use.test(code), `field ${p.name} (${p.type}) is never used`).toBe(true);
    }
    const closeAliases: Record<FieldType, string> = { f64: 'CF64', i32: 'C32', u16: 'CU16', u8: 'CU8', i8: 'CI8' };
    for (const p of CLOSE.placements) {
      const use = new RegExp(`\\b(${closeAliases[p.type]}|CLOSE\\.${p.type})\\.${p.name}\\b`);
      expect(use.test(code), `close field ${p.name} (${p.type}) is never used`).toBe(true);
    }
  });
});

describe('the close block', () => {
  it('has no two fields overlapping, every field aligned, and the ladder after them', () => {
    const sorted = [...CLOSE.placements].sort((a, b) => a.byteOffset - b.byteOffset);
    for (let i = 0; i < sorted.length; i++) {
      const p = sorted[i];
      expect(p.byteOffset % SIZE[p.type], `${p.name} aligned`).toBe(0);
      expect(p.byteOffset + p.byteLength, `${p.name} inside`).toBeLessThanOrEqual(CLOSE.bytes);
      if (i > 0) expect(p.byteOffset, `${p.name} after ${sorted[i - 1].name}`).toBeGreaterThanOrEqual(sorted[i - 1].byteOffset + sorted[i - 1].byteLength);
    }
    expect(CLOSE.bytes % 8).toBe(0);
    expect(CLOSE_FIELD_INTS * 4).toBe(CLOSE.bytes);
    expect(CLOSE_BLOCK_INTS).toBe(CLOSE_FIELD_INTS + LADDER_CLOSE_INLINE * LadderField.Count);
    // Blocks sit back to back in a store whose records must be whole multiples of 8 bytes (f64 fields).
    expect((CLOSE_BLOCK_INTS * 4) % 8).toBe(0);
  });

  it('holds no field the connection record also has, and leaves the record under 600 bytes without Zeek', () => {
    const names = new Set(CONN.placements.map((p) => p.name));
    for (const p of CLOSE.placements) expect(names.has(p.name), p.name).toBe(false);
    expect(CONN_BYTES_WITHOUT_ZEEK).toBeLessThanOrEqual(480);
  });
});
