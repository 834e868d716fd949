import { describe, expect, it } from 'vitest';
import { isoTime } from '../../src/time/time-text.js';

/** The same text through Date (milliseconds only, years 0-9999), with the nanoseconds' digits appended. */
function viaDate(seconds: number, nanos: number, precision: number): string {
  const whole = new Date(seconds * 1000).toISOString().slice(0, 19);
  if (precision <= 0) return `${whole}Z`;
  return `${whole}.${String(nanos).padStart(9, '0').slice(0, Math.min(precision, 9))}Z`;
}

describe('isoTime', () => {
  it('prints the calendar time of any second, also when seconds share a slot of its cache', () => {
    // Seconds 256 apart share a cache slot; interleaving them must never return the other's text.
    let state = 12345;
    const next = (): number => (state = (state * 1103515245 + 12345) % 2 ** 31);
    for (let i = 0; i < 5000; i++) {
      const base = 1_700_000_000 + (next() % 100_000);
      for (const seconds of [base, base + 256, base, base + 512, base - 256, base]) {
        const nanos = next() % 1_000_000_000;
        for (const precision of [0, 3, 6, 9]) expect(isoTime(seconds, nanos, precision)).toBe(viaDate(seconds, nanos, precision));
      }
    }
  });

  it('covers dates before 1970, leap days and years Date cannot hold', () => {
    expect(isoTime(-1, 0, 0)).toBe('1969-12-31T23:59:59Z');
    expect(isoTime(951_782_400, 5, 9)).toBe('2000-02-29T00:00:00.000000005Z');
    expect(isoTime(2 ** 40, 0, 0)).toBe('+036812-02-20T00:36:16Z');
    expect(isoTime(2 ** 40 + 256, 0, 0)).toBe('+036812-02-20T00:40:32Z');
    expect(isoTime(Number.NaN, 0, 0)).toBe('1970-01-01T00:00:00Z');
  });
});
