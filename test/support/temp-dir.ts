/** A throw-away directory under os.tmpdir() for capture files written by a test file. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TempDir {
  dir: string;
  path(name: string): string;
  write(name: string, bytes: Uint8Array | string): string;
  cleanup(): void;
}

export function tempDir(prefix = 'closetrace-test-'): TempDir {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    path: (name) => join(dir, name),
    write: (name, bytes) => {
      const file = join(dir, name);
      writeFileSync(file, bytes);
      return file;
    },
    // KEEP_TEST_FILES=1 keeps the files for a look with tshark or a hex dump.
    cleanup: () => (process.env.KEEP_TEST_FILES ? console.log(`kept ${dir}`) : rmSync(dir, { recursive: true, force: true })),
  };
}
