import type { Progress } from '../pipeline/analyze.js';

const DELAY_MS = 1000;
const REFRESH_MS = 200;
const SPINNER = ['|', '/', '-', '\\'];

/**
 * A one-line progress display on stderr: bytes of the total, frames per second and ETA for files, a
 * spinner with counts for pipes. It appears only after a second (short runs stay quiet), redraws at most
 * five times a second, and is erased when done so it never mixes with the report. A few dozen lines of
 * our own instead of a dependency: the appear-late and clear-at-end behaviour is most of the work.
 */
export class ProgressLine {
  private readonly started = Date.now();
  private lastDraw = 0;
  private drawn = false;
  private spin = 0;
  private framesAtStart = 0;
  private currentFile = '';

  constructor(private readonly stream: NodeJS.WriteStream) {}

  update(p: Progress): void {
    const now = Date.now();
    if (now - this.started < DELAY_MS || now - this.lastDraw < REFRESH_MS) return;
    if (p.file !== this.currentFile) {
      this.currentFile = p.file;
      this.framesAtStart = 0;
    }
    this.lastDraw = now;
    const seconds = (now - this.started) / 1000;
    const rate = (p.frames - this.framesAtStart) / Math.max(seconds, 0.001);
    const files = p.files > 1 ? `[${p.fileIndex + 1}/${p.files}] ` : '';
    let line: string;
    if (p.rawSize > 0) {
      const fraction = Math.min(1, p.rawBytesRead / p.rawSize);
      const width = 24;
      const filled = Math.round(fraction * width);
      const eta = fraction > 0 ? (seconds / fraction) * (1 - fraction) : 0;
      line = `${files}[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0)}% ${megabytes(p.rawBytesRead)}/${megabytes(p.rawSize)} ${compact(rate)} frames/s ETA ${Math.ceil(eta)}s`;
    } else {
      line = `${files}${SPINNER[this.spin++ % SPINNER.length]} ${compact(p.frames)} frames, ${megabytes(p.rawBytesRead)} read, ${compact(rate)} frames/s`;
    }
    const columns = this.stream.columns ?? 100;
    this.stream.write(`\r${line.slice(0, columns - 1)}\x1b[K`);
    this.drawn = true;
  }

  clear(): void {
    if (this.drawn) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(bytes < 1e7 ? 1 : 0)} MB`;
}

function compact(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(0)}k`;
  return String(Math.round(n));
}
