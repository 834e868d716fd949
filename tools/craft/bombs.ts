/**
 * Decompression bombs, built in code so no large file is kept in the repository: a few kilobytes that
 * inflate to hundreds of MiB. The inflated bytes are a capture header followed by zero bytes, which a
 * classic pcap reader takes for a run of empty 16-byte records (time 0, no data), so a reader that keeps
 * up delivers millions of frames without an error while memory must stay flat.
 */
import { gzipSync } from 'node:zlib';
import { buildPcap } from './pcap-writer.js';
import { ZSTD_MAX_BLOCK, zstdBlockHeader, zstdFrameHeader } from './zstd.js';

export interface ZstdBombOptions {
  /** Bytes of zeros after the pcap header (rounded up to whole 128 KiB blocks). */
  inflatedBytes: number;
  /** log2 of the window the frame declares (17 to 27; the RLE blocks need none, a decoder may still keep it). */
  windowLog?: number;
}

/**
 * One zstd frame: a raw block holding a classic pcap header, then RLE blocks of 128 KiB of 0x00, each 4
 * bytes long (3-byte block header + the repeated byte). 512 MiB of zeros take 16 KiB.
 */
export function zstdPcapBomb(options: ZstdBombOptions): Uint8Array {
  const windowLog = options.windowLog ?? 17;
  if (windowLog < 17) throw new RangeError('a window under 128 KiB cannot hold a 128 KiB block');
  const blocks = Math.max(1, Math.ceil(options.inflatedBytes / ZSTD_MAX_BLOCK));
  const header = buildPcap([]);
  const frame = zstdFrameHeader(windowLog);
  const out = new Uint8Array(frame.length + 3 + header.length + blocks * 4);
  out.set(frame);
  let at = zstdBlockHeader(out, frame.length, 'raw', header.length, false);
  out.set(header, at);
  at += header.length;
  for (let i = 0; i < blocks; i++) {
    at = zstdBlockHeader(out, at, 'rle', ZSTD_MAX_BLOCK, i === blocks - 1);
    out[at++] = 0x00;
  }
  return out;
}

/**
 * A gzip bomb of the same shape: a pcap header then `inflatedBytes` of zeros, as identical gzip members
 * of 16 MiB each (deflate's ratio on zeros is about 1000:1, so 2 GiB take about 2 MB). Compressing
 * 16 MiB of zeros once costs well under a second.
 */
export function gzipPcapBomb(inflatedBytes: number): Uint8Array {
  const memberBytes = 16 * 1024 * 1024;
  const members = Math.max(1, Math.ceil(inflatedBytes / memberBytes));
  const head = gzipSync(buildPcap([]));
  const zeros = gzipSync(new Uint8Array(memberBytes), { level: 9 });
  const out = new Uint8Array(head.length + members * zeros.length);
  out.set(head);
  for (let i = 0; i < members; i++) out.set(zeros, head.length + i * zeros.length);
  return out;
}
