/**
 * Capture timestamps as the writers accept them. Every form keeps whole nanoseconds so tests can check
 * nanosecond-precision readers; a plain number is seconds, rounded to the microsecond, because a double
 * cannot hold nanoseconds at today's epoch values (2^-22 s resolution around 1.7e9).
 */
export type Timestamp = bigint | { seconds: number; nanos: number } | number;

/** A span of time: a number is seconds (rounded to the microsecond), a bigint is nanoseconds. */
export type Duration = number | bigint;

export const NANOS_PER_SECOND = 1_000_000_000n;

/** Nanoseconds since the epoch. */
export function toNanos(t: Timestamp): bigint {
  if (typeof t === 'bigint') return t;
  if (typeof t === 'number') {
    const seconds = Math.floor(t);
    const micros = Math.round((t - seconds) * 1e6);
    return BigInt(seconds) * NANOS_PER_SECOND + BigInt(micros) * 1000n;
  }
  return BigInt(t.seconds) * NANOS_PER_SECOND + BigInt(t.nanos);
}

export function durationToNanos(d: Duration): bigint {
  if (typeof d === 'bigint') return d;
  return BigInt(Math.round(d * 1e6)) * 1000n;
}

/** Whole seconds and nanoseconds within the second (floor division, so negative times stay ordered). */
export function splitNanos(ns: bigint): { seconds: number; nanos: number } {
  let seconds = ns / NANOS_PER_SECOND;
  let nanos = ns % NANOS_PER_SECOND;
  if (nanos < 0n) {
    nanos += NANOS_PER_SECOND;
    seconds -= 1n;
  }
  return { seconds: Number(seconds), nanos: Number(nanos) };
}
