import type { ConnectionSnapshot } from '../track/connection-view.js';
import type { Case, VerdictRule } from './case.js';
import { closeWait, closerFinUnacked, finUnacked, noClose, oneSided, orderly, simultaneousClose, slowClose, unansweredSyn } from './close-rules.js';
import { clearJudgement, newJudgement, type Judgement, type Thresholds } from './judgement.js';
import {
  abortiveClose,
  currentResets,
  decisiveReset,
  forgedReset,
  ignoredResets,
  keepaliveTimeout,
  lateFinReset,
  noSocketReset,
  refusedByReset,
  resetAfterClose,
  resetOfUnseenData,
  resetOfUnackedData,
  unknownReset,
} from './reset-rules.js';

export { DEFAULT_THRESHOLDS, newJudgement, type Judgement, type Thresholds } from './judgement.js';

/**
 * Every verdict rule, in the order they are tried: the first that matches decides. A side never seen
 * is never blamed, so one-sided comes first; then the RST that ended the connection, because it ends
 * it whatever came before; then the SYN; then the FIN exchange, from the worst ending to the normal one.
 */
export const VERDICT_RULES: readonly { readonly name: string; readonly rule: VerdictRule }[] = [
  { name: 'one-sided', rule: oneSided },
  { name: 'refused (RST)', rule: refusedByReset },
  { name: 'reset: middlebox-suspected (forged RST)', rule: forgedReset },
  { name: 'keepalive-timeout', rule: keepaliveTimeout },
  { name: 'reset-after-close (data it never ACKed)', rule: resetOfUnackedData },
  { name: 'late-fin-reset', rule: lateFinReset },
  { name: 'reset-after-close', rule: resetAfterClose },
  { name: 'reset-after-close (its trigger not captured)', rule: resetOfUnseenData },
  { name: 'abortive-close', rule: abortiveClose },
  { name: 'reset: no-socket', rule: noSocketReset },
  { name: 'reset: unknown', rule: unknownReset },
  { name: 'reset: middlebox-suspected (ignored RSTs only)', rule: ignoredResets },
  { name: 'refused (ICMP) or unanswered', rule: unansweredSyn },
  { name: 'open', rule: noClose },
  { name: 'close-wait (or open, closing)', rule: closeWait },
  { name: 'fin-unacked (first closer)', rule: closerFinUnacked },
  { name: 'simultaneous-close', rule: simultaneousClose },
  { name: 'fin-unacked', rule: finUnacked },
  { name: 'slow-close', rule: slowClose },
  { name: 'orderly', rule: orderly },
];

/** How the capture as a whole looks, for rules that need it (see Case). */
export interface CaptureView {
  oneWay: boolean;
}

const NOT_ONE_WAY: CaptureView = { oneWay: false };

/**
 * Gives a connection its one verdict, in `result` (cleared first; by default a new one). `horizon` is
 * the capture instant up to which the connection was observed (the end of the capture, or the moment
 * its 4-tuple was reused). `scratch` is the Case the rules see, reused by a caller that judges many
 * connections: it refers to the connection's store, so it must not outlive the analysis (a module-wide
 * one kept the last capture's whole store alive while its report was built).
 */
export function judge(
  conn: ConnectionSnapshot,
  clientDir: number,
  horizon: { seconds: number; nanos: number },
  thresholds: Thresholds,
  result: Judgement = newJudgement(),
  capture: CaptureView = NOT_ONE_WAY,
  scratch: Case = {} as Case,
): Judgement {
  clearJudgement(result);
  const c = caseOf(conn, clientDir, horizon, thresholds, capture.oneWay, scratch);
  for (const { rule } of VERDICT_RULES) if (rule(c, result)) break;
  noteInferred(c, result);
  return result;
}

/** What every rule sees of a connection (see Case), filled into `into` (by default a new one). */
export function caseOf(
  conn: ConnectionSnapshot,
  clientDir: number,
  horizon: { seconds: number; nanos: number },
  thresholds: Thresholds,
  oneWayCapture: boolean,
  into: Case = {} as Case,
): Case {
  into.conn = conn;
  into.clientDir = clientDir;
  into.serverDir = clientDir ^ 1;
  into.client = conn.ends[clientDir];
  into.server = conn.ends[clientDir ^ 1];
  into.horizon = conn.relative(horizon);
  into.thresholds = thresholds;
  into.oneWayCapture = oneWayCapture;
  into.resets = currentResets(conn);
  into.decisive = decisiveReset(conn, into.resets);
  return into;
}

/** A verdict that rests on a FIN the capture missed says so: the item, and a lower confidence. */
function noteInferred(c: Case, out: Judgement): void {
  if (out.verdict === 'one-sided' || out.verdict === 'unanswered' || out.verdict === 'refused') return;
  for (const dir of [0, 1]) {
    const end = c.conn.ends[dir];
    if (end.finInferred) out.inferred.push({ kind: 'fin', from: dir, proofFrame: end.finProofFrame });
  }
  if (out.inferred.length === 0) return;
  if (out.confidence === null || out.confidence === 'certain') out.confidence = 'likely';
}
