/** Where a frame of a joined capture came from. */
export interface FrameSource {
  /** Frame number in the joined (merged) capture: what `firstFrame`, `evidence`, ... refer to. */
  frame: number;
  /** The input file, as listed. */
  file: string;
  /** Frame number within that file (what tshark shows when it opens the file alone). */
  fileFrame: number;
}

/** Runs kept before the oldest half is forgotten: 1 Mi runs, 24 MiB. */
const MAX_RUNS = 1 << 20;

/**
 * Maps joined frame numbers back to (file, frame in file) in bounded memory. The frames of each file
 * appear in the merged order as an increasing sequence, so the map stores runs: "joined frames from M on
 * are file F's frames from N on". A rotated set (files one after the other in time) needs about one run
 * per file; captures interleaved packet by packet need up to one per frame, so after MAX_RUNS runs the
 * oldest half is forgotten and lookups for those frames answer null (a connection that old is rare: the
 * evidence of a connection lies between its first and last frame).
 */
export class FrameSourceMap {
  private mergedStart = new Float64Array(1024);
  private fileFrameStart = new Float64Array(1024);
  private fileIndex = new Int32Array(1024);
  private runs = 0;
  private lastFile = -1;
  private lastFileFrame = -1;
  /** Joined frames below this were in forgotten runs. */
  forgottenBefore = 1;

  constructor(private readonly files: readonly string[]) {}

  /** Notes that joined frame `merged` (numbered 1, 2, ... in order) is frame `fileFrame` of file `file`. */
  note(merged: number, file: number, fileFrame: number): void {
    if (file === this.lastFile && fileFrame === this.lastFileFrame + 1) {
      this.lastFileFrame = fileFrame;
      return;
    }
    if (this.runs === this.mergedStart.length) this.makeRoom();
    const i = this.runs++;
    this.mergedStart[i] = merged;
    this.fileFrameStart[i] = fileFrame;
    this.fileIndex[i] = file;
    this.lastFile = file;
    this.lastFileFrame = fileFrame;
  }

  /** The index (in the constructor's list) of the file joined frame `merged` came from, or -1. */
  fileOf(merged: number): number {
    const i = this.runOf(merged);
    return i < 0 ? -1 : this.fileIndex[i];
  }

  /** The source of joined frame `merged`, or null when it is unknown (forgotten or never noted). */
  lookup(merged: number): FrameSource | null {
    const i = this.runOf(merged);
    if (i < 0) return null;
    return { frame: merged, file: this.files[this.fileIndex[i]], fileFrame: this.fileFrameStart[i] + (merged - this.mergedStart[i]) };
  }

  private runOf(merged: number): number {
    if (this.runs === 0 || merged < this.forgottenBefore || merged < this.mergedStart[0]) return -1;
    let lo = 0;
    let hi = this.runs - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.mergedStart[mid] <= merged) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private makeRoom(): void {
    const capacity = this.mergedStart.length;
    if (capacity < MAX_RUNS) {
      const grow = <T extends Float64Array | Int32Array>(old: T, next: T): T => {
        next.set(old);
        return next;
      };
      this.mergedStart = grow(this.mergedStart, new Float64Array(capacity * 2));
      this.fileFrameStart = grow(this.fileFrameStart, new Float64Array(capacity * 2));
      this.fileIndex = grow(this.fileIndex, new Int32Array(capacity * 2));
      return;
    }
    const keep = capacity >> 1;
    const drop = this.runs - keep;
    this.mergedStart.copyWithin(0, drop, this.runs);
    this.fileFrameStart.copyWithin(0, drop, this.runs);
    this.fileIndex.copyWithin(0, drop, this.runs);
    this.runs = keep;
    this.forgottenBefore = this.mergedStart[0];
  }
}
