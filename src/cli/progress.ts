import type { BatchProgress } from '../batch/index.js';

const DELAY_MS = 1000;
const REFRESH_MS = 200;
const SPINNER = ['|', '/', '-', '\\'];

/**
 * A one-line progress display on stderr: files done of total, bytes of the total, rate and ETA, and the
 * files being read (a spinner with counts when reading a pipe, whose size is unknown). It appears only
 * after a second (short runs stay quiet), redraws at most five times a second, and is erased when done
 * so it never mixes with the report. A few dozen lines of our own instead of a dependency: appearing
 * late and clearing at the end are most of the work.
 */
export class ProgressLine {
  private readonly started = Date.now();
  private lastDraw = 0;
  private drawn = false;
  private spin = 0;

  constructor(private readonly stream: NodeJS.WriteStream) {}

  update(p: BatchProgress): void {
    const now = Date.now();
    if (now - this.started < DELAY_MS || now - this.lastDraw < REFRESH_MS) return;
    this.lastDraw = now;
    const files = p.files > 1 ? `${p.filesDone}/${p.files} files ` : '';
    const rate = `${megabytes(p.bytesPerSecond)}/s ${compact(p.frames / Math.max(p.elapsedSeconds, 0.001))} frames/s`;
    const current = p.current.map((f) => basename(f.file)).join(', ');
    let line: string;
    if (!p.sizeUnknown && p.totalBytes > 0) {
      const fraction = Math.min(1, p.bytesRead / p.totalBytes);
      const width = 20;
      const filled = Math.round(fraction * width);
      const eta = p.etaSeconds === null ? '' : ` ETA ${formatEta(p.etaSeconds)}`;
      line = `${files}[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0)}% ${megabytes(p.bytesRead)}/${megabytes(p.totalBytes)} ${rate}${eta}`;
    } else {
      line = `${files}${SPINNER[this.spin++ % SPINNER.length]} ${compact(p.frames)} frames, ${megabytes(p.bytesRead)} read, ${rate}`;
    }
    if (current !== '') line += `  ${current}`;
    const columns = this.stream.columns || 100;
    this.stream.write(`\r${line.slice(0, columns - 1)}\x1b[K`);
    this.drawn = true;
  }

  clear(): void {
    if (this.drawn) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function megabytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  return `${(bytes / 1e6).toFixed(bytes < 1e7 ? 1 : 0)} MB`;
}

function compact(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(0)}k`;
  return String(Math.round(n));
}

function formatEta(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  return `${Math.floor(seconds / 60)}m${String(Math.ceil(seconds % 60)).padStart(2, '0')}s`;
}
