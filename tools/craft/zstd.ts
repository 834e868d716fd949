/**
 * zstd frames written without compressing (raw and RLE blocks, RFC 8878): valid input for any zstd
 * reader, made in code where the zstd program may be missing. With a real compressor at hand (the `zstd`
 * program), tests use that too, to reach the decoder's entropy-coded blocks.
 */
import { spawnSync } from 'node:child_process';

/** zstd's largest block (RFC 8878 Block_Maximum_Size). */
export const ZSTD_MAX_BLOCK = 128 * 1024;

/** Writes a 3-byte block header at `at`; returns the offset after it. */
export function zstdBlockHeader(out: Uint8Array, at: number, type: 'raw' | 'rle', size: number, last: boolean): number {
  const value = (size << 3) | ((type === 'rle' ? 1 : 0) << 1) | (last ? 1 : 0);
  out[at] = value & 0xff;
  out[at + 1] = (value >>> 8) & 0xff;
  out[at + 2] = (value >>> 16) & 0xff;
  return at + 3;
}

/** The 6-byte header of a frame without content size or checksum, declaring a window of 2^windowLog. */
export function zstdFrameHeader(windowLog = 17): Uint8Array {
  if (windowLog < 10 || windowLog > 41) throw new RangeError(`windowLog ${windowLog} out of range`);
  return Uint8Array.of(0x28, 0xb5, 0x2f, 0xfd, 0x00, (windowLog - 10) << 3);
}

/** `bytes` as one zstd frame of raw blocks of at most `blockSize` bytes (a 128 KiB window). */
export function zstdStored(bytes: Uint8Array, blockSize = ZSTD_MAX_BLOCK): Uint8Array {
  const size = Math.max(1, Math.min(blockSize, ZSTD_MAX_BLOCK));
  const blocks = Math.max(1, Math.ceil(bytes.length / size));
  const header = zstdFrameHeader(17);
  const out = new Uint8Array(header.length + blocks * 3 + bytes.length);
  out.set(header);
  let at = header.length;
  for (let i = 0; i < blocks; i++) {
    const piece = bytes.subarray(i * size, (i + 1) * size);
    at = zstdBlockHeader(out, at, 'raw', piece.length, i === blocks - 1);
    out.set(piece, at);
    at += piece.length;
  }
  return out;
}

/** True when the `zstd` program runs here. */
export function hasZstdProgram(): boolean {
  return spawnSync('zstd', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** `bytes` compressed by the `zstd` program (`args` such as '-1', '--no-check'); throws when it fails. */
export function zstdCompress(bytes: Uint8Array, ...args: string[]): Uint8Array {
  const r = spawnSync('zstd', ['-q', '-c', ...args], { input: bytes, maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`zstd failed: ${r.stderr?.toString() ?? r.error?.message}`);
  return new Uint8Array(r.stdout);
}
