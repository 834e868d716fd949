/** Sequence-number comparisons modulo 2^32 (RFC 9293 3.4): a < b when (a - b) as int32 is negative. */
export function seqLt(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}

export function seqLe(a: number, b: number): boolean {
  return ((a - b) | 0) <= 0;
}

export function seqGt(a: number, b: number): boolean {
  return ((a - b) | 0) > 0;
}

export function seqGe(a: number, b: number): boolean {
  return ((a - b) | 0) >= 0;
}

/** a + n modulo 2^32, as an int32 bit pattern (how the tracker stores sequence numbers). */
export function seqAdd(a: number, n: number): number {
  return (a + n) | 0;
}

/** Distance from b forward to a modulo 2^32 (a - b as unsigned). */
export function seqDiff(a: number, b: number): number {
  return (a - b) >>> 0;
}
