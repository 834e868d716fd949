/**
 * One line per server endpoint, the "which service leaks" view:
 * `312 close-wait (median stuck 41 s, max 300 s); 12 abortive-close`.
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
      verdict === 'close-wait' && cw !== null ? `median stuck ${humanDuration(cw.medianStuckSeconds)}, max ${humanDuration(cw.maxStuckSeconds)}` : null;
    out.push({ verdict, count, note });
  }
  return out;
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
