import type { Readable } from 'node:stream';
import { CaptureCursor } from '../capture/capture-cursor.js';
import type { Frame } from '../capture/frame.js';
import type { CaptureReadResult } from '../capture/reader.js';

/** One input of the merge and what is known of it. */
interface MergeInput {
  /** Position in the input list: breaks timestamp ties, as mergecap does. */
  index: number;
  path: string;
  /** Open while the file takes part in the merge; null before its turn and after its end. */
  cursor: CaptureCursor | null;
  /** Time of the frame this input would give next (its first frame while not yet opened). */
  seconds: number;
  nanos: number;
  /** Reading facts, once the file is done (or could not be read at all). */
  facts: CaptureReadResult | null;
}

export interface MergeOptions {
  signal?: AbortSignal;
  stdin?: Readable;
  /** Buffer per open file (default 1 MiB). */
  bufferSize?: number;
  /** Raw bytes read of one input so far and its size (-1 unknown), after each buffer refill. */
  onProgress?: (input: number, rawBytesRead: number, rawSize: number, frames: number) => void;
  /** An input has been read to its end (or failed, or was cut short). */
  onInputDone?: (input: number) => void;
}

/**
 * Reads several captures as one, in timestamp order, the way `mergecap` (without -a) merges them: the
 * next frame is always the earliest of the files' next frames. Equal times go to the file listed first,
 * so a rotated set keeps its capture order when the last packet of one file and the first of the next
 * share a timestamp (mergecap 4.0 gives such ties to the file listed last; without cross-file ties the
 * order is the same as mergecap's). Frames are renumbered 1, 2, ... in merged order.
 *
 * Memory stays bounded: a file is opened only when its first frame is the earliest next frame (each
 * file's first timestamp is learnt by a short probe beforehand) and closed at its end, so a rotated set
 * read in order holds one or two files open whatever its length; interleaved captures hold one buffer
 * per overlapping file.
 */
export class FrameMerger {
  private readonly inputs: MergeInput[];
  /** Binary min-heap of inputs with frames to give, keyed by (seconds, nanos, index). */
  private readonly heap: MergeInput[] = [];
  private merged = 0;
  interrupted = false;

  constructor(
    paths: readonly string[],
    private readonly options: MergeOptions = {},
  ) {
    this.inputs = paths.map((path, index) => ({ index, path, cursor: null, seconds: 0, nanos: 0, facts: null }));
  }

  /** Reading facts of each input (in input order), complete after run(). */
  facts(): (CaptureReadResult | null)[] {
    return this.inputs.map((i) => i.facts);
  }

  /**
   * Calls `onFrame` for every frame of every input in merged order, with the input's index and the
   * frame's number within its file; `frame.number` is the merged number. The frame is a reused view,
   * valid only during the call.
   */
  async run(onFrame: (frame: Frame, input: number, fileFrame: number) => void): Promise<void> {
    for (const input of this.inputs) {
      if (this.options.signal?.aborted) break;
      await this.probe(input);
    }
    const heap = this.heap;
    const signal = this.options.signal;
    while (heap.length > 0) {
      if (signal?.aborted) {
        this.interrupted = true;
        break;
      }
      const top = heap[0];
      const cursor = top.cursor;
      if (cursor === null) {
        // Its first frame is now the earliest: open it for real and let its actual head compete.
        const opened = await this.openCursor(top);
        top.cursor = opened;
        if (await this.step(top)) this.siftDown(0);
        else this.removeTop();
        continue;
      }
      const frame = cursor.frame;
      const fileFrame = frame.number;
      frame.number = ++this.merged;
      onFrame(frame, top.index, fileFrame);
      if (cursor.advance()) {
        top.seconds = frame.seconds;
        top.nanos = frame.nanos;
        this.siftDown(0);
      } else if (await this.step(top)) {
        this.siftDown(0);
      } else {
        this.removeTop();
      }
    }
    // Whatever is still open was cut short by the stop; inputs never reached get no facts beyond that.
    for (const input of this.inputs) {
      if (input.cursor !== null) {
        await input.cursor.interrupt();
        this.settle(input);
      }
    }
  }

  /** Learns an input's first timestamp, then closes it again (except stdin, which cannot be reopened). */
  private async probe(input: MergeInput): Promise<void> {
    const keep = input.path === '-';
    const cursor = keep ? await this.openCursor(input) : await CaptureCursor.open(input.path, { bufferSize: 64 * 1024, stdin: this.options.stdin });
    const has = cursor.advance() || ((await cursor.fill()) && cursor.advance());
    if (!has) {
      // Unreadable, not a capture, or no packets: its facts are final now.
      input.cursor = cursor;
      this.settle(input);
      return;
    }
    input.seconds = cursor.frame.seconds;
    input.nanos = cursor.frame.nanos;
    if (keep) {
      // The probe's frame is the current one: re-deliver it by leaving the cursor positioned on it.
      input.cursor = cursor;
    } else {
      await cursor.close();
    }
    this.push(input);
  }

  private openCursor(input: MergeInput): Promise<CaptureCursor> {
    const onProgress = this.options.onProgress;
    return CaptureCursor.open(input.path, {
      bufferSize: this.options.bufferSize,
      signal: this.options.signal,
      stdin: this.options.stdin,
      onProgress: onProgress === undefined ? undefined : (read, size, frames): void => onProgress(input.index, read, size, frames),
    });
  }

  /** Positions a freshly opened (or drained) cursor on its next frame; false (and facts settled) at its end. */
  private async step(input: MergeInput): Promise<boolean> {
    const cursor = input.cursor;
    if (cursor === null) return false;
    if (cursor.advance() || ((await cursor.fill()) && cursor.advance())) {
      input.seconds = cursor.frame.seconds;
      input.nanos = cursor.frame.nanos;
      return true;
    }
    this.settle(input);
    return false;
  }

  private settle(input: MergeInput): void {
    const cursor = input.cursor;
    if (cursor === null) return;
    void cursor.close();
    input.facts = cursor.facts();
    input.cursor = null;
    this.options.onInputDone?.(input.index);
  }

  private less(a: MergeInput, b: MergeInput): boolean {
    return a.seconds < b.seconds || (a.seconds === b.seconds && (a.nanos < b.nanos || (a.nanos === b.nanos && a.index < b.index)));
  }

  private push(input: MergeInput): void {
    const heap = this.heap;
    let i = heap.length;
    heap.push(input);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(heap[i], heap[parent])) break;
      [heap[i], heap[parent]] = [heap[parent], heap[i]];
      i = parent;
    }
  }

  private removeTop(): void {
    const heap = this.heap;
    const last = heap.pop();
    if (last === undefined || heap.length === 0) return;
    heap[0] = last;
    this.siftDown(0);
  }

  private siftDown(start: number): void {
    const heap = this.heap;
    const n = heap.length;
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) return;
      const r = l + 1;
      const child = r < n && this.less(heap[r], heap[l]) ? r : l;
      if (!this.less(heap[child], heap[i])) return;
      [heap[i], heap[child]] = [heap[child], heap[i]];
      i = child;
    }
  }
}
