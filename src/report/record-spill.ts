import { closeSync, mkdtempSync, openSync, readSync, rmdirSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeAllAt } from './positioned-write.js';

const CHUNK = 1 << 20;
/**
 * Write buffers at most (each CHUNK bytes): one being filled, the others written by the thread pool
 * meanwhile. When all are still being written, the full one is written synchronously instead.
 */
const MAX_BUFFERS = 4;

/**
 * The records of a report that lists every connection (JSON, CSV, ndjson to a file), kept on disk
 * instead of in memory: each record's text (rendered by whichever thread analysed it) is appended to a
 * temporary file as it arrives, and only its sort key and position stay in memory (16 bytes). At the end the texts are read
 * back in report order (file, then stream). A capture with millions of findings then needs disk, not
 * gigabytes of heap. The file has no name once open, so nothing is left in the temporary directory
 * however the process ends (a second Ctrl-C or SIGKILL runs no handler).
 */
export class RecordSpill {
  /** The temporary directory, or null once the file is unlinked (the usual case: see the constructor). */
  private dir: string | null;
  private readonly fd: number;
  private pending: Buffer = Buffer.allocUnsafe(CHUNK);
  private pendingLength = 0;
  /** Bytes handed to write() so far, including those the thread pool is still writing. */
  private written = 0;
  /** Buffers made (at most MAX_BUFFERS), those free, writes not done yet, and the first that failed. */
  private buffers = 1;
  private readonly spare: Buffer[] = [];
  private inFlight = 0;
  private failure: Error | null = null;
  private whenSettled: (() => void) | null = null;
  private removed = false;
  private count = 0;
  private readonly fileIds = new Map<string, number>();
  private files = new Int32Array(1024);
  private streams = new Int32Array(1024);
  private offsets = new Float64Array(1024);
  private lengths = new Int32Array(1024);
  private readonly removeOnExit = (): void => this.remove();

  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'closetrace-'));
    const path = join(this.dir, 'records');
    this.fd = openSync(path, 'w+');
    try {
      // Unlinked at once: the kernel frees the file when the descriptor closes, also when the process is
      // killed. (Windows cannot unlink an open file: there it goes when the process exits normally.)
      unlinkSync(path);
      rmdirSync(this.dir);
      this.dir = null;
    } catch {
      process.once('exit', this.removeOnExit);
    }
  }

  get size(): number {
    return this.count;
  }

  /** A record's text as the format writes it (recordText), with the record's file and stream. */
  add(fileName: string, stream: number, text: string): void {
    if (this.count === this.files.length) this.grow();
    let file = this.fileIds.get(fileName);
    if (file === undefined) {
      file = this.fileIds.size;
      this.fileIds.set(fileName, file);
    }
    const i = this.count++;
    this.files[i] = file;
    this.streams[i] = stream;
    // A UTF-16 unit is at most 3 UTF-8 bytes: with that much room the text is encoded in one pass, its
    // length being what write() returns (no Buffer.byteLength pass over every record first).
    const bound = text.length * 3;
    if (this.pendingLength + bound > CHUNK) this.flush();
    this.offsets[i] = this.written + this.pendingLength;
    if (bound > CHUNK) {
      const bytes = Buffer.from(text);
      this.lengths[i] = bytes.length;
      this.writeAll(bytes);
      return;
    }
    const length = this.pending.write(text, this.pendingLength);
    this.lengths[i] = length;
    this.pendingLength += length;
  }

  /**
   * Waits for the writes still in flight, and fails with the first write that failed (a full disk).
   * Required before texts() or pieces().
   */
  async settle(): Promise<void> {
    this.flush();
    if (this.inFlight > 0) await new Promise<void>((resolve) => (this.whenSettled = resolve));
    if (this.failure !== null) throw this.failure;
  }

  /** The record texts in report order: by file name, then stream; records that tie keep their arrival order. */
  *texts(): Generator<string> {
    for (const bytes of this.pieces()) yield bytes.toString('utf8');
  }

  /**
   * The same, as the UTF-8 bytes written (no decoding and encoding again on the way to a file). Each
   * piece is a view of a reused buffer, valid until the next one is asked for.
   */
  *pieces(): Generator<Buffer> {
    if (this.pendingLength > 0 || this.inFlight > 0) throw new Error('RecordSpill: settle() before reading the records back');
    const rank = new Int32Array(this.fileIds.size);
    [...this.fileIds.keys()]
      .map((name, id) => ({ name, id }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .forEach((f, r) => {
        rank[f.id] = r;
      });
    const order = Array.from({ length: this.count }, (_, i) => i);
    order.sort((a, b) => rank[this.files[a]] - rank[this.files[b]] || this.streams[a] - this.streams[b] || a - b);
    let buffer = Buffer.allocUnsafe(64 * 1024);
    for (const i of order) {
      const length = this.lengths[i];
      if (length > buffer.length) buffer = Buffer.allocUnsafe(length);
      let read = 0;
      while (read < length) read += readSync(this.fd, buffer, read, length - read, this.offsets[i] + read);
      yield buffer.subarray(0, length);
    }
  }

  /** Closes and frees the temporary file (where it could not be unlinked at once, also done at process exit). */
  remove(): void {
    process.off('exit', this.removeOnExit);
    if (!this.removed) {
      this.removed = true;
      // A write still in flight closes the descriptor when it ends: closed now, its number could be
      // reused by another file before the thread pool writes to it.
      if (this.inFlight === 0) closeQuietly(this.fd);
    }
    if (this.dir !== null) rmSync(this.dir, { recursive: true, force: true });
  }

  /**
   * The full buffer goes to the thread pool, and the next record goes into a free one, so the analysis
   * does not wait for the page cache (writing 160 MB of JSON records took 0.2-0.7 s on the main
   * thread). Every write names its file offset, so writes may complete in any order.
   */
  private flush(): void {
    if (this.pendingLength === 0) return;
    const buffer = this.pending;
    const length = this.pendingLength;
    this.pendingLength = 0;
    let next = this.spare.pop();
    if (next === undefined && this.buffers < MAX_BUFFERS && !this.removed) {
      this.buffers++;
      next = Buffer.allocUnsafe(CHUNK);
    }
    if (next === undefined) {
      this.writeAll(buffer.subarray(0, length));
      return;
    }
    this.pending = next;
    const position = this.written;
    this.written += length;
    this.inFlight++;
    const done = (error: Error | null): void => {
      if (error !== null) this.failure ??= error;
      this.spare.push(buffer);
      if (--this.inFlight > 0) return;
      if (this.removed) closeQuietly(this.fd);
      const settled = this.whenSettled;
      this.whenSettled = null;
      settled?.();
    };
    writeAllAt(this.fd, buffer.subarray(0, length), position).then(
      () => done(null),
      (error: Error) => done(error),
    );
  }

  private writeAll(bytes: Uint8Array): void {
    let done = 0;
    while (done < bytes.length) done += writeSync(this.fd, bytes, done, bytes.length - done, this.written + done);
    this.written += bytes.length;
  }

  private grow(): void {
    const n = this.files.length * 2;
    const grown = <T extends Int32Array | Float64Array>(from: T, to: T): T => {
      to.set(from);
      return to;
    };
    this.files = grown(this.files, new Int32Array(n));
    this.streams = grown(this.streams, new Int32Array(n));
    this.offsets = grown(this.offsets, new Float64Array(n));
    this.lengths = grown(this.lengths, new Int32Array(n));
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Already closed.
  }
}
