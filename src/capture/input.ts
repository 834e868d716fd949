import { constants, createReadStream, openSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Socket } from 'node:net';
import { Readable } from 'node:stream';
import { decompressStream, sniffCompression, type Compression } from './decompress.js';
import { FileSource, StreamSource, type ByteSource } from './source.js';

/** An opened capture input: decompressed bytes plus what is known about the raw input. */
export interface OpenedInput {
  source: ByteSource;
  /** Compression of the raw input, decompressed as a stream into `source`. */
  compression: Compression | null;
  /** Size of the raw input in bytes, or -1 for pipes. */
  size: number;
  /** Raw (possibly compressed) bytes consumed so far, for progress. */
  rawBytesRead(): number;
}

/**
 * Opens a file (or `-` for standard input) and, when its first bytes are a gzip or zstd magic, puts a
 * streaming decompressor in front of it. The decision is made from the bytes, never from the name.
 */
export async function openInput(path: string, stdin: Readable = process.stdin, signal?: AbortSignal): Promise<OpenedInput> {
  if (path === '-') return openStream(stdin, signal);
  if ((await stat(path)).isFIFO()) return openStream(openFifo(path), signal);
  const file = await FileSource.open(path);
  const head = new Uint8Array(4);
  let headLength: number;
  try {
    headLength = await file.peek(head);
  } catch (error) {
    await file.close();
    throw error;
  }
  const compression = sniffCompression(head, headLength);
  if (compression === null) {
    return { source: file, compression: null, size: file.size, rawBytesRead: () => file.bytesRead };
  }
  await file.close();
  const raw = createReadStream(path, { highWaterMark: 1024 * 1024 });
  return {
    source: new StreamSource(decompressStream(raw, compression)),
    compression,
    size: file.size,
    rawBytesRead: () => raw.bytesRead,
  };
}

/**
 * A named pipe, opened without blocking and read through the event loop like stdin: a plain open() would
 * wait in a thread for a writer that may never come, and no signal could end that wait.
 */
function openFifo(path: string): Socket {
  // A raw descriptor (not a FileHandle, which would close it again when collected): the socket owns it.
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  return new Socket({ fd, readable: true, writable: false });
}

/** Resolves null when `signal` aborts first: a pipe that never sends must not hold up Ctrl-C. */
function unlessAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T | null> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => resolve(null);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

async function openStream(stream: Readable, signal?: AbortSignal): Promise<OpenedInput> {
  const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  // Read until the magic is known (a pipe may deliver a single byte first).
  let head = Buffer.alloc(0);
  while (head.length < 4) {
    const next = await unlessAborted(chunks.next(), signal);
    // Interrupted: the reader sees the signal and stops; closing the source ends the pipe.
    if (next === null || next.done) break;
    head = Buffer.concat([head, next.value]);
  }
  let consumed = head.length;
  async function* rest(): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head;
    for (;;) {
      const next = await chunks.next();
      if (next.done) return;
      consumed += next.value.length;
      yield next.value;
    }
  }
  const raw = Readable.from(rest(), { objectMode: false });
  const compression = sniffCompression(head, head.length);
  const source = new StreamSource(compression === null ? raw : decompressStream(raw, compression), undefined, stream);
  return { source, compression, size: -1, rawBytesRead: () => consumed };
}
