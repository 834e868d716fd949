import { mergeHostSections } from '../report/host-report.js';
import type { CaptureFacts, CloseWaitStats, DisplayFilter, Report, ServiceSummary, Summary } from '../report/model.js';
import { StreamSet, streamFilter } from '../report/stream-set.js';
import { compareRecords, compareServices, compareText, emptyVerdictCounts, inVerdictOrder, leakRate, median, sortableTime } from '../report/report-builder.js';
import { VERDICTS, type ConnectionRecord, type Verdict } from '../verdict/types.js';
import { BatchOptionError } from './errors.js';

/**
 * Combines the JSON reports of shard runs (--shard 1/N ... N/N over the same inputs) into the report one
 * run over everything would give: summary counts added, services combined, connections put together in
 * the report's order (file, then stream).
 *
 * `captures` are ordered by path, compared component by component (split at "/"): exactly the order a
 * directory walk lists them in, so for one directory input (or inputs given in sorted order) the merged
 * captures are in the single run's order. The merge cannot know the command-line order of several
 * inputs given unsorted; it then still gives the same captures, sorted.
 *
 * A service's close-wait median cannot be made from the shards' medians: when a service has close-waits
 * in more than one report, the stuck times are taken from the close-wait records in `connections`. A
 * shard made with filters that dropped some (--verdict, --min-stuck, --host/--port narrower than the
 * others) cannot give an exact merge; that is detected from the counts and refused with a
 * BatchOptionError naming the service, as are reports of different closetrace versions and a capture
 * present in two reports.
 */
export function mergeReports(reports: readonly Report[]): Report {
  if (reports.length === 0) throw new BatchOptionError('no reports to merge');
  const version = reports[0].generator.version;
  reports.forEach((r, i) => {
    if (r.generator.version !== version) {
      throw new BatchOptionError(`report ${i + 1} was made by closetrace ${r.generator.version} and report 1 by ${version}: merge reports of one version`);
    }
  });
  const captures = mergeCaptures(reports);
  const connections = reports.flatMap((r) => r.connections).sort(compareRecords);
  return {
    schema: 1,
    generator: { name: 'closetrace', version },
    partial: reports.some((r) => r.partial === true),
    captures,
    summary: mergeSummaries(reports.map((r) => r.summary)),
    services: mergeServices(reports),
    ...mergeHostSections(reports),
    displayFilters: displayFiltersOf(captures, connections),
    connections,
  };
}

/** The display filters of listed connections, per capture in `captures` order (JSON reports list every listed connection). */
export function displayFiltersOf(captures: readonly CaptureFacts[], connections: readonly ConnectionRecord[]): DisplayFilter[] {
  const sets = new Map<string, StreamSet>();
  for (const c of connections) {
    let set = sets.get(c.file);
    if (set === undefined) sets.set(c.file, (set = new StreamSet()));
    set.add(c.stream);
  }
  const out: DisplayFilter[] = [];
  for (const file of new Set([...captures.map((c) => c.file), ...sets.keys()])) {
    const set = sets.get(file);
    if (set !== undefined) out.push({ file, connections: set.size, filter: streamFilter(set) });
  }
  return out;
}

function mergeCaptures(reports: readonly Report[]): CaptureFacts[] {
  const owner = new Map<string, number>();
  reports.forEach((r, i) => {
    for (const c of r.captures) {
      const seen = owner.get(c.file);
      if (seen !== undefined && seen !== i) {
        throw new BatchOptionError(`the capture ${c.file} is in report ${seen + 1} and report ${i + 1}: shards must not overlap (was one report given twice?)`);
      }
      owner.set(c.file, i);
    }
  });
  // Array.prototype.sort is stable: the same file given twice to one run keeps its two rows in order.
  return reports.flatMap((r) => r.captures).sort((a, b) => comparePaths(a.file, b.file));
}

/** Path order of a directory walk: component by component, each compared by UTF-16 code units. */
export function comparePaths(a: string, b: string): number {
  const x = a.split('/');
  const y = b.split('/');
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const c = compareText(x[i], y[i]);
    if (c !== 0) return c;
  }
  return x.length - y.length;
}

