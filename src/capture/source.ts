import { open, type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';

/**
 * Where capture bytes come from. `read` fills the caller's buffer, so a file is read straight into the
 * reader's large reused buffer without intermediate chunks; streams (stdin, gunzip) copy each chunk once.
 */
export interface ByteSource {
  /** Reads up to `length` bytes into `target` at `offset`; resolves 0 at the end of the data. */
  read(target: Uint8Array, offset: number, length: number): Promise<number>;
  close(): Promise<void>;
}

export class FileSource implements ByteSource {
  private position = 0;

  private constructor(private readonly handle: FileHandle, readonly size: number) {}

  static async open(path: string): Promise<FileSource> {
    const handle = await open(path, 'r');
    try {
      const info = await handle.stat();
      if (info.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
      return new FileSource(handle, info.isFile() ? info.size : -1);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** Raw bytes consumed so far. */
  get bytesRead(): number {
    return this.position;
  }

  /** Reads the first bytes of the file without consuming them (format and compression sniffing). */
  async peek(target: Uint8Array): Promise<number> {
    const { bytesRead } = await this.handle.read(target, 0, target.length, 0);
    return bytesRead;
  }

  async read(target: Uint8Array, offset: number, length: number): Promise<number> {
    const { bytesRead } = await this.handle.read(target, offset, length, this.position);
    this.position += bytesRead;
    return bytesRead;
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

/**
 * Adapts a Node readable stream (stdin, a gunzip transform) to ByteSource. Chunks are consumed in order;
 * a chunk larger than the requested length is kept and served over several reads.
 */
export class StreamSource implements ByteSource {
  private readonly chunks: AsyncIterator<Buffer>;
  private pending: Buffer | null = null;
  private pendingOffset = 0;
  private done = false;

  /** `origin`: the stream the data really comes from (stdin), destroyed too on close so a pipe left open cannot keep the process alive. */
  constructor(
    private readonly stream: Readable,
    prefix?: Buffer,
    private readonly origin: Readable | null = null,
  ) {
    this.chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    if (prefix && prefix.length > 0) this.pending = prefix;
  }

  async read(target: Uint8Array, offset: number, length: number): Promise<number> {
    let filled = 0;
    while (filled < length) {
      if (this.pending === null) {
        if (this.done || filled > 0) break;
        const next = await this.chunks.next();
        if (next.done) {
          this.done = true;
          break;
        }
        this.pending = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
        this.pendingOffset = 0;
      }
      const chunk = this.pending;
      const n = Math.min(length - filled, chunk.length - this.pendingOffset);
      target.set(chunk.subarray(this.pendingOffset, this.pendingOffset + n), offset + filled);
      filled += n;
      this.pendingOffset += n;
      if (this.pendingOffset >= chunk.length) this.pending = null;
    }
    return filled;
  }

  async close(): Promise<void> {
    if (!this.done) {
      this.done = true;
      // Not awaited: a generator suspended on a pipe that never sends would never finish returning.
      void this.chunks.return?.()?.catch(() => undefined);
    }
    this.stream.destroy();
    this.origin?.destroy();
  }
}
