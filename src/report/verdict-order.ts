/**
 * The order reports list verdicts in and how alarming each is. The order is by what an on-call engineer
 * should look at first (a leak before a refused connection), not the vocabulary's order in types.ts.
 */
import { FINDINGS, type Verdict } from '../verdict/types.js';

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
