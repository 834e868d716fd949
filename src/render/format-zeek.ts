/**
 * A Zeek conn.log (`--format zeek`): Zeek's ASCII log format (tab-separated, `#fields` and `#types`
 * header lines, `-` for unset fields), with the columns of Zeek's conn.log first, so zeek-cut and Zeek
 * log tooling read it, and closetrace's file, stream, verdict, endpoint and cause as extra columns.
 * One row per listed connection (findings; every connection with --all). Zeek's `conn_state` and
 * `history` come from the records, computed as Zeek does; `orig` is the client (the SYN sender).
 * Fields closetrace does not know (service, IP-level byte counts, locality) are unset.
 */
import { epochSeconds } from '../time/time-text.js';
import type { ConnectionRecord } from '../verdict/types.js';
import type { Report } from '../report/model.js';
import { printable } from './text-width.js';

type Field = string | number | null;

const COLUMNS: readonly [name: string, type: string, get: (r: ConnectionRecord) => Field][] = [
  ['ts', 'time', (r) => zeekTime(r.start)],
  ['uid', 'string', (r) => uid(r.file, r.stream)],
  ['id.orig_h', 'addr', (r) => hostOf(r.client)],
  ['id.orig_p', 'port', (r) => portOf(r.client)],
  ['id.resp_h', 'addr', (r) => hostOf(r.server)],
  ['id.resp_p', 'port', (r) => portOf(r.server)],
  ['proto', 'enum', () => 'tcp'],
  ['service', 'string', () => null],
  ['duration', 'interval', (r) => duration(r)],
  ['orig_bytes', 'count', (r) => r.bytes.client],
  ['resp_bytes', 'count', (r) => r.bytes.server],
  ['conn_state', 'string', (r) => r.connState],
  ['local_orig', 'bool', () => null],
  ['local_resp', 'bool', () => null],
  ['missed_bytes', 'count', () => null],
  ['history', 'string', (r) => r.history],
  ['orig_pkts', 'count', (r) => r.packetsSent?.client ?? null],
  ['orig_ip_bytes', 'count', () => null],
  ['resp_pkts', 'count', (r) => r.packetsSent?.server ?? null],
  ['resp_ip_bytes', 'count', () => null],
  ['tunnel_parents', 'set[string]', () => null],
  ['ip_proto', 'count', () => 6],
  ['closetrace_file', 'string', (r) => r.file],
  ['closetrace_stream', 'count', (r) => r.stream],
  ['closetrace_verdict', 'string', (r) => r.verdict],
  // Zeek's words for the two sides.
  ['closetrace_endpoint', 'string', (r) => (r.endpoint === null ? null : r.endpoint === 'client' ? 'orig' : 'resp')],
  ['closetrace_cause', 'string', (r) => r.cause],
];

/** The header lines, up to and including #types. */
export function zeekHeader(report: Report): string {
  return [
    '#separator \\x09',
    '#set_separator\t,',
    '#empty_field\t(empty)',
    '#unset_field\t-',
    '#path\tconn',
    `#open\t${logTime(firstTime(report))}`,
    `#fields\t${COLUMNS.map(([name]) => name).join('\t')}`,
    `#types\t${COLUMNS.map(([, type]) => type).join('\t')}`,
    '',
  ].join('\n');
}

export function zeekRow(record: ConnectionRecord): string {
  return `${COLUMNS.map(([, , get]) => zeekField(get(record))).join('\t')}\n`;
}

/** The closing line Zeek writes when it closes a log. */
export function zeekFooter(report: Report): string {
  return `#close\t${logTime(lastTime(report))}\n`;
}

export function renderZeek(report: Report): string {
  return zeekHeader(report) + report.connections.map(zeekRow).join('') + zeekFooter(report);
}

/**
 * A value as Zeek's ASCII writer prints it: null unset (`-`), an empty string `(empty)`, and in text
 * every control character, backslash-escape and a value that would read as one of those marks written
 * as `\xNN`.
 */
function zeekField(value: Field): string {
  if (value === null) return '-';
  if (typeof value === 'number') return String(value);
  if (value === '') return '(empty)';
  const text = printable(value.replace(/\\/g, '\\x5c'));
  if (text === '-') return '\\x2d';
  if (text === '(empty)') return '\\x28empty)';
  return text;
}

/** Seconds since 1970 with six decimals, from the ISO time's own digits (no floating-point rounding). */
function zeekTime(iso: string): string | null {
  const dot = iso.indexOf('.');
  const whole = epochSeconds(dot < 0 ? iso : `${iso.slice(0, dot)}Z`);
  if (!Number.isFinite(whole)) return null;
  const fraction = dot < 0 ? '' : iso.slice(dot + 1, -1);
  return `${whole}.${fraction.padEnd(6, '0').slice(0, 6)}`;
}

/**
 * Zeek's duration: first packet to last, except that the ACK of the last FIN of a two-sided close does
 * not count ("for 3-way or 4-way connection tear-downs, this will not include the final ACK").
 */
function duration(r: ConnectionRecord): string | null {
  let end = r.end;
  const fins = r.fins.filter((f) => !f.retransmission);
  const last = fins.reduce<(typeof fins)[number] | null>((a, f) => (a === null || epochSeconds(f.time) >= epochSeconds(a.time) ? f : a), null);
  if (last !== null && fins.some((f) => f.from !== last.from) && last.ackFrame === r.lastFrame) end = last.time;
  const seconds = epochSeconds(end) - epochSeconds(r.start);
  // Zeek leaves the duration of a one-packet connection unset.
  if (!Number.isFinite(seconds) || r.packets <= 1) return null;
  return Math.max(0, seconds).toFixed(6);
}

function hostOf(endpoint: string): string {
  return endpoint.startsWith('[') ? endpoint.slice(1, endpoint.indexOf(']')) : endpoint.slice(0, endpoint.lastIndexOf(':'));
}

function portOf(endpoint: string): number {
  return Number(endpoint.slice(endpoint.lastIndexOf(':') + 1));
}

/**
 * A Zeek-style connection uid (`C` and 17 base-62 characters, 96 bits), made from the capture and
 * stream so that the same connection always gets the same uid.
 */
function uid(file: string, stream: number): string {
  const text = `${file}\u0000${stream}`;
  let value = 0n;
  for (const seed of [0x811c9dc5, 0x050c5d1f, 0x2545f491]) value = (value << 32n) | BigInt(fnv1a(text, seed));
  let out = '';
  for (let i = 0; i < 17; i++) {
    out = BASE62[Number(value % 62n)] + out;
    value /= 62n;
  }
  return `C${out}`;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function fnv1a(text: string, seed: number): number {
  let h = seed;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function firstTime(report: Report): string | null {
  const times = report.captures.map((c) => c.start).filter((t): t is string => t !== null);
  return times.length === 0 ? null : times.reduce((a, b) => (epochSeconds(b) < epochSeconds(a) ? b : a));
}

function lastTime(report: Report): string | null {
  const times = report.captures.map((c) => c.end).filter((t): t is string => t !== null);
  return times.length === 0 ? null : times.reduce((a, b) => (epochSeconds(b) > epochSeconds(a) ? b : a));
}

/** `2024-05-01-10-00-00`, the form of Zeek's #open and #close lines. */
function logTime(iso: string | null): string {
  if (iso === null) return '1970-01-01-00-00-00';
  const m = /^([+-]?\d{4,6})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)/.exec(iso);
  return m === null ? '1970-01-01-00-00-00' : `${m[1]}-${m[2]}-${m[3]}-${m[4]}-${m[5]}-${m[6]}`;
}
