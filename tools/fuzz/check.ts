/**
 * What every fuzzed capture must get: at most one error line naming the file and a byte offset (never a
 * stack trace, never an internal error from a later stage), the frames before the damage, and after a
 * plain cut exactly the frames before it, with an error unless the cut fell between records.
 */
import { framesBefore, recordStartAt } from './capture-layout.js';
import type { FuzzInput } from './corpus.js';
import type { Mutation } from './mutate.js';

export interface FuzzOutcome {
  error: string | null;
  frames: number;
  tcpSegments: number;
}

/** The broken promises of one case (empty when it behaved). */
export function checkOutcome(input: FuzzInput, m: Mutation, file: string, outcome: FuzzOutcome): string[] {
  const problems: string[] = [];
  const { error, frames, tcpSegments } = outcome;
  if (error !== null) {
    if (/[\n\r]/.test(error)) problems.push(`multi-line error ${JSON.stringify(error)}`);
    if (!error.startsWith(`${file}: `)) problems.push(`error does not name the file: ${error}`);
    if (!/at byte \d+|cannot open/.test(error)) problems.push(`error has no byte offset: ${error}`);
    // readCapture reports an exception thrown by the frame handler as an internal error: a crash in a
    // later stage would hide there.
    if (/internal error/.test(error)) problems.push(`a stage crashed: ${error}`);
    if (/undefined|NaN/.test(error)) problems.push(`error shows undefined/NaN: ${error}`);
  }
  if (!Number.isInteger(frames) || frames < 0) problems.push(`frame count ${frames}`);
  if (!(tcpSegments <= frames)) problems.push(`${tcpSegments} TCP segments from ${frames} frames`);
  if (!m.compressed) {
    const intact = framesBefore(input.layout, m.firstChange);
    if (frames < intact) problems.push(`${frames} frames reported, ${intact} were before the damage`);
  }
  if (m.cut !== undefined) {
    const expected = framesBefore(input.layout, m.cut);
    if (frames !== expected) problems.push(`${frames} frames after a cut, expected ${expected}`);
    const clean = m.cut > 0 && input.layout.boundaries.has(m.cut);
    if ((error === null) !== clean) problems.push(`error ${error} (cut ${clean ? 'at' : 'not at'} a record boundary)`);
    if (!clean && error !== null && !error.includes(`at byte ${recordStartAt(input.layout, m.cut)}:`)) problems.push(`the error does not name the start of the cut record: ${error}`);
  }
  return problems;
}
