import { Transform, type TransformCallback } from 'node:stream';

/** zstd's own default limit (zstd -d refuses larger windows unless given --long / --memory). */
export const MAX_ZSTD_WINDOW = 128 * 1024 * 1024;

const ZSTD_MAGIC = 0xfd2fb528;
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;

const enum State {
  Magic,
  FrameHeader,
  BlockHeader,
  Skip,
  Checksum,
}

/**
 * Walks the zstd frame structure of a compressed stream (frame headers and block sizes only, RFC 8878)
 * and passes the bytes on unchanged, refusing any frame whose declared window exceeds 128 MiB before
 * the decoder sees it: a decoder allocates the declared window up front, so a 25 KB file could
 * otherwise demand gigabytes.
 */
export class ZstdFrameGuard extends Transform {
  private state = State.Magic;
  /** Bytes still to skip (block body, skippable frame) or to gather (headers). */
  private need = 4;
  private readonly header = new Uint8Array(18);
  private have = 0;
  private checksum = false;
  private lastBlock = false;
  private offset = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.scan(chunk);
    } catch (error) {
      callback(error as Error);
      return;
    }
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    callback();
  }

  private scan(chunk: Uint8Array): void {
    let p = 0;
    while (p < chunk.length) {
      if (this.state === State.Skip) {
        const n = Math.min(this.need, chunk.length - p);
        this.need -= n;
        p += n;
        this.offset += n;
        if (this.need === 0) this.afterSkip();
        continue;
      }
      const n = Math.min(this.need - this.have, chunk.length - p);
      this.header.set(chunk.subarray(p, p + n), this.have);
      this.have += n;
      p += n;
      this.offset += n;
      if (this.have === this.need) this.parse();
    }
  }

  private gather(state: State, bytes: number): void {
    this.state = state;
    this.need = bytes;
    this.have = 0;
  }

  private parse(): void {
    const h = this.header;
    switch (this.state) {
      case State.Magic: {
        if (this.need === 4) {
          const magic = (h[0] | (h[1] << 8) | (h[2] << 16) | (h[3] << 24)) >>> 0;
          if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) {
            // A skippable frame: its 4-byte size follows.
            this.need = 8;
            return;
          }
          if (magic !== ZSTD_MAGIC) throw this.error('not a zstd frame');
          this.gather(State.FrameHeader, 1);
          return;
        }
        const size = (h[4] | (h[5] << 8) | (h[6] << 16) | (h[7] << 24)) >>> 0;
        this.state = State.Skip;
        this.need = size;
        if (size === 0) this.afterSkip();
        return;
      }
      case State.FrameHeader: {
        const descriptor = h[0];
        const singleSegment = (descriptor & 0x20) !== 0;
        const contentSizeBytes = [singleSegment ? 1 : 0, 2, 4, 8][descriptor >> 6];
        const dictionaryBytes = [0, 1, 2, 4][descriptor & 3];
        const total = 1 + (singleSegment ? 0 : 1) + dictionaryBytes + contentSizeBytes;
        if (this.need < total) {
          this.need = total;
          return;
        }
        this.checksum = (descriptor & 0x04) !== 0;
        let window: number;
        if (singleSegment) {
          // The frame is one segment: its window is its content size.
          const at = 1 + dictionaryBytes;
          window = readLittle(h, at, contentSizeBytes) + (contentSizeBytes === 2 ? 256 : 0);
        } else {
          const wd = h[1];
          const log = 10 + (wd >> 3);
          const base = 2 ** log;
          window = base + (base / 8) * (wd & 7);
        }
        if (window > MAX_ZSTD_WINDOW) {
          throw this.error(`a zstd frame needs a ${Math.ceil(window / 1048576)} MiB window (more than 128 MiB); decompress it with zstd -d --long=31 first`);
        }
        this.gather(State.BlockHeader, 3);
        return;
      }
      case State.BlockHeader: {
        const value = h[0] | (h[1] << 8) | (h[2] << 16);
        this.lastBlock = (value & 1) !== 0;
        const type = (value >> 1) & 3;
        const size = value >> 3;
        if (type === 3) throw this.error('a zstd block of the reserved type');
        this.state = State.Skip;
        this.need = type === 1 ? 1 : size;
        if (this.need === 0) this.afterSkip();
        return;
      }
      case State.Checksum:
        this.gather(State.Magic, 4);
        return;
      default:
        return;
    }
  }

  /** After a block body or a skippable frame. */
  private afterSkip(): void {
    if (this.need !== 0) return;
    if (this.lastBlock) {
      this.lastBlock = false;
      if (this.checksum) this.gather(State.Checksum, 4);
      else this.gather(State.Magic, 4);
      return;
    }
    if (this.state === State.Skip && this.have === 8 && this.need === 0) {
      this.gather(State.Magic, 4);
      return;
    }
    this.gather(State.BlockHeader, 3);
  }

  private error(reason: string): Error {
    return Object.assign(new Error(`${reason} (at compressed byte ${this.offset})`), { code: 'ZSTD_ERROR' });
  }
}

function readLittle(b: Uint8Array, at: number, bytes: number): number {
  let value = 0;
  for (let i = bytes - 1; i >= 0; i--) value = value * 256 + b[at + i];
  return value;
}
