import type { Readable } from 'node:stream';
import { CaptureError, describeReadError, describeSystemError } from './errors.js';
import { chooseParser } from './format-sniff.js';
import type { Frame } from './frame.js';
import { openInput, type OpenedInput } from './input.js';
import type { CaptureStatistics, RecordParser } from './record-parser.js';

/** What the reading stage knows about one capture once it has been read (or failed part-way). */
export interface CaptureReadResult {
  /** The input as the user gave it. */
  file: string;
  format: 'pcap' | 'pcapng' | null;
  /** Compression of the input (decompressed as a stream), or null. */
  compression: 'gzip' | 'zstd' | null;
  /** LINKTYPE_* values in order of first appearance. */
  linkTypes: number[];
  /** Sub-second digits of the capture's timestamps (6 for microseconds, 9 for nanoseconds). */
  precision: number;
  frames: number;
  /** Earliest and latest packet timestamps, or null without packets. */
  start: { seconds: number; nanos: number } | null;
  end: { seconds: number; nanos: number } | null;
  /** Decompressed bytes consumed. */
  bytes: number;
  /** One-line description of why reading stopped early, or null. */
  error: string | null;
  /** True when reading was stopped on request (Ctrl-C on a live pipe). */
  interrupted: boolean;
  /** The capturing host's own drop counters and end time (pcapng Interface Statistics), or null. */
  statistics: CaptureStatistics | null;
}

export interface ReadOptions {
  /** Stops reading at the next record boundary; what was read is still returned. */
  signal?: AbortSignal;
  /** Called after each buffer refill with raw bytes read so far and the raw size (-1 for pipes). */
  onProgress?: (rawBytesRead: number, rawSize: number, frames: number) => void;
  /** Buffer size (two are used, one being filled while the other is parsed); the default 1 MiB amortises read calls as well as larger ones do (measured on the bench capture). */
  bufferSize?: number;
  /** The stream that `-` refers to (process.stdin unless a test supplies one). */
  stdin?: Readable;
}

const DEFAULT_BUFFER = 1024 * 1024;
/** Room kept before each read-ahead chunk for the previous chunk's partial record. */
const TAIL_ROOM = 256 * 1024;

/** What is known of a capture before anything has been read from it. */
export function emptyReadResult(file: string): CaptureReadResult {
  return {
    file,
    format: null,
    compression: null,
    linkTypes: [],
    precision: 6,
    frames: 0,
    start: null,
    end: null,
    bytes: 0,
    error: null,
    interrupted: false,
    statistics: null,
  };
}

/**
 * Reads a capture file (pcap or pcapng, optionally gzip'd; `-` for stdin) as a stream, calling `onFrame`
 * for every packet record. Memory stays at one buffer (grown only to the largest legal record) whatever
 * the file size. Never throws for bad input: problems become `error` in the result, and everything read
 * before them has already been delivered.
 */
