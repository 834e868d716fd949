/**
 * The host-level sections of the text reports (table, markdown, HTML), chosen once so every format says
 * the same thing: per host the sockets left at the end of the capture, by state as the
 * `netstat -n | awk '/^tcp/ {++S[$NF]} ...'` summary counts them, with the peaks; with --sockets every
 * socket as `ss -tan` lists them; the time-wait-pressure findings; and how TIME_WAIT sockets answered
 * SYNs that reused their 4-tuple. Counts come first; details with --sockets (every socket) or --all
 * (hosts that held nothing at the end, the reuse examples).
 */
import type { HostReport, Report, TimeWaitPressureReport, TimeWaitReuseReport } from '../report/model.js';
import { SOCKET_STATES, type SocketState } from '../sockets/socket-timers.js';
import { TIMELINE_STATES, type HostSocket, type TimelineState } from '../sockets/socket-table.js';
import type { RenderOptions } from './render.js';
import { capRows } from './row-cap.js';
import type { RowContext } from './row-columns.js';
import { REUSE_OUTCOMES } from './socket-advice.js';

type ReuseOutcome = keyof TimeWaitReuseReport['counts'];
type ReuseExample = TimeWaitReuseReport['examples'][number];

export interface HostRow {
  address: string;
  /** Sockets left at the end of the capture. */
  total: number;
  /** The states with sockets, most first. */
  states: { state: SocketState; count: number }[];
  /** The non-zero peaks through the capture, with their ISO time. */
  peaks: { state: TimelineState; count: number; at: string | null }[];
}

export interface SocketSections {
  /** Hosts with sockets at the end or a CLOSE_WAIT or TIME_WAIT peak (every host with --all), busiest first, within --limit. */
  rows: HostRow[];
  hiddenRows: number;
  /** Hosts left out of the rows because they held nothing worth a row (without --all). */
  quietHosts: number;
  /** With --sockets: each host's sockets, in the order of the rows. */
  listings: { address: string; sockets: HostSocket[] }[];
  pressure: TimeWaitPressureReport[];
  hiddenPressure: number;
  /** null when no SYN reused a 4-tuple in TIME_WAIT. */
  reuse: { total: number; counts: { outcome: ReuseOutcome; count: number }[]; examples: ReuseExample[]; hiddenExamples: number } | null;
  /** Some host held TIME_WAIT sockets at the end (the reports then say who holds them). */
  timeWaitLeft: boolean;
}

export function socketSections(report: Report, options: RenderOptions): SocketSections {
  // Totals once per host, not per comparison; rows made only for the hosts shown (thousands may qualify).
  const totals = new Map((report.hosts ?? []).map((h) => [h, total(h)]));
  const hosts = [...totals.keys()].sort((a, b) => (totals.get(b) ?? 0) - (totals.get(a) ?? 0));
  const worth = hosts.filter((h) => options.all || worthARow(h));
  const capped = capRows(worth, options.limit);
  const rows = { shown: capped.shown.map(hostRow), hidden: capped.hidden };
  const pressure = capRows(report.timeWaitPressure ?? [], options.limit);
  return {
    rows: rows.shown,
    hiddenRows: rows.hidden,
    quietHosts: hosts.length - worth.length,
    listings: hosts.filter((h) => h.sockets !== undefined && h.sockets.length > 0).map((h) => ({ address: h.address, sockets: h.sockets ?? [] })),
    pressure: pressure.shown,
    hiddenPressure: pressure.hidden,
    reuse: reuseSection(report.timeWaitReuse, options),
    timeWaitLeft: hosts.some((h) => h.states.TIME_WAIT > 0),
  };
}

function total(h: HostReport): number {
  let n = 0;
  for (const s of SOCKET_STATES) n += h.states[s];
  return n;
}

/** A host that ends with sockets, or that piled up CLOSE_WAIT or TIME_WAIT on the way. */
function worthARow(h: HostReport): boolean {
  return total(h) > 0 || h.peaks.CLOSE_WAIT.count > 0 || h.peaks.TIME_WAIT.count > 0;
}

function hostRow(h: HostReport): HostRow {
  const states = SOCKET_STATES.filter((s) => h.states[s] > 0)
    .map((state) => ({ state, count: h.states[state] }))
    .sort((a, b) => b.count - a.count);
  const peaks = TIMELINE_STATES.filter((s) => h.peaks[s].count > 0).map((state) => ({ state, count: h.peaks[state].count, at: h.peaks[state].at }));
  return { address: h.address, total: total(h), states, peaks };
}

function reuseSection(reuse: TimeWaitReuseReport | undefined, options: RenderOptions): SocketSections['reuse'] {
  if (reuse === undefined) return null;
  const outcomes = Object.keys(reuse.counts) as ReuseOutcome[];
  const counts = outcomes.filter((o) => reuse.counts[o] > 0).map((outcome) => ({ outcome, count: reuse.counts[outcome] }));
  const sum = counts.reduce((n, c) => n + c.count, 0);
  if (sum === 0) return null;
  // The examples are details: listed with --all (all of them are in the JSON).
  const examples = options.all ? capRows(reuse.examples, options.limit) : { shown: [], hidden: 0 };
  return { total: sum, counts, examples: examples.shown, hiddenExamples: examples.hidden };
}

/** `TIME_WAIT 200, ESTABLISHED 3`: the netstat|awk summary of one host, on one line. */
export function statesText(row: HostRow): string {
  return row.states.length === 0 ? 'none' : row.states.map((s) => `${s.state} ${s.count}`).join(', ');
}

/** `TIME_WAIT 200 at 17:26:47.382`, one per state that had any. */
export function peakTexts(row: HostRow, ctx: RowContext): string[] {
  return row.peaks.map((p) => `${p.state} ${p.count}${p.at === null ? '' : ` at ${ctx.time(p.at)}`}`);
}

export const PRESSURE_HEADERS = ['host', 'server', 'TIME_WAIT peak', 'of ports', 'share', 'at', 'connections', 'rate'] as const;

/** The cells of a time-wait-pressure finding, in PRESSURE_HEADERS order (plain text). */
export function pressureRow(p: TimeWaitPressureReport, ctx: RowContext): string[] {
  const rate = p.connectionsPerSecond === null ? '-' : `${rateText(p.connectionsPerSecond)}/s`;
  return [p.host, p.peer, String(p.peak), p.ports.toLocaleString('en-US'), percent(p.share), ctx.time(p.at), String(p.connections), rate];
}

export const REUSE_HEADERS = ['stream', 'TIME_WAIT holder', 'reconnecting', 'at', 'in TIME_WAIT for', 'answer'] as const;

export function reuseSentence(reuse: NonNullable<SocketSections['reuse']>): string {
  return `${reuse.total} SYN${reuse.total === 1 ? '' : 's'} reused a 4-tuple one side still held in TIME_WAIT:`;
}

/** `10 accepted: the TIME_WAIT socket answered ...`, one per outcome seen. */
export function reuseOutcomeTexts(reuse: NonNullable<SocketSections['reuse']>): string[] {
  return reuse.counts.map((c) => `${c.count} ${REUSE_OUTCOMES[c.outcome]}`);
}

function percent(share: number): string {
  const p = share * 100;
  return `${p >= 10 || p === 0 ? Math.round(p) : p.toFixed(1)}%`;
}

/** A rate for people: 866, 12, 5.3, 0.42. */
function rateText(n: number): string {
  if (n >= 100) return Math.round(n).toLocaleString('en-US');
  if (n >= 10) return String(Math.round(n));
  return String(Number(n.toPrecision(2)));
}
