import type { Instant } from '../track/connection-view.js';
import type { IcmpEvent, RstEvent } from '../track/evidence.js';
import type { MiddleboxSignals } from './middlebox.js';
import type { Activity, Cause, Confidence, FromState, Verdict } from './types.js';

export interface Thresholds {
  /** A FIN this many seconds or more after ACKing the peer's FIN (and its last data) is a slow close (`--slow-close`). */
  slowCloseSeconds: number;
  /** An un-ACKed FIN older than this at the end of the observation is reported even without retransmissions. */
  finAckTimeoutSeconds: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = { slowCloseSeconds: 1, finAckTimeoutSeconds: 1 };

/** An event the verdict rests on that the capture did not hold, and the frame that proves it happened. */
export interface InferredEvent {
  /** A FIN, or data that a RST answered. */
  kind: 'fin' | 'data';
  /** Flow direction of the endpoint that sent it. */
  from: number;
  proofFrame: number;
}

/** The verdict in flow directions (0 = endpoint A, 1 = B); record.ts maps it to client/server. */
export interface Judgement {
  verdict: Verdict;
  /** Flow direction of the endpoint the verdict is about, or -1. */
  endpoint: number;
  cause: Cause | null;
  confidence: Confidence | null;
  /** close-wait: when the endpoint ACKed the peer's FIN. */
  since: Instant | null;
  stuckSeconds: number | null;
  delaySeconds: number | null;
  activity: Activity | null;
  fromState: FromState | null;
  bytesDiscarded: number | null;
  halfClose: boolean | null;
  /** open: the endpoint entered CLOSE_WAIT too recently to call it stuck (it was closing as the capture ended). */
  closing: boolean;
  /** one-sided: flow direction of the endpoint whose packets the capture never saw. */
  unseen: number;
  /** Frames that prove the verdict, in order. */
  evidence: number[];
  /** Events the verdict rests on that the capture missed (inferred). */
  inferred: InferredEvent[];
  /** The RST the verdict rests on, if any. */
  reset: RstEvent | null;
  /** Why a RST looks forged (middlebox-suspected only). */
  middlebox: MiddleboxSignals | null;
  /** The ICMP error that answered the SYN (refused or unanswered). */
  icmp: IcmpEvent | null;
}

/** A Judgement to fill with judge() (one can be reused for connection after connection). */
export function newJudgement(): Judgement {
  const j = {} as Judgement;
  j.evidence = [];
  j.inferred = [];
  clearJudgement(j);
  return j;
}

/** Resets every field (keeping the arrays, emptied). */
export function clearJudgement(j: Judgement): void {
  j.verdict = 'open';
  j.endpoint = -1;
  j.cause = null;
  j.confidence = null;
  j.since = null;
  j.stuckSeconds = null;
  j.delaySeconds = null;
  j.activity = null;
  j.fromState = null;
  j.bytesDiscarded = null;
  j.halfClose = null;
  j.closing = false;
  j.unseen = -1;
  j.evidence.length = 0;
  j.inferred.length = 0;
  j.reset = null;
  j.middlebox = null;
  j.icmp = null;
}

/** Sets the evidence frames (0 = a frame the capture did not hold, left out; each frame once). */
export function setEvidence(j: Judgement, a: number, b = 0, c = 0, d = 0): void {
  const out = j.evidence;
  out.length = 0;
  add(out, a);
  add(out, b);
  add(out, c);
  add(out, d);
}

/** A frame once (an inferred FIN's proof can be the frame that also ACKs the peer's). */
function add(out: number[], frame: number): void {
  if (frame > 0 && !out.includes(frame)) out.push(frame);
}
