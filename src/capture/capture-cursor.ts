import type { Readable } from 'node:stream';
import { CaptureError, describeReadError, describeSystemError } from './errors.js';
import { chooseParser } from './format-sniff.js';
import { newFrame, type Frame } from './frame.js';
import { openInput, type OpenedInput } from './input.js';
import { emptyReadResult, type CaptureReadResult } from './reader.js';
import type { RecordParser } from './record-parser.js';

export interface CursorOptions {
  /** Initial buffer size (grown only for a larger legal record). Default 1 MiB: a join may hold several open. */
  bufferSize?: number;
  /** Stops at the next buffer refill; what was read stays readable. */
  signal?: AbortSignal;
  /** What `-` reads (process.stdin unless a test supplies one). */
  stdin?: Readable;
  /** Called after each buffer refill with raw bytes read so far and the raw size (-1 for pipes). */
  onProgress?: (rawBytesRead: number, rawSize: number, frames: number) => void;
}

const DEFAULT_BUFFER = 1024 * 1024;
/** Frame metadata slots allocated at first; doubled when a buffer holds more records. */
const INITIAL_SLOTS = 4096;
/** Int32 fields noted per frame (see note()). */
const INTS = 9;

/**
 * A pull-style capture reader: the caller asks for the next frame instead of being called for each. The
 * join needs this to merge several captures by timestamp (a k-way merge takes one frame at a time from
 * whichever file is earliest), which the push-style readCapture() cannot do.
 *
 * It reuses the push parsers unchanged: a refill parses every complete record in the buffer, but only
 * notes where each frame is (a few numbers in typed arrays); `advance()` then points `frame` at the next
 * one. Frames stay views into the one reused buffer, valid until the next `fill()`, so memory is one
 * buffer per open cursor whatever the file size.
 *
 *     while (cursor.advance() || ((await cursor.fill()) && cursor.advance())) use(cursor.frame);
 *
 * Never throws for bad input: problems end the cursor and become `result().error`, after every frame
 * before them has been handed out (as readCapture does). Error texts are the same as readCapture's.
 */
export class CaptureCursor {
  /** The current frame after advance() returned true; valid until the next fill(). */
  readonly frame: Frame = newFrame();
  private readonly result: CaptureReadResult;
  private input: OpenedInput | null = null;
  private parser: RecordParser | null = null;
  private buffer: Uint8Array;
  private start = 0;
  private end = 0;
  private base = 0;
  private eof = false;
  private finished = false;
  private closed = false;
  private minS = Infinity;
  private minN = 0;
  private maxS = -Infinity;
  private maxN = 0;
  // Frames parsed from the buffer and not yet handed out, struct-of-arrays (no object per frame).
  private count = 0;
  private position = 0;
  private numbers = new Float64Array(INITIAL_SLOTS);
  private seconds = new Float64Array(INITIAL_SLOTS);
  private fileOffsets = new Float64Array(INITIAL_SLOTS);
  private ints = new Int32Array(INITIAL_SLOTS * INTS);
  private readonly enqueue = (f: Frame): void => this.note(f);

  private constructor(
    readonly file: string,
    private readonly options: CursorOptions,
  ) {
    this.buffer = new Uint8Array(options.bufferSize ?? DEFAULT_BUFFER);
    this.result = emptyReadResult(file);
  }

  /** Opens a capture (or `-`); an input that cannot be opened gives a cursor that is already done, with the error. */
  static async open(file: string, options: CursorOptions = {}): Promise<CaptureCursor> {
    const cursor = new CaptureCursor(file, options);
    try {
      cursor.input = await openInput(file, options.stdin, options.signal);
      cursor.result.compression = cursor.input.compression;
    } catch (error) {
      cursor.result.error = `${file}: cannot open: ${describeSystemError(error)}`;
      cursor.finished = true;
    }
    return cursor;
  }

  /** No more frames will come (end of data, an error, or a stop). */
  get done(): boolean {
    return this.finished && this.position >= this.count;
  }

  /** Points `frame` at the next buffered frame; false when the buffered ones are used up (call fill()). */
  advance(): boolean {
    const i = this.position;
    if (i >= this.count) return false;
    this.position = i + 1;
    const f = this.frame;
    const k = i * INTS;
    const ints = this.ints;
    f.number = this.numbers[i];
    f.seconds = this.seconds[i];
    f.fileOffset = this.fileOffsets[i];
    f.nanos = ints[k];
    f.capturedLength = ints[k + 1];
    f.originalLength = ints[k + 2];
    f.interfaceId = ints[k + 3];
    f.precision = ints[k + 4];
    f.linkType = ints[k + 5];
    f.offset = ints[k + 6];
    f.timeKnown = ints[k + 7] === 1;
    f.snapLength = ints[k + 8] >>> 0;
    f.bytes = this.buffer;
    return true;
  }

