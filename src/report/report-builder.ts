import type { ConnectionSummary, JudgedConnection } from '../verdict/judged-connection.js';
import { epochSeconds, isoTime } from '../time/time-text.js';
import { FINDINGS, VERDICTS, type ConnectionRecord, type Verdict } from '../verdict/types.js';
import { CutConnections, rotatedSets, rotatedSetWarning, type CutSketch } from './cut-connections.js';
import { HostReportBuilder } from './host-report.js';
import type { CaptureFacts, DisplayFilter, Report, ServiceSummary, Summary } from './model.js';
import { StreamSet, streamFilter } from './stream-set.js';

/**
 * One server endpoint's running figures. Plain data (numbers, arrays, records), so a worker thread can
 * send it to the main thread by structured clone as part of a ReportPartial.
 */
export interface ServicePartial {
  server: string;
  connections: number;
  /** Connections per verdict, indexed as VERDICTS (a fixed-length array: one shape for every service, no keyed lookups per connection). */
  verdicts: number[];
  /** stuckSeconds of every close-wait (the median needs them all; order does not matter). */
  stuck: number[];
  /** Connections that left a TIME_WAIT socket on the client, on the server. */
  timeWaitClient: number;
  timeWaitServer: number;
  /** Earliest start and latest end, as exact (seconds, nanoseconds) pairs formatted at the end. */
  firstSeconds: number;
  firstNanos: number;
  lastSeconds: number;
  lastNanos: number;
  precision: number;
}

/**
 * Everything a ReportBuilder has counted, as plain data: what a worker that analysed one file hands
 * back so the main thread's builder can add it with addPartial(). Merging partials gives exactly the
 * figures one builder fed with every connection would have (sums, min/max, and the stuck-time lists).
 */
export interface ReportPartial {
  connections: number;
  findings: number;
  verdicts: Record<Verdict, number>;
  services: ServicePartial[];
  hiddenByMinStuck: number;
  /** Stream bitmaps of the listed connections, per file (see StreamSet). */
  listed: { file: string; bits: Uint8Array }[];
  cuts: CutSketch[];
}

export interface ReportBuilderOptions {
  /** In-scope connections not listed only because of --min-stuck: counted in summary.hiddenByMinStuck. */
  hidden?: (connection: ConnectionSummary) => boolean;
  /** Ask for records of listed connections (default true); false still counts them and their streams. */
  records?: boolean;
  /** Look for captures that are parts of one rotated set (not for a joined run, which is one already). */
  rotatedSets?: boolean;
}

/**
 * Builds the report incrementally as connection records arrive, so counts and per-service figures cover
 * every connection while only the records that will be printed are kept.
 */
export class ReportBuilder {
  private readonly captures: CaptureFacts[] = [];
  private readonly hostReport = new HostReportBuilder();
  private readonly kept: ConnectionRecord[] = [];
  private readonly services = new Map<string, ServicePartial>();
  /**
   * Services by port, then the address's last word (all of an IPv4 address), then the other words of
   * an IPv6 address: found without formatting the address, which would cost a string per connection.
   */
  private readonly servicesByNumber = new Map<number, Map<number, { w0: number; w1: number; w2: number; service: ServicePartial }[]>>();
  /** Connections per verdict, indexed as VERDICTS. */
  private readonly verdicts: number[] = VERDICTS.map(() => 0);
  private connections = 0;
  private findings = 0;
  private skippedFiles = 0;
  private hiddenByMinStuck = 0;
  private partialRun = false;
  private readonly listed = new Map<string, StreamSet>();
  private readonly cuts = new CutConnections();

  /** `keep` decides which connections get a record in the report's `connections` (findings, unless --all). */
  constructor(
    private readonly version: string,
    private readonly keep: (connection: ConnectionSummary) => boolean = (c) => FINDINGS.has(c.verdict),
    private readonly options: ReportBuilderOptions = {},
  ) {}

  /** Counts a judged connection; true when its full record should be added with addRecord(). */
  addJudged(c: JudgedConnection): boolean {
    const listed = this.count(c);
    if (listed) this.listedOf(c.file).add(c.stream);
    else if (this.options.hidden?.(c) === true) this.hiddenByMinStuck++;
    if (this.options.rotatedSets === true) this.cuts.note(c);
    return listed && this.options.records !== false;
  }

  private listedOf(file: string): StreamSet {
    let set = this.listed.get(file);
    if (set === undefined) {
      set = new StreamSet();
      this.listed.set(file, set);
    }
    return set;
  }

  /** The report covers only part of the inputs (reading was interrupted). */
  setPartial(partial: boolean): void {
    this.partialRun = partial;
  }

