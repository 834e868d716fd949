import { randomBytes } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { writeAllAt } from '../report/positioned-write.js';

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
    // Two chunk buffers in turn: the thread pool writes one while the next is filled (for a listing,
    // read back from a RecordSpill), and a chunk's buffer is filled again only after its write is done.
    let writing: Promise<void> | null = null;
    try {
      let position = 0;
      for (const chunk of batched(typeof content === 'string' ? [content] : content, 2)) {
        if (writing !== null) await writing;
        writing = writeAllAt(fd, chunk, position);
        position += chunk.length;
      }
      if (writing !== null) await writing;
    } finally {
      // Never close the descriptor under a write still in flight (its number could be reused).
      await writing?.catch(() => undefined);
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
 * write()), unless `reuse` buffers are taken in turn: then a chunk's buffer is filled again `reuse`
 * chunks later, when the consumer must be done with it.
 */
export function* batched(pieces: Iterable<string | Uint8Array>, reuse = 0): Generator<Uint8Array> {
  const ring = Array.from({ length: reuse }, () => Buffer.allocUnsafe(WRITE_CHUNK));
  let turn = 0;
  let chunk = reuse > 0 ? ring[0] : Buffer.allocUnsafe(WRITE_CHUNK);
  let used = 0;
  for (const piece of pieces) {
    const length = typeof piece === 'string' ? Buffer.byteLength(piece) : piece.length;
    if (used + length > WRITE_CHUNK && used > 0) {
      yield chunk.subarray(0, used);
      turn = reuse > 0 ? (turn + 1) % reuse : 0;
      chunk = reuse > 0 ? ring[turn] : Buffer.allocUnsafe(WRITE_CHUNK);
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
