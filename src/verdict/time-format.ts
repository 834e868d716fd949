/**
 * Formats capture timestamps without losing the capture's own precision (Date only keeps milliseconds)
 * and for any value a corrupt capture may hold (Date stops at year 275760; ISO 8601 expanded years don't).
 */
export function isoTime(seconds: number, nanos: number, precision: number): string {
  const whole = civilTime(Number.isFinite(seconds) ? Math.floor(seconds) : 0);
  if (precision <= 0) return `${whole}Z`;
  const fraction = String(nanos).padStart(9, '0').slice(0, Math.min(precision, 9));
  return `${whole}.${fraction}Z`;
}

/**
 * The instant isoTime() prints, as seconds since 1970: the whole seconds plus the printed fraction,
 * computed so that it equals parsing that text back (digits / 10^precision and the decimal text round
 * to the same double), without making the text.
 */
export function isoEpochSeconds(seconds: number, nanos: number, precision: number): number {
  const whole = Number.isFinite(seconds) ? Math.floor(seconds) : 0;
  if (precision <= 0) return whole;
  const digits = Math.min(precision, 9);
  return whole + Math.floor(nanos / 10 ** (9 - digits)) / 10 ** digits;
}

/** Seconds between two instants, rounded to the capture's precision. */
export function secondsBetween(fromSeconds: number, fromNanos: number, toSeconds: number, toNanos: number, precision: number): number {
  const value = toSeconds - fromSeconds + (toNanos - fromNanos) / 1e9;
  const scale = 10 ** Math.min(Math.max(precision, 0), 9);
  return Math.round(value * scale) / scale;
}

/** A duration for sentences: "41.2 s", "350 ms", "2 h 3 min". */
export function humanDuration(seconds: number): string {
  if (seconds < 0.001) return `${Math.round(seconds * 1e6)} µs`;
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(2).replace(/\.?0+$/, '') : seconds.toFixed(1).replace(/\.0$/, '')} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min`;
}

/** Proleptic Gregorian date and time of a count of seconds since 1970 (H. Hinnant's days_from_civil, inverted). */
function civilTime(seconds: number): string {
  const days = Math.floor(seconds / 86400);
  const inDay = seconds - days * 86400;
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const yearText = year >= 0 && year <= 9999 ? String(year).padStart(4, '0') : `${year < 0 ? '-' : '+'}${String(Math.abs(year)).padStart(6, '0')}`;
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${yearText}-${two(month)}-${two(day)}T${two(Math.floor(inDay / 3600))}:${two(Math.floor(inDay / 60) % 60)}:${two(inDay % 60)}`;
}
