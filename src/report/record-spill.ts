import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConnectionRecord } from '../verdict/types.js';

const CHUNK = 1 << 20;

/**
 * The records of a report that lists every connection (JSON, CSV, ndjson to a file), kept on disk
 * instead of in memory: each record is rendered to its text as it arrives and appended to a temporary
 * file, and only its sort key and position stay in memory (16 bytes). At the end the texts are read
 * back in report order (file, then stream). A capture with millions of findings then needs disk, not
 * gigabytes of heap.
 */
export class RecordSpill {
  private readonly dir: string;
  private readonly fd: number;
  private readonly pending = Buffer.allocUnsafe(CHUNK);
  private pendingLength = 0;
  private written = 0;
  private count = 0;
  private readonly fileIds = new Map<string, number>();
  private files = new Int32Array(1024);
  private streams = new Int32Array(1024);
  private offsets = new Float64Array(1024);
  private lengths = new Int32Array(1024);
  private readonly removeOnExit = (): void => this.remove();

  /** `render`: a record's text as the format writes it. */
  constructor(private readonly render: (record: ConnectionRecord) => string) {
    this.dir = mkdtempSync(join(tmpdir(), 'closetrace-'));
    this.fd = openSync(join(this.dir, 'records'), 'w+');
    process.once('exit', this.removeOnExit);
  }

  get size(): number {
    return this.count;
  }

  add(record: ConnectionRecord): void {
    const text = this.render(record);
    if (this.count === this.files.length) this.grow();
    let file = this.fileIds.get(record.file);
    if (file === undefined) {
      file = this.fileIds.size;
      this.fileIds.set(record.file, file);
    }
    const i = this.count++;
    this.files[i] = file;
    this.streams[i] = record.stream;
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

  /** The record texts in report order: by file name, then stream; records that tie keep their arrival order. */
  *texts(): Generator<string> {
    for (const bytes of this.pieces()) yield bytes.toString('utf8');
  }

  /**
   * The same, as the UTF-8 bytes written (no decoding and encoding again on the way to a file). Each
   * piece is a view of a reused buffer, valid until the next one is asked for.
   */
  *pieces(): Generator<Buffer> {
    this.flush();
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

  /** Deletes the temporary file (also done at process exit). */
  remove(): void {
    process.off('exit', this.removeOnExit);
    try {
      closeSync(this.fd);
    } catch {
      // Already closed.
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private flush(): void {
    if (this.pendingLength === 0) return;
    this.writeAll(this.pending.subarray(0, this.pendingLength));
    this.pendingLength = 0;
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
