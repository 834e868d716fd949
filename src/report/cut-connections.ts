/**
 * Which connections a capture cut off: still open at its end (verdict open, close-wait, fin-unacked),
 * or already running at its start (no handshake seen). Files of one rotated set (`tcpdump -C`/`-G`)
 * analysed apart share such connections across each boundary, and every one of them becomes a false
 * finding; rotatedSets() finds them so the report can say "use --join".
 *
 * Each side keeps a bottom-k sketch of endpoint-pair hashes (the k smallest): bounded memory per file
 * however many connections were cut, and two files whose cut connections are the same pairs keep the
 * same smallest hashes, so the sketches intersect whenever the sets mostly do.
 */
import { flowHash } from '../flow/endpoint-hash.js';
import type { JudgedConnection } from '../verdict/judged-connection.js';
import { epochSeconds } from '../time/time-text.js';
import type { CaptureFacts } from './model.js';

const SKETCH_SIZE = 16;
/** Files further apart than this (end of one to start of the next) are not taken for one rotated set. */
const MAX_GAP_SECONDS = 300;

/** A file's sketches as plain data (they go from worker threads to the main thread). */
export interface CutSketch {
  file: string;
  /** Smallest endpoint-pair hashes of connections still open when the capture ended, ascending. */
  atEnd: number[];
  /** Smallest endpoint-pair hashes of connections with no handshake (already running at the start). */
  atStart: number[];
}

export class CutConnections {
  private readonly files = new Map<string, CutSketch>();

  /** Notes a judged connection of `c.file` if the capture cut it. */
  note(c: JudgedConnection): void {
    const atEnd = c.verdict === 'open' || c.verdict === 'close-wait' || c.verdict === 'fin-unacked';
    if (!atEnd && !c.roleInferred) return;
    const sketch = this.sketchOf(c.file);
    const hash = pairHash(c);
    if (atEnd) addSmallest(sketch.atEnd, hash);
    if (c.roleInferred) addSmallest(sketch.atStart, hash);
  }

  add(other: CutSketch): void {
    const sketch = this.sketchOf(other.file);
    for (const h of other.atEnd) addSmallest(sketch.atEnd, h);
    for (const h of other.atStart) addSmallest(sketch.atStart, h);
  }

  sketches(): CutSketch[] {
    return [...this.files.values()].map((s) => ({ file: s.file, atEnd: s.atEnd.slice(), atStart: s.atStart.slice() }));
  }

  get(file: string): CutSketch | undefined {
    return this.files.get(file);
  }

  private sketchOf(file: string): CutSketch {
    let sketch = this.files.get(file);
    if (sketch === undefined) {
      sketch = { file, atEnd: [], atStart: [] };
      this.files.set(file, sketch);
    }
    return sketch;
  }
}

/**
 * The unordered endpoint pair (roles guessed from ports may flip between files): the flow stage's
 * direction-independent hash of the 4-tuple, from the address words and ports. Numbers, not the
 * formatted addresses: a capture ending with 120,000 connections open made 33 MB of address strings here.
 */
function pairHash(c: JudgedConnection): number {
  return flowHash(c.ipVersion, c.a0, c.a1, c.a2, c.a3, c.aPort, c.b0, c.b1, c.b2, c.b3, c.bPort) >>> 0;
}

function addSmallest(sorted: number[], value: number): void {
  if (sorted.length === SKETCH_SIZE && value >= sorted[SKETCH_SIZE - 1]) return;
  let i = sorted.length;
  while (i > 0 && sorted[i - 1] > value) i--;
  if (sorted[i - 1] === value) return;
  sorted.splice(i, 0, value);
  if (sorted.length > SKETCH_SIZE) sorted.pop();
}

function shares(a: readonly number[], b: readonly number[]): boolean {
  const set = new Set(a);
  return b.some((h) => set.has(h));
}

/**
 * Runs of captures (indexes into `captures`, in time order) that look like one capture split in parts:
 * same format and link types, each starting at or after the previous one's end (within
 * MAX_GAP_SECONDS), and connections left open at the end of one found running without a handshake at
 * the start of the next.
 */
export function rotatedSets(captures: readonly CaptureFacts[], cuts: CutConnections): number[][] {
  const timed = captures
    .map((facts, index) => ({ facts, index, start: epochSeconds(facts.start ?? ''), end: epochSeconds(facts.end ?? '') }))
    .filter((c) => c.facts.file !== '-' && c.facts.format !== null && Number.isFinite(c.start) && Number.isFinite(c.end))
    .sort((a, b) => a.start - b.start || a.end - b.end || a.index - b.index);
  const sets: number[][] = [];
  let run: number[] = [];
  for (let i = 0; i < timed.length; i++) {
    const b = timed[i];
    const a = i > 0 ? timed[i - 1] : null;
    const joined =
      a !== null &&
      a.facts.format === b.facts.format &&
      a.facts.linkTypes.join() === b.facts.linkTypes.join() &&
      b.start >= a.end &&
      b.start - a.end <= MAX_GAP_SECONDS &&
      shares(cuts.get(a.facts.file)?.atEnd ?? [], cuts.get(b.facts.file)?.atStart ?? []);
    if (!joined) {
      if (run.length > 1) sets.push(run);
      run = [];
    }
    run.push(b.index);
  }
  if (run.length > 1) sets.push(run);
  return sets;
}

/** The warning for one such run, given the files in time order. */
export function rotatedSetWarning(files: readonly string[]): string {
  const names = files.length <= 4 ? files.join(', ') : `${files[0]}, ${files[1]} ... ${files[files.length - 1]}`;
  return (
    `these ${files.length} files look like one capture split in parts (same link type, consecutive times, connections cut at the file boundaries): ` +
    `use --join, or their findings are false (${names})`
  );
}