  private count(c: JudgedConnection): boolean {
    this.connections++;
    const verdict = VERDICT_INDEX.get(c.verdict) ?? 0;
    this.verdicts[verdict]++;
    if (IS_FINDING[verdict]) this.findings++;
    const service = this.serviceOf(c);
    service.connections++;
    service.verdicts[verdict]++;
    if (c.verdict === 'close-wait') {
      const stuck = c.stuckSeconds;
      if (stuck !== null) service.stuck.push(stuck);
    }
    if ((c.timeWaitSides & 1) !== 0) service.timeWaitClient++;
    if ((c.timeWaitSides & 2) !== 0) service.timeWaitServer++;
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

  /** The server endpoint's figures, made on its first connection. */
  private serviceOf(c: JudgedConnection): ServicePartial {
    const a = (c.clientDir ^ 1) === 0;
    const port = (a ? c.aPort : c.bPort) + (c.ipVersion === 6 ? 0x10000 : 0);
    const w0 = a ? c.a0 : c.b0;
    const w1 = a ? c.a1 : c.b1;
    const w2 = a ? c.a2 : c.b2;
    const w3 = a ? c.a3 : c.b3;
    let byWord = this.servicesByNumber.get(port);
    if (byWord === undefined) {
      byWord = new Map();
      this.servicesByNumber.set(port, byWord);
    }
    let candidates = byWord.get(w3);
    if (candidates === undefined) {
      candidates = [];
      byWord.set(w3, candidates);
    }
    for (const x of candidates) if (x.w0 === w0 && x.w1 === w1 && x.w2 === w2) return x.service;
    const service = this.serviceNamed(c.server, c);
    candidates.push({ w0, w1, w2, service });
    return service;
  }

  private serviceNamed(server: string, c: JudgedConnection): ServicePartial {
    let service = this.services.get(server);
    if (service === undefined) {
      service = {
        server,
        connections: 0,
        verdicts: VERDICTS.map(() => 0),
        stuck: [],
        timeWaitClient: 0,
        timeWaitServer: 0,
        firstSeconds: c.startSeconds,
        firstNanos: c.startNanos,
        lastSeconds: c.endSeconds,
        lastNanos: c.endNanos,
        precision: c.precision,
      };
      this.services.set(server, service);
    }
    return service;
  }

  addRecord(record: ConnectionRecord): void {
    this.kept.push(record);
  }

  addCapture(facts: CaptureFacts): void {
    const { sockets, ...printed } = facts;
    if (sockets !== undefined) this.hostReport.add(facts.file, sockets);
    this.captures.push(printed);
  }

  /** Files in input directories that were not captures (see Summary.skippedFiles). */
  setSkippedFiles(count: number): void {
    this.skippedFiles = count;
  }

  /** The figures counted so far (not the captures or records), for another builder's addPartial(). */
  partial(): ReportPartial {
    return {
      connections: this.connections,
      findings: this.findings,
      verdicts: verdictRecord(this.verdicts),
      services: [...this.services.values()],
      hiddenByMinStuck: this.hiddenByMinStuck,
      listed: [...this.listed].map(([file, set]) => ({ file, bits: set.toBits() })),
      cuts: this.cuts.sketches(),
    };
  }

  /** Adds figures counted by another builder (a worker's, for one file), as if its connections came here. */
  addPartial(p: ReportPartial): void {
    this.connections += p.connections;
    this.findings += p.findings;
    this.hiddenByMinStuck += p.hiddenByMinStuck;
    for (const { file, bits } of p.listed) this.listedOf(file).addAll(new StreamSet(bits));
    for (const sketch of p.cuts) this.cuts.add(sketch);
    VERDICTS.forEach((v, i) => {
      this.verdicts[i] += p.verdicts[v];
    });
    for (const other of p.services) {
      const service = this.services.get(other.server);
      if (service === undefined) {
        this.services.set(other.server, { ...other, verdicts: other.verdicts.slice(), stuck: other.stuck.slice() });
        continue;
      }
      service.connections += other.connections;
      for (let i = 0; i < VERDICTS.length; i++) service.verdicts[i] += other.verdicts[i];
      for (const stuck of other.stuck) service.stuck.push(stuck);
      service.timeWaitClient += other.timeWaitClient;
      service.timeWaitServer += other.timeWaitServer;
      if (other.firstSeconds < service.firstSeconds || (other.firstSeconds === service.firstSeconds && other.firstNanos < service.firstNanos)) {
        service.firstSeconds = other.firstSeconds;
        service.firstNanos = other.firstNanos;
      }
      if (other.lastSeconds > service.lastSeconds || (other.lastSeconds === service.lastSeconds && other.lastNanos > service.lastNanos)) {
        service.lastSeconds = other.lastSeconds;
        service.lastNanos = other.lastNanos;
      }
      service.precision = Math.max(service.precision, other.precision);
    }
  }

  summary(): Summary {
    return {
      captures: this.captures.length,
      skippedFiles: this.skippedFiles,
      connections: this.connections,
      findings: this.findings,
      verdicts: verdictRecord(this.verdicts),
      hiddenByMinStuck: this.hiddenByMinStuck,
    };
  }

  /** One filter per capture with listed connections, in capture order (a file given twice once). */
  private displayFilters(): DisplayFilter[] {
    const out: DisplayFilter[] = [];
    const seen = new Set<string>();
    const files = [...this.captures.map((c) => c.file), ...this.listed.keys()];
    for (const file of files) {
      const set = this.listed.get(file);
      if (seen.has(file) || set === undefined || set.size === 0) continue;
      seen.add(file);
      out.push({ file, connections: set.size, filter: streamFilter(set) });
    }
    return out;
  }

  /** The captures, with a warning on the first of each run of files that look like one rotated set. */
  private capturesWithWarnings(): CaptureFacts[] {
    if (this.options.rotatedSets !== true) return this.captures;
    const out = [...this.captures];
    for (const set of rotatedSets(this.captures, this.cuts)) {
      const first = set[0];
      out[first] = { ...out[first], warnings: [...out[first].warnings, rotatedSetWarning(set.map((i) => this.captures[i].file))] };
    }
    return out;
  }

  build(): Report {
    const services: ServiceSummary[] = [...this.services.values()].map((s) => {
      const firstSeen = isoTime(s.firstSeconds, s.firstNanos, s.precision);
      const lastSeen = isoTime(s.lastSeconds, s.lastNanos, s.precision);
      return {
        server: s.server,
        connections: s.connections,
        verdicts: presentVerdicts(s.verdicts),
        closeWait:
          s.stuck.length === 0
            ? null
            : { count: s.stuck.length, medianStuckSeconds: median(s.stuck), maxStuckSeconds: maxOf(s.stuck), perMinute: leakRate(s.stuck.length, firstSeen, lastSeen) },
        timeWait: s.timeWaitClient + s.timeWaitServer === 0 ? null : { client: s.timeWaitClient, server: s.timeWaitServer },
        firstSeen,
        lastSeen,
      };
    });
    services.sort(compareServices);
    const connections = [...this.kept].sort(compareRecords);
    return {
      schema: 1,
      generator: { name: 'closetrace', version: this.version },
      partial: this.partialRun,
      captures: this.capturesWithWarnings(),
      summary: this.summary(),
      services,
      ...this.hostReport.build(),
      displayFilters: this.displayFilters(),
      connections,
    };
  }
}

/**
 * Verdict counts with keys in VERDICTS order, whatever order the verdicts were met in: the JSON text then
 * depends only on the counts, so parallel runs and merged shard reports print byte-for-byte the same.
 */
export function inVerdictOrder(counts: Partial<Record<Verdict, number>>): Partial<Record<Verdict, number>> {
  const out: Partial<Record<Verdict, number>> = {};
  for (const v of VERDICTS) {
    const n = counts[v];
    if (n !== undefined) out[v] = n;
  }
  return out;
}

/**
 * Close-waits per minute over the service's span (from the report's own first/last-seen texts, so a
 * merge of shard reports computes the same), to 3 significant digits; null under a second.
 */
export function leakRate(count: number, firstSeen: string, lastSeen: string): number | null {
  const spanSeconds = epochSeconds(lastSeen) - epochSeconds(firstSeen);
  if (!(spanSeconds >= 1)) return null;
  return Number(((count * 60) / spanSeconds).toPrecision(3));
}

/** Math.max(...values) overflows the call stack for a few hundred thousand values. */
function maxOf(values: number[]): number {
  let max = -Infinity;
  for (const v of values) if (v > max) max = v;
  return max;
}

export function emptyVerdictCounts(): Record<Verdict, number> {
  const counts = {} as Record<Verdict, number>;
  for (const v of VERDICTS) counts[v] = 0;
  return counts;
}

const FINDING_VERDICTS = VERDICTS.filter((v) => FINDINGS.has(v));
const VERDICT_INDEX = new Map<Verdict, number>(VERDICTS.map((v, i) => [v, i]));
const IS_FINDING = VERDICTS.map((v) => FINDINGS.has(v));

/** Counts indexed as VERDICTS, as a record with every verdict. */
function verdictRecord(counts: readonly number[]): Record<Verdict, number> {
  const out = emptyVerdictCounts();
  VERDICTS.forEach((v, i) => {
    out[v] = counts[i];
  });
  return out;
}

/** Counts indexed as VERDICTS, as the report writes them: the verdicts met, in VERDICTS order. */
function presentVerdicts(counts: readonly number[]): Partial<Record<Verdict, number>> {
  const out: Partial<Record<Verdict, number>> = {};
  VERDICTS.forEach((v, i) => {
    if (counts[i] > 0) out[v] = counts[i];
  });
  return out;
}

/** Findings of a service (read per comparison while sorting thousands of services: no array made). */
function findingCount(s: ServiceSummary): number {
  let n = 0;
  for (const verdict of FINDING_VERDICTS) n += s.verdicts[verdict] ?? 0;
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

/** The order of `connections`: by file, then stream (stable for the same file given twice). */
export function compareRecords(x: ConnectionRecord, y: ConnectionRecord): number {
  return compareText(x.file, y.file) || x.stream - y.stream;
}

/** Services: leaking ones first (most close-waits), then most findings, then by name for stable output. */
export function compareServices(x: ServiceSummary, y: ServiceSummary): number {
  return (y.closeWait?.count ?? 0) - (x.closeWait?.count ?? 0) || findingCount(y) - findingCount(x) || compareText(x.server, y.server);
}

export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