function mergeSummaries(summaries: readonly Summary[]): Summary {
  const verdicts = emptyVerdictCounts();
  let captures = 0;
  let skippedFiles = 0;
  let connections = 0;
  let findings = 0;
  let hiddenByMinStuck = 0;
  for (const s of summaries) {
    hiddenByMinStuck += s.hiddenByMinStuck ?? 0;
    captures += s.captures;
    skippedFiles += s.skippedFiles ?? 0;
    connections += s.connections;
    findings += s.findings;
    for (const v of VERDICTS) verdicts[v] += s.verdicts[v] ?? 0;
  }
  return { captures, skippedFiles, connections, findings, verdicts, hiddenByMinStuck };
}

/** One report's figures for a service. */
interface ServicePart {
  report: Report;
  /** Position of the report in the merge's list. */
  index: number;
  service: ServiceSummary;
}

function mergeServices(reports: readonly Report[]): ServiceSummary[] {
  const parts = new Map<string, ServicePart[]>();
  reports.forEach((report, index) => {
    for (const service of report.services) {
      let list = parts.get(service.server);
      if (list === undefined) parts.set(service.server, (list = []));
      list.push({ report, index, service });
    }
  });
  const merged: ServiceSummary[] = [];
  for (const [server, list] of parts) {
    const verdicts: Partial<Record<Verdict, number>> = {};
    let connections = 0;
    for (const { service } of list) {
      connections += service.connections;
      for (const [verdict, count] of Object.entries(service.verdicts) as [Verdict, number][]) verdicts[verdict] = (verdicts[verdict] ?? 0) + count;
    }
    const precision = Math.max(...list.flatMap(({ service }) => [fractionDigits(service.firstSeen), fractionDigits(service.lastSeen)]));
    const firsts = list.map(({ service }) => service.firstSeen).sort((a, b) => compareText(sortableTime(a), sortableTime(b)));
    const lasts = list.map(({ service }) => service.lastSeen).sort((a, b) => compareText(sortableTime(a), sortableTime(b)));
    const firstSeen = withPrecision(firsts[0], precision);
    const lastSeen = withPrecision(lasts[lasts.length - 1], precision);
    const closeWait = mergeCloseWait(server, list);
    let client = 0;
    let serverSide = 0;
    for (const { service } of list) {
      client += service.timeWait?.client ?? 0;
      serverSide += service.timeWait?.server ?? 0;
    }
    merged.push({
      server,
      connections,
      verdicts: inVerdictOrder(verdicts),
      closeWait: closeWait === null ? null : { ...closeWait, perMinute: leakRate(closeWait.count, firstSeen, lastSeen) },
      timeWait: client + serverSide === 0 ? null : { client, server: serverSide },
      firstSeen,
      lastSeen,
    });
  }
  return merged.sort(compareServices);
}

function mergeCloseWait(server: string, list: readonly ServicePart[]): CloseWaitStats | null {
  const withStats = list.filter(({ service }) => service.closeWait !== null);
  if (withStats.length === 0) return null;
  // In one report only: its figures are already the exact ones.
  if (withStats.length === 1) return { ...(withStats[0].service.closeWait as CloseWaitStats) };
  const stuck: number[] = [];
  for (const { report, index, service } of withStats) {
    const expected = (service.closeWait as CloseWaitStats).count;
    const records = report.connections.filter((c: ConnectionRecord) => c.verdict === 'close-wait' && c.server === server && c.stuckSeconds !== null);
    if (records.length !== expected) {
      throw new BatchOptionError(
        `cannot merge the close-wait times of ${server} exactly: report ${index + 1} counts ${expected} close-waits but lists ${records.length} (made with --verdict or --min-stuck filters that drop close-waits?); make the shard reports without them`,
      );
    }
    for (const r of records) stuck.push(r.stuckSeconds as number);
  }
  let max = -Infinity;
  for (const s of stuck) if (s > max) max = s;
  return { count: stuck.length, medianStuckSeconds: median(stuck), maxStuckSeconds: max, perMinute: null };
}

function fractionDigits(iso: string): number {
  const dot = iso.indexOf('.');
  return dot < 0 ? 0 : iso.length - dot - 2;
}

/**
 * The time at a finer precision. isoTime() truncates to the capture's precision, and a capture's
 * timestamps carry no digits beyond it, so the finer form is the same digits followed by zeros.
 */
function withPrecision(iso: string, precision: number): string {
  const digits = fractionDigits(iso);
  if (digits >= precision) return iso;
  const body = iso.slice(0, -1);
  return `${digits === 0 ? `${body}.` : body}${'0'.repeat(precision - digits)}Z`;
}
