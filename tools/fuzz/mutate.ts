/**
 * Seeded mutations of a capture: truncation, byte flips, length fields (pcap caplen/origlen, pcapng block
 * and packet lengths, IP and TCP length fields) set to 0, 1, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF, garbage
 * spliced in, ranges duplicated; a mutated capture gzip'd or zstd'd and cut; a clean capture compressed
 * and its compressed bytes damaged. Each says what it did and what must survive it.
 */
import { gzip, zstdStored } from '../craft/index.js';
import { type FuzzInput } from './corpus.js';
import type { Prng } from './prng.js';

export const MUTATION_KINDS = ['truncate', 'flip', 'length-field', 'splice', 'duplicate', 'gzip', 'zstd', 'compressed-flip'] as const;
export type MutationKind = (typeof MUTATION_KINDS)[number];

export interface Mutation {
  bytes: Uint8Array;
  kind: MutationKind;
  description: string;
  /** First byte offset that differs from the original (records ending before it must be delivered). */
  firstChange: number;
  /** For a plain truncation: the cut offset (exact frame count and error expectation are known). */
  cut?: number;
  /** The bytes are a compressed stream (offsets above are then of no use). */
  compressed: boolean;
}

/** zstd encoders to pick from: always the raw-block one made in code, the `zstd` program when present. */
export type ZstdEncoder = { name: string; encode(bytes: Uint8Array): Uint8Array };

export const STORED_ZSTD: ZstdEncoder = { name: 'zstd-stored', encode: (bytes) => zstdStored(bytes, 4096) };

const LENGTH_VALUES = [0, 1, 0xffff, 0x7fffffff, 0xffffffff];

export function mutate(rng: Prng, input: FuzzInput, zstd: readonly ZstdEncoder[] = [STORED_ZSTD], allowCompressed = true): Mutation {
  const original = input.bytes;
  const layout = input.layout;
  const n = original.length;
  const kind = MUTATION_KINDS[rng.int(allowCompressed ? MUTATION_KINDS.length : 5)];
  switch (kind) {
    case 'truncate': {
      const cut = rng.int(n);
      return { bytes: original.slice(0, cut), kind, description: `truncate at ${cut}`, firstChange: cut, cut, compressed: false };
    }
    case 'flip': {
      const bytes = original.slice();
      const flips: number[] = [];
      for (let k = rng.range(1, 8); k > 0; k--) {
        const at = rng.int(n);
        bytes[at] ^= rng.range(1, 255);
        flips.push(at);
      }
      return { bytes, kind, description: `flip bytes at ${flips.join(',')}`, firstChange: Math.min(...flips), compressed: false };
    }
    case 'length-field': {
      const bytes = original.slice();
      const field = rng.pick(layout.fields);
      const value = rng.pick(LENGTH_VALUES);
      const view = new DataView(bytes.buffer);
      if (field.size === 4) view.setUint32(field.at, value >>> 0, field.littleEndian);
      else if (field.size === 2) view.setUint16(field.at, value & 0xffff, field.littleEndian);
      else bytes[field.at] = ((rng.pick([0, 1, 4, 15]) & 0x0f) << 4) | (bytes[field.at] & 0x0f);
      return { bytes, kind, description: `${field.name} at ${field.at} := 0x${value.toString(16)}`, firstChange: field.at, compressed: false };
    }
    case 'splice': {
      const at = rng.int(n + 1);
      const garbage = rng.bytes(rng.range(1, 64));
      const bytes = new Uint8Array(n + garbage.length);
      bytes.set(original.subarray(0, at));
      bytes.set(garbage, at);
      bytes.set(original.subarray(at), at + garbage.length);
      return { bytes, kind, description: `splice ${garbage.length} random bytes at ${at}`, firstChange: at, compressed: false };
    }
    case 'duplicate': {
      const from = rng.int(n);
      const length = rng.range(1, Math.min(2000, n - from));
      const at = rng.int(n + 1);
      const bytes = new Uint8Array(n + length);
      bytes.set(original.subarray(0, at));
      bytes.set(original.subarray(from, from + length), at);
      bytes.set(original.subarray(at), at + length);
      // The insertion may repeat the bytes that were there: compare to find the first real change.
      let first = at;
      while (first < n && bytes[first] === original[first]) first++;
      return { bytes, kind, description: `duplicate [${from}, ${from + length}) at ${at}`, firstChange: first, compressed: false };
    }
    case 'gzip':
    case 'zstd': {
      const inner = mutate(rng, input, zstd, false);
      const encoder = kind === 'gzip' ? { name: 'gzip', encode: (b: Uint8Array) => gzip(b, 1) } : rng.pick(zstd);
      const packed = encoder.encode(inner.bytes);
      const cut = rng.next() < 0.8 ? rng.range(0, packed.length - 1) : packed.length;
      return { bytes: packed.slice(0, cut), kind, description: `${encoder.name}(${inner.description}) cut at ${cut} of ${packed.length}`, firstChange: 0, compressed: true };
    }
    case 'compressed-flip': {
      const encoder = rng.next() < 0.5 ? { name: 'gzip', encode: (b: Uint8Array) => gzip(b, 1) } : rng.pick(zstd);
      const bytes = encoder.encode(original);
      const flips: number[] = [];
      // Past the magic, so the stream is still taken for what it claims to be.
      for (let k = rng.range(1, 4); k > 0; k--) {
        const at = rng.range(4, bytes.length - 1);
        bytes[at] ^= rng.range(1, 255);
        flips.push(at);
      }
      return { bytes, kind, description: `${encoder.name}(clean) with bytes flipped at ${flips.join(',')} of ${bytes.length}`, firstChange: 0, compressed: true };
    }
  }
}
