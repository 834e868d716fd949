/** zstd's own default limit (zstd -d refuses larger windows unless given --long / --memory). */
export const MAX_ZSTD_WINDOW = 128 * 1024 * 1024;
/** RFC 8878 Block_Maximum_Size: no block regenerates more than this (nor more than the window). */
export const MAX_ZSTD_BLOCK = 128 * 1024;

const ZSTD_MAGIC = 0xfd2fb528;
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;

const enum State {
  Magic,
  SkippableSize,
  FrameHeader,
  BlockHeader,
  BlockBody,
  SkippableBody,
  Checksum,
}

/**
 * Walks the frame structure of a zstd stream (frame headers and block headers only, RFC 8878) so the
 * decoder can be fed one block at a time, and refuses what would make a decoder allocate or emit more
 * than a fixed amount before the data justifies it:
 * - a frame whose declared window exceeds 128 MiB (fzstd allocates the declared window up front, so a
 *   25 KB file could otherwise demand gigabytes);
 * - a block larger than Block_Maximum_Size (min(window, 128 KiB)); an RLE block's header alone names
 *   its regenerated size, and fzstd would allocate whatever it says.
 * Cutting the input at block ends bounds what one decoder call emits to about one block, which is what
 * lets the stream stop decompressing while its consumer is behind.
 */
export class ZstdFrameWalker {
  private state = State.Magic;
  /** Header bytes still to gather, or body bytes still to pass. */
  private need = 4;
  private readonly header = new Uint8Array(18);
  private have = 0;
  private checksum = false;
  private lastBlock = false;
  private blockLimit = 0;
  /** Compressed bytes walked so far. */
  offset = 0;

  /**
   * Walks `chunk` from `from` and returns the index just past the first block that ends there, or
   * `chunk.length` when none does. Throws (code ZSTD_ERROR) on what is refused.
   */
  walk(chunk: Uint8Array, from: number): number {
    let p = from;
    while (p < chunk.length) {
      if (this.state === State.BlockBody || this.state === State.SkippableBody || this.state === State.Checksum) {
        const n = Math.min(this.need, chunk.length - p);
        this.need -= n;
        p += n;
        this.offset += n;
        if (this.need > 0) return p;
        const blockEnded = this.state === State.BlockBody;
        this.afterBody();
        if (blockEnded) return p;
        continue;
      }
      const n = Math.min(this.need - this.have, chunk.length - p);
      this.header.set(chunk.subarray(p, p + n), this.have);
      this.have += n;
      p += n;
      this.offset += n;
      if (this.have === this.need) this.parse();
    }
    return p;
  }

  /** True between frames: the stream may end here. */
  get atFrameBoundary(): boolean {
    return this.state === State.Magic && this.have === 0;
  }

  private gather(state: State, bytes: number): void {
    this.state = state;
    this.need = bytes;
    this.have = 0;
  }

  private pass(state: State, bytes: number): void {
    this.state = state;
    this.need = bytes;
    this.have = 0;
    if (bytes === 0) this.afterBody();
  }

  private parse(): void {
    const h = this.header;
    switch (this.state) {
      case State.Magic: {
        const magic = (h[0] | (h[1] << 8) | (h[2] << 16) | (h[3] << 24)) >>> 0;
        if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) this.gather(State.SkippableSize, 4);
        else if (magic === ZSTD_MAGIC) this.gather(State.FrameHeader, 1);
        else throw this.error('not a zstd frame');
        return;
      }
      case State.SkippableSize:
        this.pass(State.SkippableBody, (h[0] | (h[1] << 8) | (h[2] << 16) | (h[3] << 24)) >>> 0);
        return;
      case State.FrameHeader:
        this.frameHeader();
        return;
      case State.BlockHeader: {
        const value = h[0] | (h[1] << 8) | (h[2] << 16);
        this.lastBlock = (value & 1) !== 0;
        const type = (value >> 1) & 3;
        const size = value >> 3;
        if (type === 3) throw this.error('a zstd block of the reserved type');
        if (size > this.blockLimit) throw this.error(`a zstd block of ${size} bytes (more than the frame's ${this.blockLimit}-byte limit)`);
        this.pass(State.BlockBody, type === 1 ? 1 : size);
        return;
      }
      default:
        return;
    }
  }

  private frameHeader(): void {
    const h = this.header;
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
      window = readLittle(h, 1 + dictionaryBytes, contentSizeBytes) + (contentSizeBytes === 2 ? 256 : 0);
    } else {
      const wd = h[1];
      const base = 2 ** (10 + (wd >> 3));
      window = base + (base / 8) * (wd & 7);
    }
    if (window > MAX_ZSTD_WINDOW) {
      throw this.error(`a zstd frame needs a ${Math.ceil(window / 1048576)} MiB window (more than 128 MiB); decompress it with zstd -d --long=31 first`);
    }
    this.blockLimit = Math.min(window, MAX_ZSTD_BLOCK);
    this.gather(State.BlockHeader, 3);
  }

  /** After a block body, a skippable frame's body or a checksum. */
  private afterBody(): void {
    if (this.state === State.BlockBody && !this.lastBlock) {
      this.gather(State.BlockHeader, 3);
      return;
    }
    if (this.state === State.BlockBody && this.checksum) {
      this.lastBlock = false;
      this.gather(State.Checksum, 4);
      return;
    }
    this.lastBlock = false;
    this.gather(State.Magic, 4);
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
