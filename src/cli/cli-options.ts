import { VERDICTS, type Verdict } from '../verdict/types.js';
import { parseHostPrefix } from '../batch/host-match.js';
import { FORMATS, formatOfFileName, type Format } from '../render/formats.js';
import { parseDuration } from './durations.js';

/** A bad command line: reported in one line with a pointer to --help, exit code 2. */
export class UsageError extends Error {}

/** Something the command line cannot do here (a tool missing): reported in one line, exit code 2. */
export class CliError extends Error {}

export function parseFormat(text: string): Format {
  const format = text.toLowerCase() as Format;
  if (!FORMATS.includes(format)) throw new UsageError(`unknown format "${text}" (expected one of ${FORMATS.join(', ')})`);
  return format;
}

export function parseVerdicts(text: string, option: string): Verdict[] {
  const list = text
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');
  for (const v of list) {
    if (!VERDICTS.includes(v as Verdict)) throw new UsageError(`${option}: unknown verdict "${v}" (expected ${VERDICTS.join(', ')})`);
  }
  return list as Verdict[];
}

export function parseSeconds(text: string, option: string): number {
  const seconds = parseDuration(text);
  if (seconds === null) throw new UsageError(`${option}: "${text}" is not a duration (examples: 1s, 500ms, 2m, 90)`);
  return seconds;
}

export function parsePositiveInteger(text: string, option: string): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) <= 0) throw new UsageError(`${option}: "${text}" is not a positive whole number`);
  return Number(text);
}

/** --format if given, else what the -o file's extension says (`report.html`), else the table. */
export function chooseFormat(format: string | undefined, output: string | undefined): Format {
  if (format !== undefined) return parseFormat(format);
  if (output !== undefined && output !== '-') return formatOfFileName(output) ?? 'table';
  return 'table';
}

/** --host: an IP address or CIDR prefix, returned as given (the library parses it the same way). */
export function parseHost(text: string): string {
  if (parseHostPrefix(text) === null) {
    throw new UsageError(`--host: "${text}" is not an IP address or CIDR prefix (examples: 10.0.0.5, 10.0.0.0/8, 2001:db8::1, 2001:db8::/32)`);
  }
  return text.trim();
}

export function parseNonNegativeInteger(text: string, option: string): number {
  if (!/^\d+$/.test(text.trim())) throw new UsageError(`${option}: "${text}" is not a whole number`);
  return Number(text);
}

export function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text.trim()) || port > 65535) throw new UsageError(`--port: "${text}" is not a port number`);
  return port;
}

/**
 * --port-range: `LOW-HIGH` (`32768-60999`), or the two numbers as `sysctl -n net.ipv4.ip_local_port_range`
 * prints them, so `--port-range "$(sysctl -n net.ipv4.ip_local_port_range)"` works.
 */
export function parsePortRange(text: string): [number, number] {
  const m = /^\s*(\d{1,5})\s*(?:-|\s)\s*(\d{1,5})\s*$/.exec(text);
  const low = m === null ? NaN : Number(m[1]);
  const high = m === null ? NaN : Number(m[2]);
  if (!(low >= 1 && high <= 65535 && low <= high)) throw new UsageError(`--port-range: "${text}" is not a port range LOW-HIGH (1-65535, LOW <= HIGH; Linux's default: 32768-60999)`);
  return [low, high];
}

/** A share above 0 and at most 1: `0.5`, or a percentage `50%`. */
export function parseShare(text: string, option: string): number {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(%?)\s*$/.exec(text);
  const share = m === null ? NaN : Number(m[1]) / (m[2] === '%' ? 100 : 1);
  if (!(share > 0 && share <= 1)) throw new UsageError(`${option}: "${text}" is not a share above 0 and at most 1 (examples: 0.5, 50%)`);
  return share;
}
