/**
 * --extract reads the inputs a second time, which a pipe cannot give: what stdin (or a live capture)
 * delivers is passed on to the analysis and written to a temporary file as it goes, so the second pass
 * reads the file. Backpressure is kept: the source is paused while the analysis has not taken the last
 * chunk, so memory holds one chunk, not the capture.
 */
import { closeSync, mkdtempSync, openSync, rmdirSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';

export class StdinSpool {
  /** What the analysis reads instead of the source. */
  readonly stream = new PassThrough({ highWaterMark: 1 << 20 });
  /** The spooled bytes, readable once the analysis is done (until remove()). */
  readonly path: string;
  /** The temporary directory while the file has a name in it (not on Linux: see the constructor). */
  private directory: string | null;
  private fd: number | null;
  private writing = true;

  constructor(source: Readable) {
    const directory = mkdtempSync(join(tmpdir(), 'closetrace-spool-'));
    const named = join(directory, 'stdin.capture');
    this.fd = openSync(named, 'w');
    this.directory = directory;
    this.path = named;
    if (process.platform === 'linux') {
      // A live capture with --extract can spool gigabytes, and a second Ctrl-C ends the process without
      // running any handler: the file is unlinked at once (the kernel frees it with the descriptor,
      // however the process ends) and read back through the descriptor's /proc name.
      this.path = `/proc/self/fd/${this.fd}`;
      unlinkSync(named);
      rmdirSync(directory);
      this.directory = null;
    }
    const onData = (chunk: Buffer): void => {
      if (!this.writing || this.fd === null) return;
      let done = 0;
      while (done < chunk.length) done += writeSync(this.fd, chunk, done, chunk.length - done);
      if (!this.stream.write(chunk)) source.pause();
    };
    this.stream.on('drain', () => source.resume());
    source.on('data', onData);
    source.on('end', () => {
      this.writing = false;
      this.stream.end();
    });
    source.on('error', (error) => this.stream.destroy(error));
    // The analysis stopped reading (an interrupt): the rest is neither analysed nor spooled.
    this.stream.on('close', () => {
      this.writing = false;
      source.off('data', onData);
      source.destroy();
    });
  }

  /** Frees the temporary file (its descriptor stays open until then: on Linux it is the file's only name). */
  remove(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    if (this.directory !== null) rmSync(this.directory, { recursive: true, force: true });
  }
}