export async function readCapture(file: string, onFrame: (frame: Frame) => void, options: ReadOptions = {}): Promise<CaptureReadResult> {
  const result = emptyReadResult(file);
  const signal = options.signal;
  let input: OpenedInput;
  try {
    input = await openInput(file, options.stdin, signal);
  } catch (error) {
    result.error = `${file}: cannot open: ${describeSystemError(error)}`;
    return result;
  }
  result.compression = input.compression;

  let minS = Infinity;
  let minN = 0;
  let maxS = -Infinity;
  let maxN = 0;
  const track = (frame: Frame): void => {
    if (!frame.timeKnown) {
      onFrame(frame);
      return;
    }
    const s = frame.seconds;
    const n = frame.nanos;
    if (s < minS || (s === minS && n < minN)) {
      minS = s;
      minN = n;
    }
    if (s > maxS || (s === maxS && n > maxN)) {
      maxS = s;
      maxN = n;
    }
    onFrame(frame);
  };

  let buffer = new Uint8Array(options.bufferSize ?? DEFAULT_BUFFER);
  // The next chunk is read into `spare` (after room for the current buffer's unparsed tail) while the
  // current one is parsed, so the disk or the decompressor works while the CPU does.
  let spare = new Uint8Array(buffer.length);
  const headroom = Math.min(TAIL_ROOM, buffer.length >> 1);
  let pending: Promise<number> | null = null;
  let start = 0;
  let end = 0;
  let base = 0;
  let eof = false;
  let parser: RecordParser | null = null;
  /** Moves the unparsed tail to the front of the buffer. */
  const compact = (): void => {
    if (start === 0) return;
    buffer.copyWithin(0, start, end);
    base += start;
    end -= start;
    start = 0;
  };
  /** Grows the buffer to hold `bytes` (only for a record the parser has checked against its bounds). */
  const ensure = (bytes: number): void => {
    if (bytes <= buffer.length) return;
    const grown = new Uint8Array(Math.max(bytes, buffer.length * 2));
    grown.set(buffer.subarray(0, end));
    buffer = grown;
  };
  let onAbort = (): void => parser?.stop();
  const aborted =
    signal === undefined
      ? null
      : new Promise<number>((resolve) => {
          const stop = onAbort;
          onAbort = (): void => {
            stop();
            resolve(-1);
          };
          if (signal.aborted) resolve(-1);
        });
  signal?.addEventListener('abort', onAbort);
  try {
    for (;;) {
      if (signal?.aborted) {
        result.interrupted = true;
        break;
      }
      if (parser === null) {
        if (end - start >= 4 || eof) {
          parser = chooseParser(buffer, start, end, eof);
          result.format = parser.format;
          if (signal?.aborted) parser.stop();
        }
      }
      if (parser !== null) {
        start = parser.parse(buffer, start, end, base, track);
        if (signal?.aborted) {
          result.interrupted = true;
          break;
        }
        if (eof) {
          if (end > start) {
            throw new CaptureError(
              base + start,
              `the capture is truncated: the ${parser.frames === 0 && start + base === 0 ? 'file header' : 'record'} here needs ${parser.needed} bytes but the data ends after ${end - start}`,
            );
          }
          break;
        }
      }
      const needed = parser === null ? 4 : parser.needed;
      let n: number;
      if (pending !== null) {
        // A live pipe may never send more: Ctrl-C must not wait for the next chunk.
        n = aborted === null ? await pending : await Promise.race([pending, aborted]);
        pending = null;
        if (n < 0) {
          result.interrupted = true;
          break;
        }
        const tail = end - start;
        if (tail <= headroom && needed <= spare.length - headroom + tail) {
          // The unparsed tail goes just before the new bytes, and the buffers swap roles.
          spare.set(buffer.subarray(start, end), headroom - tail);
          base += start - (headroom - tail);
          const parsed = buffer;
          buffer = spare;
          spare = parsed;
          start = headroom - tail;
          end = headroom + n;
        } else {
          // A record too large for the headroom: gather it in the current buffer, grown as needed.
          compact();
          ensure(Math.max(needed, end + n));
          buffer.set(spare.subarray(headroom, headroom + n), end);
          end += n;
        }
      } else {
        compact();
        ensure(needed);
        const read = input.source.read(buffer, end, buffer.length - end);
        n = aborted === null ? await read : await Promise.race([read, aborted]);
        if (n < 0) {
          result.interrupted = true;
          break;
        }
        end += n;
      }
      if (n === 0) eof = true;
      else {
        pending = input.source.read(spare, headroom, spare.length - headroom);
        // Errors surface when it is awaited; if reading stops first, it must not go unhandled.
        pending.catch(() => undefined);
      }
      options.onProgress?.(input.rawBytesRead(), input.size, parser?.frames ?? 0);
    }
  } catch (error) {
    result.error = describeReadError(file, error, base + end);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    // Closing also ends a read still waiting on a pipe after an interrupt.
    await input.source.close().catch(() => undefined);
  }
  if (parser !== null) {
    result.frames = parser.frames;
    result.linkTypes = parser.linkTypes.slice();
    result.precision = parser.precision;
    result.statistics = parser.statistics;
  }
  result.bytes = base + end;
  if (result.frames > 0) {
    result.start = { seconds: minS, nanos: minN };
    result.end = { seconds: maxS, nanos: maxN };
  }
  return result;
}
