/**
 * Where capture writers put their bytes: a growing in-memory buffer for small test captures, or a file
 * descriptor behind one large reused buffer for multi-gigabyte benchmark captures (constant memory).
 *
 * Writers reserve room, fill `buffer` at the returned offset, and commit what they filled; this lets the
 * benchmark generator patch packet templates straight into the output buffer without a copy per packet.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

export interface ByteSink {
  /** Current buffer. It may be replaced by reserve(), so read it again after each reserve(). */
  readonly buffer: Uint8Array;
  /** A DataView over `buffer`, replaced along with it. */
  readonly view: DataView;
  /** Guarantees `length` writable bytes at the returned offset of `buffer`, until the next reserve(). */
  reserve(length: number): number;
  /** Keeps `length` bytes from the last reserved offset (at most the reserved length). */
  commit(length: number): void;
  write(bytes: Uint8Array): void;
  /** Bytes committed so far (uncompressed). */
  readonly position: number;
}

export class MemorySink implements ByteSink {
  buffer: Uint8Array;
  view: DataView;
  private used = 0;

  constructor(initialSize = 64 * 1024) {
    this.buffer = new Uint8Array(initialSize);
    this.view = new DataView(this.buffer.buffer);
  }

  get position(): number {
    return this.used;
  }

  reserve(length: number): number {
    if (this.used + length > this.buffer.length) {
      let size = this.buffer.length * 2;
      while (size < this.used + length) size *= 2;
      const grown = new Uint8Array(size);
      grown.set(this.buffer.subarray(0, this.used));
      this.buffer = grown;
      this.view = new DataView(grown.buffer);
    }
    return this.used;
  }

  commit(length: number): void {
    this.used += length;
  }

  write(bytes: Uint8Array): void {
    const at = this.reserve(bytes.length);
    this.buffer.set(bytes, at);
    this.used += bytes.length;
  }

  /** A copy of everything written. */
  bytes(): Uint8Array {
    return this.buffer.slice(0, this.used);
  }
}

export interface FileSinkOptions {
  /** Size of the reused buffer; default 8 MiB. Bigger writes than this grow it once. */
  bufferSize?: number;
  /**
   * Compress each flushed buffer as its own gzip member. The file is then a multi-member gzip stream,
   * which gunzip, zlib and Wireshark read as one; this keeps compression streaming and synchronous.
   */
  gzip?: boolean;
  /** zlib level for `gzip`; default 1 (fast, benchmark inputs need not be small). */
  gzipLevel?: number;
}

/** Buffers bytes and writes them to a file descriptor with fs.writeSync. Call close() (or flush()) at the end. */
export class FileSink implements ByteSink {
  buffer: Uint8Array;
  view: DataView;
  private used = 0;
  private flushed = 0;
  private fileBytes = 0;
  private closed = false;

  constructor(
    readonly fd: number,
    private readonly options: FileSinkOptions = {},
    private readonly ownsFd = false,
  ) {
    this.buffer = Buffer.alloc(options.bufferSize ?? 8 * 1024 * 1024);
    this.view = new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.byteLength);
  }

  /** Creates (truncates) `path`; close() closes the file. */
  static create(path: string, options: FileSinkOptions = {}): FileSink {
    return new FileSink(openSync(path, 'w'), options, true);
  }

  get position(): number {
    return this.flushed + this.used;
  }

  /** Bytes that reached the file so far (compressed size when gzip is on). */
  get bytesWritten(): number {
    return this.fileBytes;
  }

  reserve(length: number): number {
    if (this.used + length > this.buffer.length) {
      this.flush();
      if (length > this.buffer.length) {
        this.buffer = Buffer.alloc(length);
        this.view = new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.byteLength);
      }
    }
    return this.used;
  }

  commit(length: number): void {
    this.used += length;
  }

  write(bytes: Uint8Array): void {
    const at = this.reserve(bytes.length);
    this.buffer.set(bytes, at);
    this.used += bytes.length;
  }

  flush(): void {
    if (this.used === 0) return;
    let out = this.buffer.subarray(0, this.used);
    if (this.options.gzip) out = gzipSync(out, { level: this.options.gzipLevel ?? 1 });
    for (let done = 0; done < out.length; ) done += writeSync(this.fd, out, done, out.length - done);
    this.fileBytes += out.length;
    this.flushed += this.used;
    this.used = 0;
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    if (this.ownsFd) closeSync(this.fd);
  }
}
