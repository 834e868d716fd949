/**
 * Report text goes out in chunks of about 1 MiB made of pieces: strings, and the UTF-8 bytes of records
 * kept on disk (passed through without decoding). The chunks must hold exactly the pieces' bytes, in
 * order, never splitting a piece, whether a chunk buffer is reused (files) or not (stdout).
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { batched, writeFileAtomic } from '../../src/cli/atomic-write.js';
import { tempDir } from '../support/temp-dir.js';

const MIB = 1 << 20;

function pieces(): (string | Uint8Array)[] {
  const out: (string | Uint8Array)[] = [];
  for (let i = 0; i < 3000; i++) {
    // Multi-byte characters (2, 3 and 4 bytes in UTF-8), and byte pieces that are views into a larger buffer.
    const text = `${i}: é—😀 ${'x'.repeat((i * 7919) % 2000)}\n`;
    out.push(i % 3 === 0 ? new Uint8Array(Buffer.from(`##${text}##`)).subarray(2, 2 + Buffer.byteLength(text)) : text);
  }
  out.splice(1500, 0, 'y'.repeat(MIB + 5), Buffer.from('z'.repeat(2 * MIB)));
  return out;
}

function expected(list: (string | Uint8Array)[]): Buffer {
  return Buffer.concat(list.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));
}

describe('batched', () => {
  it('gives the pieces bytes in order, in chunks of at most 1 MiB unless a piece is larger', () => {
    const list = pieces();
    for (const reuse of [0, 1, 2]) {
      // A reused chunk is valid until the next is asked for: copy each as it comes.
      const chunks: Buffer[] = [];
      for (const c of batched(list, reuse)) chunks.push(Buffer.from(c));
      expect(Buffer.concat(chunks).equals(expected(list)), `reuse=${reuse}`).toBe(true);
      expect(chunks.filter((c) => c.length > MIB).map((c) => c.length)).toEqual([MIB + 5, 2 * MIB]);
      expect(chunks.length).toBeGreaterThan(5);
    }
  });

  it('without reuse every chunk is a buffer of its own, still intact after the next ones are made', () => {
    const list = pieces();
    const chunks = [...batched(list)];
    expect(Buffer.concat(chunks).equals(expected(list))).toBe(true);
  });
});

describe('writeFileAtomic', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('writes strings and bytes as given', async () => {
    const list = pieces();
    const file = tmp.path('out.txt');
    await writeFileAtomic(file, list);
    expect(readFileSync(file).equals(expected(list))).toBe(true);
    await writeFileAtomic(file, 'é\n');
    expect(readFileSync(file, 'utf8')).toBe('é\n');
  });
});
