import { compareAddresses, type CaptureSockets, type HostSocket, type ReuseOutcome, type TimelineState } from '../sockets/socket-table.js';
import type { SocketState } from '../sockets/socket-timers.js';
import { isoTime } from '../time/time-text.js';

/** One host's sockets at the end of the capture (summed over the captures of a run). */
export interface HostReport {
  address: string;
  /** What `ss -tan` would have listed, by state (every state, 0 when none). */
  states: Record<SocketState, number>;
  /** The most sockets held at once in each state through the capture, and when (bucket start, ISO time). */
  peaks: Record<TimelineState, { count: number; at: string | null }>;
  /** Average sockets held per bucket of `bucketSeconds`, from `start` (of a run's captures, the one where the host held the most). */
  timeline: { start: string; bucketSeconds: number; counts: Record<TimelineState, number[]> } | null;
  /** With --sockets: every socket (state, local and peer `ip:port`). */
  sockets?: HostSocket[];
}

/** time-wait-pressure: a host whose TIME_WAIT sockets to one ip:port held a large share of its ephemeral ports. */
export interface TimeWaitPressureReport {
  file: string;
  host: string;
  peer: string;
  peak: number;
  at: string;
  ports: number;
  share: number;
  connections: number;
  connectionsPerSecond: number | null;
}

export interface TimeWaitReuseReport {
  counts: Record<ReuseOutcome, number>;
  examples: { file: string; holder: string; peer: string; stream: number; at: string; inTimeWaitSeconds: number; outcome: ReuseOutcome }[];
}

const DIGITS = 6;

/** Merges the socket tables of a run's captures into the report's `hosts`, pressure and reuse sections. */
export class HostReportBuilder {
  private readonly hosts = new Map<string, HostReport & { peakWeight: number }>();
  private readonly pressure: TimeWaitPressureReport[] = [];
  private readonly reuse: TimeWaitReuseReport = { counts: { accepted: 0, ack: 0, rst: 0, none: 0 }, examples: [] };

  add(file: string, sockets: CaptureSockets): void {
    for (const h of sockets.hosts) {
      const peaks = {} as HostReport['peaks'];
      for (const [state, p] of Object.entries(h.peaks) as [TimelineState, { count: number; at: number | null }][]) {
        peaks[state] = { count: p.count, at: p.at === null ? null : time(p.at) };
      }
      const timeline = h.timeline === null ? null : { start: time(h.timeline.start), bucketSeconds: h.timeline.bucketSeconds, counts: h.timeline.counts };
      const weight = socketSeconds(timeline);
      const known = this.hosts.get(h.address);
      if (known === undefined) {
        this.hosts.set(h.address, { address: h.address, states: { ...h.states }, peaks, timeline, ...(h.sockets === undefined ? {} : { sockets: [...h.sockets] }), peakWeight: weight });
        continue;
      }
      for (const [state, n] of Object.entries(h.states) as [SocketState, number][]) known.states[state] += n;
      for (const state of Object.keys(peaks) as TimelineState[]) if (higherPeak(peaks[state], known.peaks[state])) known.peaks[state] = peaks[state];
      if (h.sockets !== undefined) known.sockets = [...(known.sockets ?? []), ...h.sockets];
      // Captures of a run have their own time spans: keep the timeline of the one where the host peaked.
      if (betterTimeline(weight, timeline, known.peakWeight, known.timeline)) {
        known.timeline = timeline;
        known.peakWeight = weight;
      }
    }
    for (const p of sockets.timeWaitPressure) this.pressure.push({ file, ...p, at: time(p.at) });
    for (const outcome of Object.keys(this.reuse.counts) as ReuseOutcome[]) this.reuse.counts[outcome] += sockets.timeWaitReuse.counts[outcome];
    for (const e of sockets.timeWaitReuse.examples) this.reuse.examples.push({ file, ...e, at: time(e.at) });
  }

  build(): { hosts: HostReport[]; timeWaitPressure: TimeWaitPressureReport[]; timeWaitReuse: TimeWaitReuseReport } {
    const hosts = [...this.hosts.values()]
      .map(({ peakWeight: _weight, ...host }) => host)
      .sort((a, b) => compareAddresses(a.address, b.address));
    for (const h of hosts) h.sockets?.sort((a, b) => (a.state < b.state ? -1 : a.state > b.state ? 1 : a.local < b.local ? -1 : a.local > b.local ? 1 : a.peer < b.peer ? -1 : a.peer > b.peer ? 1 : 0));
    const timeWaitPressure = [...this.pressure].sort(comparePressure);
    this.reuse.examples.sort(compareReuse);
    return { hosts, timeWaitPressure, timeWaitReuse: this.reuse };
  }
}

