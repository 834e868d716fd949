/**
 * Formats capture timestamps without losing the capture's own precision (Date only keeps milliseconds)
 * and for any value a corrupt capture may hold (Date stops at year 275760; ISO 8601 expanded years don't).
 */
export function isoTime(seconds: number, nanos: number, precision: number): string {
  const whole = cachedCivilTime(Number.isFinite(seconds) ? Math.floor(seconds) : 0);
  if (precision <= 0) return `${whole}Z`;
  const fraction = String(nanos).padStart(9, '0').slice(0, Math.min(precision, 9));
  return `${whole}.${fraction}Z`;
}

/**
 * Recently printed seconds, direct-mapped by their low bits: a record's times (start, FINs, RSTs, end)
 * and consecutive records mostly fall in a few seconds, and the calendar arithmetic and padding cost
 * more than the rest of isoTime (it runs several times per record of a JSON or CSV report).
 */
const CIVIL_CACHE_SIZE = 256;
const civilSeconds = new Float64Array(CIVIL_CACHE_SIZE).fill(Number.NaN);
const civilTexts: string[] = new Array<string>(CIVIL_CACHE_SIZE).fill('');

function cachedCivilTime(seconds: number): string {
  const slot = seconds & (CIVIL_CACHE_SIZE - 1);
  if (civilSeconds[slot] === seconds) return civilTexts[slot];
  const text = civilTime(seconds);
  civilSeconds[slot] = seconds;
  civilTexts[slot] = text;
  return text;
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

/**
 * Times as reports show them. The model carries ISO 8601 strings with the capture's own precision (and,
 * from a corrupt capture, possibly an expanded year like +275760), so these work on the text rather
 * than through Date, which would drop everything below a millisecond and fail on such years.
 */

const ISO = /^([+-]?\d{4,6})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?Z$/;

interface Parts {
  date: string;
  hour: string;
  minute: string;
  second: string;
  fraction: string;
}

function parts(iso: string): Parts | null {
  const m = ISO.exec(iso);
  if (m === null) return null;
  return { date: `${m[1]}-${m[2]}-${m[3]}`, hour: m[4], minute: m[5], second: m[6], fraction: m[7] ?? '' };
}

/** `2026-11-22` (the date part), or the input itself if it is not an ISO time. */
function datePart(iso: string): string {
  return parts(iso)?.date ?? iso;
}

/** `14:53:15.713`: wall-clock time of day (UTC) to the millisecond, for rows under a dated header. */
export function clock(iso: string): string {
  const p = parts(iso);
  if (p === null) return iso;
  const ms = p.fraction === '' ? '' : `.${p.fraction.padEnd(3, '0').slice(0, 3)}`;
  return `${p.hour}:${p.minute}:${p.second}${ms}`;
}

/** `2026-11-22 14:53:15.713`. */
export function dateClock(iso: string): string {
  const p = parts(iso);
  return p === null ? iso : `${p.date} ${clock(iso)}`;
}

/** Seconds since 1970 as a float (sub-microsecond digits are lost; fine for charts and spans), or NaN. */
export function epochSeconds(iso: string): number {
  const m = ISO.exec(iso);
  if (m === null) return Number.NaN;
  const days = daysFromCivil(Number(m[1]), Number(m[2]), Number(m[3]));
  const fraction = m[7] === undefined ? 0 : Number(`0.${m[7]}`);
  return days * 86400 + Number(m[4]) * 3600 + Number(m[5]) * 60 + Number(m[6]) + fraction;
}

/** H. Hinnant's days_from_civil: valid for any proleptic Gregorian year. */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** `2026-11-22 14:53:15.713 → 14:53:27.001 (11.3 s)`; the date is repeated only when it changes. */
export function timeSpan(start: string | null, end: string | null): string {
  if (start === null || end === null) return 'no packets';
  const seconds = epochSeconds(end) - epochSeconds(start);
  const to = datePart(start) === datePart(end) ? clock(end) : dateClock(end);
  const length = Number.isFinite(seconds) ? ` (${humanDuration(Math.max(0, seconds))})` : '';
  return `${dateClock(start)} → ${to}${length}`;
}

/**
 * Chooses how row times are shown: a time of day when every capture lies within one day (the date is in
 * the header), otherwise date and time.
 */
export function rowClock(sameDay: boolean): (iso: string) => string {
  return sameDay ? clock : dateClock;
}

export function allOnOneDay(times: readonly (string | null)[]): boolean {
  const days = new Set(times.filter((t): t is string => t !== null).map(datePart));
  return days.size <= 1;
}

/** A ladder's time column: `0.015 ms`, `25.352 ms`, `4.621 s` since the connection's first packet. */
export function offsetText(seconds: number): string {
  if (seconds < 1) return `${(seconds * 1000).toFixed(3)} ms`;
  return `${seconds.toFixed(3)} s`;
}
