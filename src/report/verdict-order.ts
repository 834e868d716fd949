/**
 * The order reports list verdicts in and how alarming each is. The order is by what an on-call engineer
 * should look at first (a leak before a refused connection), not the vocabulary's order in types.ts.
 */
import { FINDINGS, type ConnectionRecord, type Verdict } from '../verdict/types.js';

export const REPORT_ORDER: readonly Verdict[] = [
  'close-wait',
  'late-fin-reset',
  'abortive-close',
  'reset-after-close',
  'keepalive-timeout',
  'reset',
  'fin-unacked',
  'slow-close',
  'refused',
  'unanswered',
  'orderly',
  'simultaneous-close',
  'open',
];

/** critical: resources leak; error: a peer saw an error; warning: something died or dropped; notice: slow or unreachable. */
export type Severity = 'critical' | 'error' | 'warning' | 'notice' | 'normal' | 'live';

const SEVERITY: Record<Verdict, Severity> = {
  'close-wait': 'critical',
  'late-fin-reset': 'error',
  'abortive-close': 'error',
  'reset-after-close': 'error',
  'keepalive-timeout': 'warning',
  reset: 'warning',
  'fin-unacked': 'warning',
  'slow-close': 'notice',
  refused: 'notice',
  unanswered: 'notice',
  orderly: 'normal',
  'simultaneous-close': 'normal',
  open: 'live',
};

export function severity(verdict: Verdict): Severity {
  return SEVERITY[verdict];
}

export function isFinding(verdict: Verdict): boolean {
  return FINDINGS.has(verdict);
}

export interface VerdictGroup {
  verdict: Verdict;
  /** Worst first (see compareWorstFirst). */
  records: ConnectionRecord[];
}

/** The listed connections by verdict, in REPORT_ORDER, each group worst first. Empty groups are left out. */
export function groupByVerdict(records: readonly ConnectionRecord[]): VerdictGroup[] {
  const groups = new Map<Verdict, ConnectionRecord[]>();
  for (const r of records) {
    const list = groups.get(r.verdict);
    if (list === undefined) groups.set(r.verdict, [r]);
    else list.push(r);
  }
  const out: VerdictGroup[] = [];
  for (const verdict of REPORT_ORDER) {
    const list = groups.get(verdict);
    if (list !== undefined) out.push({ verdict, records: list.sort(compareWorstFirst) });
  }
  return out;
}

/**
 * Within a verdict: the longest stuck close-wait, the latest FIN first; otherwise capture order (file,
 * then stream), which is also the order Wireshark shows them in.
 */
function compareWorstFirst(a: ConnectionRecord, b: ConnectionRecord): number {
  const key = (r: ConnectionRecord): number => r.stuckSeconds ?? r.delaySeconds ?? 0;
  return key(b) - key(a) || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || a.stream - b.stream;
}