  /**
   * Reads on until at least one more frame is buffered: true when advance() has frames again, false at
   * the end. Invalidates the frame views handed out before (the buffer is compacted and refilled).
   */
  async fill(): Promise<boolean> {
    this.count = 0;
    this.position = 0;
    if (this.finished || this.input === null) return false;
    const input = this.input;
    const signal = this.options.signal;
    try {
      for (;;) {
        if (signal?.aborted) {
          this.result.interrupted = true;
          await this.finish();
          return false;
        }
        if (this.parser === null && (this.end - this.start >= 4 || this.eof)) {
          this.parser = chooseParser(this.buffer, this.start, this.end, this.eof);
          this.result.format = this.parser.format;
        }
        if (this.parser !== null) {
          this.start = this.parser.parse(this.buffer, this.start, this.end, this.base, this.enqueue);
          if (this.count > 0) return true;
          if (this.eof) {
            if (this.end > this.start) {
              throw new CaptureError(
                this.base + this.start,
                `the capture is truncated: the ${this.parser.frames === 0 && this.start + this.base === 0 ? 'file header' : 'record'} here needs ${this.parser.needed} bytes but the data ends after ${this.end - this.start}`,
              );
            }
            await this.finish();
            return false;
          }
        }
        const needed = this.parser === null ? 4 : this.parser.needed;
        if (this.start > 0) {
          this.buffer.copyWithin(0, this.start, this.end);
          this.base += this.start;
          this.end -= this.start;
          this.start = 0;
        }
        if (needed > this.buffer.length) {
          // Only reachable for a record the parser has already checked against its fixed bounds.
          const grown = new Uint8Array(Math.max(needed, this.buffer.length * 2));
          grown.set(this.buffer.subarray(0, this.end));
          this.buffer = grown;
        }
        // A live pipe may never send more: a stop must not wait for the next chunk.
        const read = input.source.read(this.buffer, this.end, this.buffer.length - this.end);
        const n = signal === undefined ? await read : await Promise.race([read, abortedPromise(signal)]);
        if (n < 0) {
          this.result.interrupted = true;
          await this.finish();
          return false;
        }
        if (n === 0) this.eof = true;
        this.end += n;
        this.options.onProgress?.(input.rawBytesRead(), input.size, this.parser?.frames ?? 0);
      }
    } catch (error) {
      this.result.error = describeReadError(this.file, error, this.base + this.end);
      await this.finish();
      // Frames parsed before the corrupt record are good and still handed out, as readCapture does.
      return this.count > 0;
    }
  }

  /** What was read, as readCapture() reports it (complete once `done`). */
  facts(): CaptureReadResult {
    const r = this.result;
    if (this.parser !== null) {
      r.frames = this.parser.frames;
      r.linkTypes = this.parser.linkTypes.slice();
      r.precision = this.parser.precision;
      r.statistics = this.parser.statistics;
    }
    r.bytes = this.base + this.end;
    if (r.frames > 0 && this.minS !== Infinity) {
      r.start = { seconds: this.minS, nanos: this.minN };
      r.end = { seconds: this.maxS, nanos: this.maxN };
    }
    return { ...r, linkTypes: r.linkTypes.slice() };
  }

  /** Marks the cursor interrupted (a stop before its data ended) and releases the input. */
  async interrupt(): Promise<void> {
    if (!this.finished) this.result.interrupted = true;
    await this.finish();
  }

  /** Releases the input; frames already buffered stay readable. */
  async close(): Promise<void> {
    await this.finish();
  }

  private async finish(): Promise<void> {
    this.finished = true;
    if (this.closed || this.input === null) return;
    this.closed = true;
    await this.input.source.close().catch(() => undefined);
  }

  private note(f: Frame): void {
    const i = this.count;
    if (i === this.numbers.length) this.growSlots();
    this.count = i + 1;
    this.numbers[i] = f.number;
    this.seconds[i] = f.seconds;
    this.fileOffsets[i] = f.fileOffset;
    const k = i * INTS;
    const ints = this.ints;
    ints[k] = f.nanos;
    ints[k + 1] = f.capturedLength;
    ints[k + 2] = f.originalLength;
    ints[k + 3] = f.interfaceId;
    ints[k + 4] = f.precision;
    ints[k + 5] = f.linkType;
    ints[k + 6] = f.offset;
    ints[k + 7] = f.timeKnown ? 1 : 0;
    ints[k + 8] = f.snapLength;
    // Records without a time of their own (simple packet blocks) keep the previous one: not a first or last time.
    if (!f.timeKnown) return;
    const s = f.seconds;
    const n = f.nanos;
    if (s < this.minS || (s === this.minS && n < this.minN)) {
      this.minS = s;
      this.minN = n;
    }
    if (s > this.maxS || (s === this.maxS && n > this.maxN)) {
      this.maxS = s;
      this.maxN = n;
    }
  }

  private growSlots(): void {
    const size = this.numbers.length * 2;
    const grow = <T extends Float64Array | Int32Array>(old: T, next: T): T => {
      next.set(old);
      return next;
    };
    this.numbers = grow(this.numbers, new Float64Array(size));
    this.seconds = grow(this.seconds, new Float64Array(size));
    this.fileOffsets = grow(this.fileOffsets, new Float64Array(size));
    this.ints = grow(this.ints, new Int32Array(size * INTS));
  }
}

/** Resolves -1 when the signal aborts (a read racing it then gives up); one promise per signal. */
const abortPromises = new WeakMap<AbortSignal, Promise<number>>();
function abortedPromise(signal: AbortSignal): Promise<number> {
  let promise = abortPromises.get(signal);
  if (promise === undefined) {
    promise = new Promise<number>((resolve) => {
      if (signal.aborted) resolve(-1);
      else signal.addEventListener('abort', () => resolve(-1), { once: true });
    });
    abortPromises.set(signal, promise);
  }
  return promise;
}
