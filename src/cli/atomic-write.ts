import { randomBytes } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Pieces of text are gathered into writes of about this many characters. */
const WRITE_CHUNK = 1 << 20;

/**
 * Writes a report so that the destination is either the old file or the complete new one, never a
 * half-written report: write a temporary file beside it, then rename over the destination. The text
 * may come in pieces (a report listing millions of connections is never one string).
 */
export async function writeFileAtomic(path: string, content: string | Iterable<string>): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const fd = openSync(temporary, 'w');
    try {
      for (const chunk of batched(typeof content === 'string' ? [content] : content)) writeAll(fd, Buffer.from(chunk));
    } finally {
      closeSync(fd);
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Joins small pieces into chunks of about WRITE_CHUNK characters (fewer system calls). */
export function* batched(pieces: Iterable<string>): Generator<string> {
  let parts: string[] = [];
  let size = 0;
  for (const piece of pieces) {
    parts.push(piece);
    size += piece.length;
    if (size >= WRITE_CHUNK) {
      yield parts.join('');
      parts = [];
      size = 0;
    }
  }
  if (parts.length > 0) yield parts.join('');
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
}
