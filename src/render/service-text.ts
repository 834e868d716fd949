/**
 * One line per server endpoint, the "which service leaks" view:
 * `312 close-wait (median stuck 41 s, max 300 s; leaks 12 sockets a minute; at that rate 1,024 file
 * descriptors last 85 min); 12 abortive-close`, and who holds the service's TIME_WAIT sockets.
 */
import { humanDuration } from '../time/time-text.js';
import type { Verdict } from '../verdict/types.js';
import type { ServiceSummary } from '../report/model.js';
import { isFinding, VERDICTS } from '../verdict/catalogue.js';

export interface VerdictCount {
  verdict: Verdict;
  count: number;
  /** close-wait only: the stuck-time figures. */
  note: string | null;
}

/** The service's verdicts in report order; normal ends only when `all`. */
export function serviceCounts(service: ServiceSummary, all: boolean): VerdictCount[] {
  const out: VerdictCount[] = [];
  for (const verdict of VERDICTS) {
    const count = service.verdicts[verdict] ?? 0;
    if (count === 0 || (!all && !isFinding(verdict))) continue;
    const cw = service.closeWait;
    const note =
      verdict === 'close-wait' && cw !== null
        ? `median stuck ${humanDuration(cw.medianStuckSeconds)}, max ${humanDuration(cw.maxStuckSeconds)}${cw.perMinute === null || cw.perMinute === undefined ? '' : `; ${leakRateText(cw.perMinute)}`}`
        : null;
    out.push({ verdict, count, note });
  }
  return out;
}

/** A process's default soft limit of open files (`ulimit -n`): what a leak eats into first. */
const DESCRIPTORS = 1024;

/** `leaks 12 sockets a minute; at that rate 1,024 file descriptors last 85 min`. */
export function leakRateText(perMinute: number): string {
  const rate = perMinute >= 10 ? String(Math.round(perMinute)) : String(Number(perMinute.toPrecision(2)));
  const last = perMinute > 0 ? `; at that rate ${DESCRIPTORS.toLocaleString('en-US')} file descriptors last ${minutesText(DESCRIPTORS / perMinute)}` : '';
  return `leaks ${rate} socket${rate === '1' ? '' : 's'} a minute${last}`;
}

/** Minutes for people: `45 s`, `3.7 min`, `85 min`, `3.2 h`, `4.5 days`. */
function minutesText(minutes: number): string {
  if (minutes < 1) return `${Math.max(1, Math.round(minutes * 60))} s`;
  if (minutes < 10) return `${Number(minutes.toFixed(1))} min`;
  if (minutes < 120) return `${Math.round(minutes)} min`;
  if (minutes < 48 * 60) return `${Number((minutes / 60).toFixed(1))} h`;
  return `${Number((minutes / 1440).toFixed(1))} days`;
}

/** Who held the TIME_WAIT sockets this service's connections left: `server 100`, `client 3, server 2`; null when none. */
export function timeWaitText(service: ServiceSummary): string | null {
  const tw = service.timeWait;
  if (tw === null || tw === undefined) return null;
  const parts = [...(tw.client > 0 ? [`client ${tw.client}`] : []), ...(tw.server > 0 ? [`server ${tw.server}`] : [])];
  return parts.length === 0 ? null : parts.join(', ');
}

/** The TIME_WAIT column is shown only when a listed service has one. */
export function showsTimeWait(services: readonly ServiceSummary[]): boolean {
  return services.some((s) => timeWaitText(s) !== null);
}

export function serviceCountText(c: VerdictCount): string {
  return `${c.count} ${c.verdict}${c.note === null ? '' : ` (${c.note})`}`;
}

function hasFindings(service: ServiceSummary): boolean {
  return VERDICTS.some((v) => isFinding(v) && (service.verdicts[v] ?? 0) > 0);
}

/** Services worth listing: with findings, or all of them with --all (the model already puts leakers first). */
export function listedServices(services: readonly ServiceSummary[], all: boolean): ServiceSummary[] {
  return services.filter((s) => all || hasFindings(s));
}
