/**
 * Run-time checks of analyze()'s options. The library is called from JavaScript and from parsed
 * configuration as well as from TypeScript, so the types alone do not protect it: `slowCloseSeconds:
 * 'abc'` would compare as NaN and silently disable slow-close detection, and a misspelled option would be
 * ignored. Every option is checked by name and kind, and a mistake throws an AnalyzeOptionError naming
 * the option.
 */
import { BatchOptionError } from './errors.js';

/** An option of analyze() that is unknown or has a value it cannot use. */
export class AnalyzeOptionError extends BatchOptionError {
  constructor(
    /** The option's name as given (`filter.host` for a key of `filter`). */
    readonly option: string,
    message: string,
  ) {
    super(`option ${option}: ${message}`);
    this.name = 'AnalyzeOptionError';
  }
}

type Kind = 'seconds' | 'count' | 'boolean' | 'function' | 'object' | 'signal' | 'readable' | 'share' | 'portRange' | 'workerPolicy' | 'textFormat';

const OPTION_KINDS: Record<string, Kind> = {
  slowCloseSeconds: 'seconds',
  finAckTimeoutSeconds: 'seconds',
  closeGraceSeconds: 'seconds',
  maxConnections: 'count',
  jobs: 'count',
  all: 'boolean',
  stream: 'boolean',
  join: 'boolean',
  filter: 'object',
  shard: 'object',
  listing: 'object',
  scope: 'function',
  list: 'function',
  onJudged: 'function',
  onConnection: 'function',
  textFormat: 'textFormat',
  onConnectionText: 'function',
  onCapture: 'function',
  onProgress: 'function',
  onBatchProgress: 'function',
  onOpenConnections: 'function',
  signal: 'signal',
  stdin: 'readable',
  workerPolicy: 'workerPolicy',
  sockets: 'boolean',
  zeekHistory: 'boolean',
  timeWaitSeconds: 'seconds',
  tcpFinTimeoutSeconds: 'seconds',
  orphanRetrySeconds: 'seconds',
  synRetrySeconds: 'seconds',
  synAckRetrySeconds: 'seconds',
  portRange: 'portRange',
  timeWaitPressureShare: 'share',
};

const FILTER_KINDS: Record<string, Kind | 'text' | 'port' | 'verdicts'> = {
  host: 'text',
  port: 'port',
  verdicts: 'verdicts',
  all: 'boolean',
  minStuckSeconds: 'seconds',
};

/** Throws AnalyzeOptionError for an unknown option or a value of the wrong kind (undefined means "default"). */
export function checkOptionValues(options: object | null | undefined): void {
  if (options === undefined || options === null) return;
  if (typeof options !== 'object' || Array.isArray(options)) throw new AnalyzeOptionError('options', 'must be an object');
  for (const [name, value] of Object.entries(options)) {
    const kind = OPTION_KINDS[name];
    if (kind === undefined) throw new AnalyzeOptionError(name, `unknown option${suggestion(name, Object.keys(OPTION_KINDS))}`);
    if (value === undefined) continue;
    checkValue(name, kind, value);
  }
  const filter = (options as { filter?: unknown }).filter;
  if (filter !== undefined && filter !== null && typeof filter === 'object') {
    for (const [name, value] of Object.entries(filter)) {
      const kind = FILTER_KINDS[name];
      if (kind === undefined) throw new AnalyzeOptionError(`filter.${name}`, `unknown filter key${suggestion(name, Object.keys(FILTER_KINDS))}`);
      if (value === undefined) continue;
      if (kind === 'text') {
        if (typeof value !== 'string') throw new AnalyzeOptionError(`filter.${name}`, `must be a string, not ${describe(value)}`);
      } else if (kind === 'port') {
        if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 65535) throw new AnalyzeOptionError(`filter.${name}`, `must be a port number (0-65535), not ${describe(value)}`);
      } else if (kind === 'verdicts') {
        if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw new AnalyzeOptionError(`filter.${name}`, `must be a list of verdict names, not ${describe(value)}`);
      } else {
        checkValue(`filter.${name}`, kind, value);
      }
    }
  }
}

function checkValue(name: string, kind: Kind, value: unknown): void {
  switch (kind) {
    case 'seconds':
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new AnalyzeOptionError(name, `must be a finite number of seconds, 0 or more, not ${describe(value)}`);
      return;
    case 'count':
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) throw new AnalyzeOptionError(name, `must be a whole number of at least 1, not ${describe(value)}`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') throw new AnalyzeOptionError(name, `must be true or false, not ${describe(value)}`);
      return;
    case 'function':
      if (typeof value !== 'function') throw new AnalyzeOptionError(name, `must be a function, not ${describe(value)}`);
      return;
    case 'object':
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new AnalyzeOptionError(name, `must be an object, not ${describe(value)}`);
      return;
    case 'signal':
      if (!(value instanceof AbortSignal)) throw new AnalyzeOptionError(name, `must be an AbortSignal, not ${describe(value)}`);
      return;
    case 'share':
      if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > 1) throw new AnalyzeOptionError(name, `must be a share above 0 and at most 1, not ${describe(value)}`);
      return;
    case 'portRange': {
      const ok = Array.isArray(value) && value.length === 2 && value.every((p) => Number.isInteger(p) && p >= 1 && p <= 65535) && (value[0] as number) <= (value[1] as number);
      if (!ok) throw new AnalyzeOptionError(name, `must be [low, high] port numbers (1-65535, low <= high), not ${describe(value)}`);
      return;
    }
    case 'workerPolicy':
      if (value !== 'auto' && value !== 'all') throw new AnalyzeOptionError(name, `must be 'auto' or 'all', not ${describe(value)}`);
      return;
    case 'textFormat':
      if (value !== 'json' && value !== 'ndjson' && value !== 'csv' && value !== 'zeek') throw new AnalyzeOptionError(name, `must be 'json', 'ndjson', 'csv' or 'zeek', not ${describe(value)}`);
      return;
    case 'readable':
      if (typeof value !== 'object' || value === null || typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] !== 'function') {
        throw new AnalyzeOptionError(name, `must be a readable stream, not ${describe(value)}`);
      }
      return;
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value}`;
}

/** ` (did you mean slowCloseSeconds?)` for a name close to a known one (case or a few letters apart). */
function suggestion(name: string, known: readonly string[]): string {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = k.toLowerCase() === name.toLowerCase() ? 0 : distance(k.toLowerCase(), name.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  const prefix = known.find((k) => k.toLowerCase().startsWith(name.toLowerCase()) && name.length >= 4);
  if (prefix !== undefined) return ` (did you mean ${prefix}?)`;
  return best !== null && bestDistance <= Math.max(2, Math.floor(name.length / 4)) ? ` (did you mean ${best}?)` : '';
}

/** Levenshtein distance. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current.push(Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1)));
    previous = current;
  }
  return previous[b.length];
}
