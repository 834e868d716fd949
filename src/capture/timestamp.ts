/**
 * Conversion of pcapng 64-bit timestamps (two u32 halves, in units of the interface's if_tsresol) into
 * whole seconds and nanoseconds without BigInt: a per-packet BigInt would allocate. The 64-bit value is
 * divided limb by limb (16 bits at a time), which keeps every intermediate below 2^53.
 */
export interface Instant {
  seconds: number;
  nanos: number;
}

/** Units per second and how to scale the remainder to nanoseconds, derived once per interface. */
export interface Resolution {
  /** 10^k for decimal resolutions, 2^k for binary ones. */
  unitsPerSecond: number;
  decimal: boolean;
  /** Power: k in 10^-k or 2^-k. */
  exponent: number;
}

export const MICROSECONDS: Resolution = { unitsPerSecond: 1e6, decimal: true, exponent: 6 };

/** Parses the if_tsresol option byte (pcapng spec: MSB clear = 10^-n, MSB set = 2^-n). */
export function resolutionFromOption(value: number): Resolution {
  const exponent = value & 0x7f;
  if ((value & 0x80) === 0) return { unitsPerSecond: 10 ** exponent, decimal: true, exponent };
  return { unitsPerSecond: 2 ** exponent, decimal: false, exponent };
}

/** Digits of sub-second precision a resolution carries, capped at nanoseconds. */
export function precisionDigits(resolution: Resolution): number {
  if (resolution.decimal) return Math.min(9, resolution.exponent);
  return Math.min(9, Math.ceil(resolution.exponent * Math.log10(2)));
}

const TWO16 = 65536;

/**
 * Splits hi*2^32 + lo units into seconds and nanoseconds, adding `offsetSeconds` (if_tsoffset).
 * Writes into `out` so the hot path allocates nothing.
 */
export function splitTimestamp(hi: number, lo: number, resolution: Resolution, offsetSeconds: number, out: Instant): void {
  const units = resolution.unitsPerSecond;
  if (resolution.decimal && resolution.exponent <= 9) {
    // Long division by units (<= 1e9): each step's dividend is < 1e9 * 2^16 < 2^53.
    let x = hi >>> 16;
    const q3 = Math.floor(x / units);
    let r = x - q3 * units;
    x = r * TWO16 + (hi & 0xffff);
    const q2 = Math.floor(x / units);
    r = x - q2 * units;
    x = r * TWO16 + (lo >>> 16);
    const q1 = Math.floor(x / units);
    r = x - q1 * units;
    x = r * TWO16 + (lo & 0xffff);
    const q0 = Math.floor(x / units);
    r = x - q0 * units;
    out.seconds = ((q3 * TWO16 + q2) * TWO16 + q1) * TWO16 + q0 + offsetSeconds;
    out.nanos = r * 10 ** (9 - resolution.exponent);
    return;
  }
  if (!resolution.decimal && resolution.exponent <= 32) {
    // Binary fractions: the low `exponent` bits are the fraction.
    const k = resolution.exponent;
    const fracBits = k === 32 ? lo : lo & ((1 << k) - 1) >>> 0;
    const secondsLow = k === 32 ? 0 : lo >>> k;
    const seconds = k === 32 ? hi : hi * 2 ** (32 - k) + secondsLow;
    out.seconds = seconds + offsetSeconds;
    out.nanos = Math.floor(((fracBits >>> 0) / units) * 1e9);
    return;
  }
  // Exotic resolutions (finer than 1 ns decimal, or finer than 2^-32): rare enough for BigInt.
  const value = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
  const perSecond = resolution.decimal ? 10n ** BigInt(resolution.exponent) : 1n << BigInt(resolution.exponent);
  const whole = value / perSecond;
  const rest = value % perSecond;
  out.seconds = Number(whole) + offsetSeconds;
  out.nanos = Number((rest * 1_000_000_000n) / perSecond);
}
