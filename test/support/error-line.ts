/** The reading stage's error contract: one line, naming the file and the byte offset of the problem. */
import { expect } from 'vitest';

/** Asserts `error` is one line starting with `file` and containing "at byte N" (N = `offset` when given). */
export function expectErrorLine(error: string | null, file: string, offset?: number, context = ''): void {
  expect(error, `${context} expected an error`).not.toBeNull();
  const text = error as string;
  expect(text.includes('\n') || text.includes('\r'), `${context} error is more than one line: ${JSON.stringify(text)}`).toBe(false);
  expect(text.startsWith(`${file}: `), `${context} error does not start with the file name: ${text}`).toBe(true);
  const at = /at byte (\d+)/.exec(text);
  expect(at, `${context} error does not say "at byte N": ${text}`).not.toBeNull();
  if (offset !== undefined) expect(Number(at![1]), `${context} ${text}`).toBe(offset);
}
