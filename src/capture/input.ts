import { createReadStream } from 'node:fs';
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
export async function openInput(path: string, stdin: Readable = process.stdin): Promise<OpenedInput> {
  if (path === '-') return openStream(stdin);
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

async function openStream(stream: Readable): Promise<OpenedInput> {
  const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  // Read until the magic is known (a pipe may deliver a single byte first).
  let head = Buffer.alloc(0);
  while (head.length < 4) {
    const next = await chunks.next();
    if (next.done) break;
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
