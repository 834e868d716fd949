import { write } from 'node:fs';

/**
 * Writes all of `bytes` at file offset `position` on the thread pool, going on after a write that took
 * only part of them. With explicit offsets, several such writes to one file may be in flight at once.
 */
export function writeAllAt(fd: number, bytes: Uint8Array, position: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const from = (done: number): void => {
      write(fd, bytes, done, bytes.length - done, position + done, (error, written) => {
        if (error !== null) reject(error);
        else if (done + written < bytes.length) from(done + written);
        else resolve();
      });
    };
    from(0);
  });
}
