import type { InputFile } from './inputs.js';

/** A file being read right now. */
export interface FileInProgress {
  file: string;
  /** Position in the run's file list. */
  index: number;
  /** Raw (possibly compressed) bytes read so far, and the file's size (-1 when unknown: a pipe). */
  bytesRead: number;
  size: number;
  frames: number;
}

/** Where a batch is: for a progress display over many files read in parallel. */
export interface BatchProgress {
  files: number;
  filesDone: number;
  /** Raw bytes read so far over all files, and the sum of the sizes known (pipes have none). */
  bytesRead: number;
  totalBytes: number;
  /** True when some input's size is unknown (stdin): `totalBytes` then undercounts and there is no ETA. */
  sizeUnknown: boolean;
  frames: number;
  elapsedSeconds: number;
  /** Average raw bytes per second since the start. */
  bytesPerSecond: number;
  /** Seconds left at the average rate, or null when it cannot be told yet. */
  etaSeconds: number | null;
  /** The files being read, in file-list order. */
  current: FileInProgress[];
}

/** Events at most this often (ms), plus one whenever a file ends. */
const INTERVAL_MS = 100;

/**
 * Turns per-file progress (from the main thread or from workers) into BatchProgress events. A finished
 * file counts with its whole size, so the total stays consistent even when its last refill was not
 * reported (an error or a stop part-way).
 */
export class BatchProgressTracker {
  private readonly started: number;
  private lastEmit = -Infinity;
  private readonly reading = new Map<number, FileInProgress>();
  private doneBytes = 0;
  private doneFrames = 0;
  private filesDone = 0;
  private readonly totalBytes: number;
  private readonly sizeUnknown: boolean;

  constructor(
    private readonly files: readonly InputFile[],
    private readonly emit: (progress: BatchProgress) => void,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.started = now();
    let total = 0;
    let unknown = false;
    for (const f of files) {
      if (f.error !== null) continue;
      if (f.size >= 0) total += f.size;
      else unknown = true;
    }
    this.totalBytes = total;
    this.sizeUnknown = unknown;
  }

  fileStarted(index: number): void {
    const f = this.files[index];
    this.reading.set(index, { file: f.path, index, bytesRead: 0, size: f.size, frames: 0 });
  }

  progress(index: number, bytesRead: number, size: number, frames: number): void {
    let entry = this.reading.get(index);
    if (entry === undefined) {
      this.fileStarted(index);
      entry = this.reading.get(index) as FileInProgress;
    }
    entry.bytesRead = bytesRead;
    if (size >= 0) entry.size = size;
    entry.frames = frames;
    this.maybeEmit(false);
  }

  /** A file has ended; `frames` defaults to what its last progress report said. */
  done(index: number, frames?: number): void {
    const entry = this.reading.get(index);
    this.reading.delete(index);
    const f = this.files[index];
    this.doneBytes += f.error !== null ? 0 : f.size >= 0 ? f.size : (entry?.bytesRead ?? 0);
    this.doneFrames += frames ?? entry?.frames ?? 0;
    this.filesDone++;
    this.maybeEmit(true);
  }

  snapshot(): BatchProgress {
    const elapsed = Math.max((this.now() - this.started) / 1000, 1e-6);
    let bytesRead = this.doneBytes;
    let frames = this.doneFrames;
    const current = [...this.reading.values()].sort((a, b) => a.index - b.index);
    for (const c of current) {
      bytesRead += c.bytesRead;
      frames += c.frames;
    }
    const rate = bytesRead / elapsed;
    const left = Math.max(0, this.totalBytes - bytesRead);
    return {
      files: this.files.length,
      filesDone: this.filesDone,
      bytesRead,
      totalBytes: this.totalBytes,
      sizeUnknown: this.sizeUnknown,
      frames,
      elapsedSeconds: elapsed,
      bytesPerSecond: rate,
      etaSeconds: this.sizeUnknown || rate <= 0 ? null : left / rate,
      current: current.map((c) => ({ ...c })),
    };
  }

  private maybeEmit(force: boolean): void {
    const t = this.now();
    if (!force && t - this.lastEmit < INTERVAL_MS) return;
    this.lastEmit = t;
    this.emit(this.snapshot());
  }
}
