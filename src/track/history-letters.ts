import { CHUNK_BITS } from '../layout/struct-store.js';
import { CONN, HISTORY_WORDS } from './connection-layout.js';
import type { ConnectionStore } from './connection-store.js';

/**
 * Zeek's history string, kept as 5-bit letter codes packed in the connection's int block instead of a
 * growing JS string: adding a letter is a few integer operations, with no string allocated per letter
 * (and none of the write-barrier work of storing fresh strings in a long-lived array). The text is made
 * only when a connection is judged. Histories longer than the packed words (rare: repeated F/R/T/W
 * letters) continue in a per-slot overflow string.
 */
const ALPHABET = 'SHADFRTWIQGC';

/** Originator letter codes, in ALPHABET order. */
export const enum Letter {
  S = 1,
  H,
  A,
  D,
  F,
  R,
  T,
  W,
  I,
  Q,
  G,
  C,
  Caret = 25,
}
/** Codes: 0 unused, 1..12 originator letters, 13..24 the same letters for the responder, 25 '^'. */
const RESPONDER = ALPHABET.length;
const CARET = 2 * ALPHABET.length + 1;
const LETTERS_PER_WORD = 6;
/** Letters held in the int block. */
export const HISTORY_PACKED = LETTERS_PER_WORD * HISTORY_WORDS;
const PACKED = HISTORY_PACKED;

const TEXT: string[] = ['', ...ALPHABET, ...ALPHABET.toLowerCase(), '^'];
const CODE_OF = new Map<string, number>(TEXT.map((t, i) => [t, i]));

/** Appends a letter, in lower case when the responder sent it. */
export function addLetter(store: ConnectionStore, slot: number, code: Letter, responder: boolean): void {
  append(store, slot, responder && code !== CARET ? code + RESPONDER : code);
}

function append(store: ConnectionStore, slot: number, code: number): void {
  const I = store.i32[slot >> CHUNK_BITS];
  const i = store.byteBase(slot) >> 2;
  const n = I[i + CONN.i32.zHistoryLength]++;
  if (n < PACKED) {
    const w = i + CONN.i32.zHistory + ((n / LETTERS_PER_WORD) | 0);
    I[w] |= code << (5 * (n % LETTERS_PER_WORD));
  } else {
    store.historyOverflow.set(slot, (store.historyOverflow.get(slot) ?? '') + TEXT[code]);
  }
}

/** The history text of a slot. */
export function historyText(store: ConnectionStore, slot: number): string {
  const I = store.i32[slot >> CHUNK_BITS];
  const i = store.byteBase(slot) >> 2;
  const n = I[i + CONN.i32.zHistoryLength];
  let text = '';
  for (let l = 0; l < Math.min(n, PACKED); l++) {
    text += TEXT[(I[i + CONN.i32.zHistory + ((l / LETTERS_PER_WORD) | 0)] >>> (5 * (l % LETTERS_PER_WORD))) & 31];
  }
  return n > PACKED ? text + (store.historyOverflow.get(slot) ?? '') : text;
}

/** Replaces the history with `text` (made of history letters). */
export function setHistory(store: ConnectionStore, slot: number, text: string): void {
  const I = store.i32[slot >> CHUNK_BITS];
  const i = store.byteBase(slot) >> 2;
  I[i + CONN.i32.zHistoryLength] = 0;
  for (let w = 0; w < HISTORY_WORDS; w++) I[i + CONN.i32.zHistory + w] = 0;
  store.historyOverflow.delete(slot);
  for (const ch of text) {
    const code = CODE_OF.get(ch);
    if (code === undefined || code === 0) throw new Error(`not a Zeek history letter: ${ch}`);
    append(store, slot, code);
  }
}
