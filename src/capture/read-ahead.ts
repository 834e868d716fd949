import type { ByteSource } from './source.js';

/**
 * Keeps one read in flight while the reader parses: data arrives in a staging buffer of the same size as
 * the reader's, and is copied into the reader's buffer when asked for, at which point the next read is
 * started. Parsing and I/O (the thread pool's file reads, or gunzip) then overlap instead of alternating.
 */
export class ReadAhead {
  private readonly staging: Uint8Array;
  private staged = 0;
  private taken = 0;
  private inflight: Promise<number> | null = null;
  private ended = false;

  constructor(
    private readonly source: ByteSource,
    size: number,
  ) {
    this.staging = new Uint8Array(size);
  }

  /** Copies up to `length` bytes into target[offset..]; resolves 0 at the end of the data. */
  async read(target: Uint8Array, offset: number, length: number): Promise<number> {
    if (this.taken === this.staged) {
      if (this.ended) return 0;
      this.start();
      const n = await (this.inflight as Promise<number>);
      this.inflight = null;
      this.staged = n;
      this.taken = 0;
      if (n === 0) {
        this.ended = true;
        return 0;
      }
    }
    const n = Math.min(length, this.staged - this.taken);
    target.set(this.staging.subarray(this.taken, this.taken + n), offset);
    this.taken += n;
    // The staging buffer is free again: fetch the next chunk while the caller parses this one.
    if (this.taken === this.staged) this.start();
    return n;
  }

  /** Waits for a read still in flight (so the source can be closed safely). */
  async settle(): Promise<void> {
    if (this.inflight !== null) await this.inflight.catch(() => 0);
  }

  private start(): void {
    if (this.inflight === null && !this.ended) this.inflight = this.source.read(this.staging, 0, this.staging.length);
  }
}
