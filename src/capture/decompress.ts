import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Decompress } from 'fzstd';
import { ZstdFrameWalker } from './zstd-frame-guard.js';

export type Compression = 'gzip' | 'zstd';

/**
 * Recognises a compressed stream by its first bytes (never by the file name): gzip, or zstd starting
 * with a frame or with a skippable frame (magic 0x184D2A50-5F, which zstd -d reads past).
 */
export function sniffCompression(head: Uint8Array, length: number): Compression | null {
  if (length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (length >= 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  if (length >= 4 && (head[0] & 0xf0) === 0x50 && head[1] === 0x2a && head[2] === 0x4d && head[3] === 0x18) return 'zstd';
  return null;
}

const GZIP_CHUNK = 256 * 1024;

/**
 * Puts a streaming decompressor behind `raw`. gzip uses Node's zlib; zstd (which Node 20's zlib lacks,
 * and which Wireshark reads and writes) uses fzstd's streaming decoder. Either way decompression runs
 * only as fast as the consumer reads: memory does not depend on how far the input inflates.
 */
export function decompressStream(raw: Readable, compression: Compression): Readable {
  if (compression === 'gzip') {
    const gunzip = createGunzip({ chunkSize: GZIP_CHUNK });
    raw.on('error', (error) => gunzip.destroy(error));
    return raw.pipe(gunzip);
  }
  // Pulled, not pushed: the generator decodes the next block only when the reader asks for bytes and
  // the one before was taken (highWaterMark 0), so at most one block (128 KiB) waits in memory and an
  // error (a truncated frame) cannot discard blocks decoded before it.
  return Readable.from(inflateZstd(raw), { objectMode: false, highWaterMark: 0 });
}

/**
 * Feeds the decoder one block at a time (the walker cuts the compressed chunks at block ends) and
 * yields what each block regenerates before reading further. fzstd's push() decodes everything it is
 * given at once and ignores any notion of back-pressure; a 4-byte RLE block regenerates 128 KiB, so a
 * whole 1 MiB read of a bomb would otherwise inflate to 32 GiB in one call.
 */
async function* inflateZstd(raw: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const walker = new ZstdFrameWalker();
  const out: Uint8Array[] = [];
  const decoder = new Decompress((data) => {
    if (data.length > 0) out.push(data);
  });
  for await (const chunk of raw) {
    for (let at = 0; at < chunk.length; ) {
      const end = walker.walk(chunk, at);
      feed(decoder, chunk.subarray(at, end), false);
      at = end;
      while (out.length > 0) yield asBuffer(out.shift() as Uint8Array);
    }
  }
  feed(decoder, new Uint8Array(0), true);
  while (out.length > 0) yield asBuffer(out.shift() as Uint8Array);
}

function feed(decoder: Decompress, bytes: Uint8Array, final: boolean): void {
  try {
    decoder.push(bytes, final);
  } catch (error) {
    throw asZstdError(error);
  }
}

function asBuffer(data: Uint8Array): Buffer {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

function asZstdError(error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  return Object.assign(new Error(`zstd: ${message}`), { code: 'ZSTD_ERROR' });
}
