import { BatchOptionError } from './errors.js';

/** This run's part of a scan split over several machines: part `index` (1-based) of `count`. */
export interface ShardSpec {
  index: number;
  count: number;
}

/**
 * FNV-1a (32-bit) of the path's UTF-8 bytes. Chosen for sharding because it is tiny, fully specified
 * (offset basis 2166136261, prime 16777619) and gives the same number on every machine and Node version,
 * unlike anything that depends on the runtime's string hashing.
 */
export function fnv1a32(text: string): number {
  const bytes = new TextEncoder().encode(text);
  let hash = 0x811c9dc5;
  for (const b of bytes) {
    hash ^= b;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/**
 * Whether a file belongs to the shard: FNV-1a of its shard key (the path below the directory given that
 * found it, '/'-separated, or the file name of a file given directly: InputFile.shardKey), modulo the
 * shard count, equals index - 1. The key does not depend on where the inputs sit (a mount point, a
 * temporary directory, the working directory), so every machine puts each file in exactly one shard
 * as long as each runs with the same inputs below those directories.
 */
export function inShard(shardKey: string, shard: ShardSpec): boolean {
  return fnv1a32(shardKey) % shard.count === shard.index - 1;
}

/** Parses "I/N" (1 <= I <= N), as --shard takes it. */
export function parseShard(text: string): ShardSpec {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (m === null) throw new BatchOptionError(`shard "${text}" is not of the form I/N (e.g. 2/4)`);
  const shard = { index: Number(m[1]), count: Number(m[2]) };
  checkShard(shard);
  return shard;
}

export function checkShard(shard: ShardSpec): void {
  if (!Number.isSafeInteger(shard.count) || shard.count < 1) throw new BatchOptionError(`shard count ${shard.count} must be a whole number of at least 1`);
  if (!Number.isSafeInteger(shard.index) || shard.index < 1 || shard.index > shard.count) {
    throw new BatchOptionError(`shard ${shard.index}/${shard.count}: the part must be between 1 and ${shard.count}`);
  }
}
