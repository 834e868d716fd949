import type { ConnectionSummary, JudgedConnection } from '../verdict/judged-connection.js';
import { isoTime } from '../verdict/time-format.js';
import { FINDINGS, VERDICTS, type ConnectionRecord, type Verdict } from '../verdict/types.js';
import type { CaptureFacts, Report, ServiceSummary, Summary } from './model.js';

interface ServiceAccumulator {
  server: string;
  connections: number;
  verdicts: Partial<Record<Verdict, number>>;
  stuck: number[];
  /** Earliest start and latest end, as exact (seconds, nanoseconds) pairs formatted at the end. */
  firstSeconds: number;
  firstNanos: number;
  lastSeconds: number;
  lastNanos: number;
  precision: number;
}

/**
 * Builds the report incrementally as connection records arrive, so counts and per-service figures cover
 * every connection while only the records that will be printed are kept.
 */
export class ReportBuilder {
  private readonly captures: CaptureFacts[] = [];
  private readonly kept: ConnectionRecord[] = [];
  private readonly services = new Map<string, ServiceAccumulator>();
  private readonly verdicts = emptyVerdictCounts();
  private connections = 0;
  private findings = 0;

  /** `keep` decides which connections get a record in the report's `connections` (findings, unless --all). */
  constructor(
    private readonly version: string,
    private readonly keep: (connection: ConnectionSummary) => boolean = (c) => FINDINGS.has(c.verdict),
  ) {}

  /** Counts a judged connection; true when its full record should be added with addRecord(). */
  addJudged(c: JudgedConnection): boolean {
    this.connections++;
    this.verdicts[c.verdict]++;
    if (FINDINGS.has(c.verdict)) this.findings++;
    const server = c.server;
    let service = this.services.get(server);
    if (service === undefined) {
      service = {
        server,
        connections: 0,
        verdicts: {},
        stuck: [],
        firstSeconds: c.startSeconds,
        firstNanos: c.startNanos,
        lastSeconds: c.endSeconds,
        lastNanos: c.endNanos,
        precision: c.precision,
      };
      this.services.set(server, service);
    }
    service.connections++;
    service.verdicts[c.verdict] = (service.verdicts[c.verdict] ?? 0) + 1;
    if (c.verdict === 'close-wait') {
      const stuck = c.stuckSeconds;
      if (stuck !== null) service.stuck.push(stuck);
    }
    if (c.startSeconds < service.firstSeconds || (c.startSeconds === service.firstSeconds && c.startNanos < service.firstNanos)) {
      service.firstSeconds = c.startSeconds;
      service.firstNanos = c.startNanos;
    }
    if (c.endSeconds > service.lastSeconds || (c.endSeconds === service.lastSeconds && c.endNanos > service.lastNanos)) {
      service.lastSeconds = c.endSeconds;
      service.lastNanos = c.endNanos;
    }
    service.precision = Math.max(service.precision, c.precision);
    return this.keep(c);
  }

  addRecord(record: ConnectionRecord): void {
    this.kept.push(record);
  }

  addCapture(facts: CaptureFacts): void {
    this.captures.push(facts);
  }

  summary(): Summary {
    return { captures: this.captures.length, connections: this.connections, findings: this.findings, verdicts: { ...this.verdicts } };
  }

  build(): Report {
    const services: ServiceSummary[] = [...this.services.values()].map((s) => ({
      server: s.server,
      connections: s.connections,
      verdicts: s.verdicts,
      closeWait: s.stuck.length === 0 ? null : { count: s.stuck.length, medianStuckSeconds: median(s.stuck), maxStuckSeconds: Math.max(...s.stuck) },
      firstSeen: isoTime(s.firstSeconds, s.firstNanos, s.precision),
      lastSeen: isoTime(s.lastSeconds, s.lastNanos, s.precision),
    }));
    // Leaking services first (most close-waits), then most findings, then by name for stable output.
    services.sort((x, y) => (y.closeWait?.count ?? 0) - (x.closeWait?.count ?? 0) || findingCount(y) - findingCount(x) || compareText(x.server, y.server));
    const connections = [...this.kept].sort((x, y) => compareText(x.file, y.file) || x.stream - y.stream);
    return {
      schema: 1,
      generator: { name: 'closetrace', version: this.version },
      captures: this.captures,
      summary: this.summary(),
      services,
      connections,
    };
  }
}

export function emptyVerdictCounts(): Record<Verdict, number> {
  const counts = {} as Record<Verdict, number>;
  for (const v of VERDICTS) counts[v] = 0;
  return counts;
}

function findingCount(s: ServiceSummary): number {
  let n = 0;
  for (const [verdict, count] of Object.entries(s.verdicts)) if (FINDINGS.has(verdict as Verdict)) n += count ?? 0;
  return n;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** ISO times of different precisions compare correctly once the fraction is padded to 9 digits. */
export function sortableTime(iso: string): string {
  const dot = iso.indexOf('.');
  if (dot < 0) return `${iso.slice(0, -1)}.000000000`;
  return iso.slice(0, dot + 1) + iso.slice(dot + 1, -1).padEnd(9, '0');
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
