import { Transform, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Decompress } from 'fzstd';
import { ZstdFrameGuard } from './zstd-frame-guard.js';

export type Compression = 'gzip' | 'zstd';

/** Recognises a compressed stream by its first bytes (never by the file name). */
export function sniffCompression(head: Uint8Array, length: number): Compression | null {
  if (length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (length >= 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  return null;
}

const GZIP_CHUNK = 256 * 1024;

/**
 * Puts a streaming decompressor behind `raw`. gzip uses Node's zlib; zstd (which Node 20's zlib lacks,
 * and which Wireshark reads and writes) uses fzstd's streaming decoder.
 */
export function decompressStream(raw: Readable, compression: Compression): Readable {
  if (compression === 'gzip') {
    const gunzip = createGunzip({ chunkSize: GZIP_CHUNK });
    raw.on('error', (error) => gunzip.destroy(error));
    return raw.pipe(gunzip);
  }
  // Frames are checked (declared window sizes) before fzstd allocates for them.
  const guard = new ZstdFrameGuard();
  const zstd = zstdTransform();
  raw.on('error', (error) => guard.destroy(error));
  guard.on('error', (error) => zstd.destroy(error));
  return raw.pipe(guard).pipe(zstd);
}

function zstdTransform(): Transform {
  let push: ((chunk: Uint8Array) => void) | null = null;
  const decoder = new Decompress((data) => push?.(data));
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      push = (data) => this.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
      try {
        decoder.push(chunk);
        callback();
      } catch (error) {
        callback(asZstdError(error));
      }
    },
    flush(callback) {
      push = (data) => this.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
      try {
        decoder.push(new Uint8Array(0), true);
        callback();
      } catch (error) {
        callback(asZstdError(error));
      }
    },
  });
}

function asZstdError(error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  return Object.assign(new Error(`zstd: ${message}`), { code: 'ZSTD_ERROR' });
}
