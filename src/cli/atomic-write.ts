import { randomBytes } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Pieces are gathered into writes of about this many bytes. */
const WRITE_CHUNK = 1 << 20;

/**
 * Writes a report so that the destination is either the old file or the complete new one, never a
 * half-written report: write a temporary file beside it, then rename over the destination. The text
 * may come in pieces (a report listing millions of connections is never one string).
 */
export async function writeFileAtomic(path: string, content: string | Iterable<string | Uint8Array>): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const fd = openSync(temporary, 'w');
    try {
      // writeSync is done with a chunk when it returns: one buffer serves them all.
      for (const chunk of batched(typeof content === 'string' ? [content] : content, true)) writeAll(fd, chunk);
    } finally {
      closeSync(fd);
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * Joins pieces (text, or UTF-8 bytes passed through as they are) into chunks of about WRITE_CHUNK
 * bytes (fewer system calls). Each chunk is a buffer of its own (stdout may still hold it after
 * write()), unless `reuse` says the consumer is done with a chunk before asking for the next.
 */
export function* batched(pieces: Iterable<string | Uint8Array>, reuse = false): Generator<Uint8Array> {
  let chunk = Buffer.allocUnsafe(WRITE_CHUNK);
  let used = 0;
  for (const piece of pieces) {
    const length = typeof piece === 'string' ? Buffer.byteLength(piece) : piece.length;
    if (used + length > WRITE_CHUNK && used > 0) {
      yield chunk.subarray(0, used);
      if (!reuse) chunk = Buffer.allocUnsafe(WRITE_CHUNK);
      used = 0;
    }
    if (length > WRITE_CHUNK) {
      // A copy of bytes too: a RecordSpill's piece is a view of a buffer it reuses.
      yield typeof piece === 'string' ? Buffer.from(piece, 'utf8') : Buffer.from(piece);
      continue;
    }
    if (typeof piece === 'string') chunk.write(piece, used);
    else chunk.set(piece, used);
    used += length;
  }
  if (used > 0) yield chunk.subarray(0, used);
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
}