/**
 * How much a timeline holds (socket-seconds over its states): of a host seen in several captures, the
 * report shows the timeline of the capture where it held the most, whatever order captures come in.
 */
function socketSeconds(t: HostReport['timeline']): number {
  if (t === null) return -1;
  let sum = 0;
  for (const counts of Object.values(t.counts)) for (const c of counts) sum += c;
  return sum * t.bucketSeconds;
}

/** Choices that do not depend on the order captures arrive in: the higher count, then the earlier moment. */
function higherPeak(a: { count: number; at: string | null }, b: { count: number; at: string | null }): boolean {
  if (a.count !== b.count) return a.count > b.count;
  return a.at !== null && (b.at === null || a.at < b.at);
}

function betterTimeline(weightA: number, a: HostReport['timeline'], weightB: number, b: HostReport['timeline']): boolean {
  if (weightA !== weightB) return weightA > weightB;
  return a !== null && (b === null || a.start < b.start);
}

/** Orders that do not depend on which worker or shard saw a capture: highest peak, then by name. */
function comparePressure(a: TimeWaitPressureReport, b: TimeWaitPressureReport): number {
  return b.peak - a.peak || text(a.host, b.host) || text(a.peer, b.peer) || text(a.file, b.file);
}

function compareReuse(a: TimeWaitReuseReport['examples'][number], b: TimeWaitReuseReport['examples'][number]): number {
  return text(a.file, b.file) || a.stream - b.stream || text(a.holder, b.holder);
}

function text(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function time(seconds: number): string {
  const whole = Math.floor(seconds);
  return isoTime(whole, Math.min(999_999_999, Math.round((seconds - whole) * 1e9)), DIGITS);
}

/** The host sections of several reports (shards of one run) as one run would give them. */
export function mergeHostSections(reports: readonly { hosts?: HostReport[]; timeWaitPressure?: TimeWaitPressureReport[]; timeWaitReuse?: TimeWaitReuseReport }[]): {
  hosts: HostReport[];
  timeWaitPressure: TimeWaitPressureReport[];
  timeWaitReuse: TimeWaitReuseReport;
} {
  const hosts = new Map<string, HostReport>();
  const weight = (h: HostReport): number => socketSeconds(h.timeline);
  for (const r of reports) {
    for (const h of r.hosts ?? []) {
      const known = hosts.get(h.address);
      if (known === undefined) {
        hosts.set(h.address, structuredClone(h));
        continue;
      }
      for (const [state, n] of Object.entries(h.states) as [SocketState, number][]) known.states[state] += n;
      if (betterTimeline(weight(h), h.timeline, weight(known), known.timeline)) known.timeline = structuredClone(h.timeline);
      for (const state of Object.keys(h.peaks) as TimelineState[]) if (higherPeak(h.peaks[state], known.peaks[state])) known.peaks[state] = { ...h.peaks[state] };
      if (h.sockets !== undefined) known.sockets = [...(known.sockets ?? []), ...h.sockets];
    }
  }
  const merged = [...hosts.values()].sort((a, b) => compareAddresses(a.address, b.address));
  for (const h of merged) h.sockets?.sort((a, b) => (a.state < b.state ? -1 : a.state > b.state ? 1 : a.local < b.local ? -1 : a.local > b.local ? 1 : a.peer < b.peer ? -1 : a.peer > b.peer ? 1 : 0));
  const timeWaitPressure = reports.flatMap((r) => r.timeWaitPressure ?? []).sort(comparePressure);
  const timeWaitReuse: TimeWaitReuseReport = { counts: { accepted: 0, ack: 0, rst: 0, none: 0 }, examples: [] };
  for (const r of reports) {
    if (r.timeWaitReuse === undefined) continue;
    for (const outcome of Object.keys(timeWaitReuse.counts) as ReuseOutcome[]) timeWaitReuse.counts[outcome] += r.timeWaitReuse.counts[outcome];
    timeWaitReuse.examples.push(...r.timeWaitReuse.examples);
  }
  timeWaitReuse.examples.sort(compareReuse);
  return { hosts: merged, timeWaitPressure, timeWaitReuse };
}
