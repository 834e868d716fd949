/**
 * --extract reads the inputs a second time, which a pipe cannot give: what stdin (or a live capture)
 * delivers is passed on to the analysis and written to a temporary file as it goes, so the second pass
 * reads the file. Backpressure is kept: the source is paused while the analysis has not taken the last
 * chunk, so memory holds one chunk, not the capture.
 */
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';

export class StdinSpool {
  /** What the analysis reads instead of the source. */
  readonly stream = new PassThrough({ highWaterMark: 1 << 20 });
  /** The spooled bytes, readable once the analysis is done. */
  readonly path: string;
  private readonly directory: string;
  private fd: number | null;

  constructor(source: Readable) {
    this.directory = mkdtempSync(join(tmpdir(), 'closetrace-spool-'));
    this.path = join(this.directory, 'stdin.capture');
    this.fd = openSync(this.path, 'w');
    const onData = (chunk: Buffer): void => {
      if (this.fd === null) return;
      let done = 0;
      while (done < chunk.length) done += writeSync(this.fd, chunk, done, chunk.length - done);
      if (!this.stream.write(chunk)) source.pause();
    };
    this.stream.on('drain', () => source.resume());
    source.on('data', onData);
    source.on('end', () => {
      this.close();
      this.stream.end();
    });
    source.on('error', (error) => this.stream.destroy(error));
    // The analysis stopped reading (an interrupt): the rest is neither analysed nor spooled.
    this.stream.on('close', () => {
      this.close();
      source.off('data', onData);
      source.destroy();
    });
  }

  /** Deletes the temporary file. */
  remove(): void {
    this.close();
    rmSync(this.directory, { recursive: true, force: true });
  }

  private close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
