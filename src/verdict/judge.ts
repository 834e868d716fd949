import type { ConnectionSnapshot } from '../track/connection-view.js';
import type { IcmpEvent, RstEvent } from '../track/evidence.js';
import { isRefusal } from './icmp-errors.js';
import { TcpState } from '../track/tcp-state.js';
import { looksForged, middleboxSignals, type MiddleboxSignals } from './middlebox.js';
import type { Activity, Cause, Confidence, FromState, Verdict } from './types.js';

export interface Thresholds {
  /** A FIN this many seconds or more after ACKing the peer's FIN is a slow close (`--slow-close`). */
  slowCloseSeconds: number;
  /** An un-ACKed FIN older than this at the end of the observation is reported even without retransmissions. */
  finAckTimeoutSeconds: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = { slowCloseSeconds: 1, finAckTimeoutSeconds: 1 };

/** The verdict in flow directions (0 = endpoint A, 1 = B); record.ts maps it to client/server. */
export interface Judgement {
  verdict: Verdict;
  /** Flow direction of the endpoint the verdict is about, or -1. */
  endpoint: number;
  cause: Cause | null;
  confidence: Confidence | null;
  /** close-wait: when the endpoint ACKed the peer's FIN. */
  since: { seconds: number; nanos: number } | null;
  stuckSeconds: number | null;
  delaySeconds: number | null;
  activity: Activity | null;
  fromState: FromState | null;
  bytesDiscarded: number | null;
  halfClose: boolean | null;
  /** Frames that prove the verdict, in order. */
  evidence: number[];
  /** The RST the verdict rests on, if any. */
  reset: RstEvent | null;
  /** Why a RST looks forged (middlebox-suspected only). */
  middlebox: MiddleboxSignals | null;
  /** The ICMP error that answered the SYN (refused or unanswered). */
  icmp: IcmpEvent | null;
}

/** A Judgement to fill with judge() (one can be reused for connection after connection). */
export function newJudgement(): Judgement {
  return {
    verdict: 'open',
    endpoint: -1,
    cause: null,
    confidence: null,
    since: null,
    stuckSeconds: null,
    delaySeconds: null,
    activity: null,
    fromState: null,
    bytesDiscarded: null,
    halfClose: null,
    evidence: [],
    reset: null,
    middlebox: null,
    icmp: null,
  };
}

/**
 * Gives a connection its one verdict, in `result` (reset first; by default a new one). `horizon` is the
 * capture time up to which the connection was observed (the end of the capture, or the moment its
 * 4-tuple was reused). RSTs are looked at first because the first RST ends the connection whatever
 * came before; then the FIN exchange.
 */
export function judge(
  conn: ConnectionSnapshot,
  clientDir: number,
  horizon: { seconds: number; nanos: number },
  thresholds: Thresholds,
  result: Judgement = newJudgement(),
): Judgement {
  const serverDir = clientDir ^ 1;
  result.verdict = 'open';
  result.endpoint = -1;
  result.cause = null;
  result.confidence = null;
  result.since = null;
  result.stuckSeconds = null;
  result.delaySeconds = null;
  result.activity = null;
  result.fromState = null;
  result.bytesDiscarded = null;
  result.halfClose = null;
  result.evidence.length = 0;
  result.reset = null;
  result.middlebox = null;
  result.icmp = null;
  const client = conn.ends[clientDir];
  const server = conn.ends[serverDir];
  const horizonTime = horizon.seconds + horizon.nanos * 1e-9;
  // The connection ends at the first RST that counts: one the receiver acts on (RFC 9293 3.10.7), or one
  // its claimed sender really sent (its own identity and next sequence number) even if the receiver
  // then drops it. A RST that is neither was dropped and probably forged.
  const rst = decisiveReset(conn);
  if (rst !== null) {
    result.reset = rst;
    judgeReset(conn, rst, clientDir, result);
    return result;
  }
  const dropped = conn.resets.length > 0 ? conn.resets[0] : null;
  if (dropped !== null && conn.finSegments === 0) {
    // Only RSTs the receiver had to ignore, and no close: they look forged.
    result.reset = dropped;
    result.verdict = 'reset';
    result.cause = 'middlebox-suspected';
    result.endpoint = dropped.from;
    evidence(result, dropped.frame);
    result.middlebox = middleboxSignals(dropped, conn.ends[dropped.from]);
    return result;
  }

  if (conn.finSegments === 0) {
    if (conn.synFrom === clientDir && server.packets === 0) {
      // The SYN got an ICMP error instead: a refusal (port unreachable, prohibited) or a dead end.
      const icmp = synError(conn, clientDir);
      result.icmp = icmp;
      result.verdict = icmp !== null && isRefusal(icmp) ? 'refused' : 'unanswered';
      // Refused blames the server (it, or a firewall for it, said no); an unanswered SYN blames no one
      // seen: nothing came back, the SYN may have been dropped anywhere on the way.
      result.endpoint = result.verdict === 'refused' ? serverDir : -1;
      if (icmp === null) evidence(result, client.synFrame);
      else evidence(result, client.synFrame, icmp.frame);
      return result;
    }
    result.verdict = 'open';
    return result;
  }

  const closerDir = firstToFin(conn);
  const closer = conn.ends[closerDir];
  const peer = conn.ends[closerDir ^ 1];

  if (!peer.finSeen) {
    if (peer.ackedPeerFin) {
      // The peer's stack ACKed the FIN, its application never called close(): CLOSE_WAIT.
      result.verdict = 'close-wait';
      result.endpoint = closerDir ^ 1;
      result.since = { seconds: peer.ackedPeerFinSeconds, nanos: peer.ackedPeerFinNanos };
      result.stuckSeconds = Math.max(0, horizonTime - peer.ackedPeerFinTime);
      result.activity = peer.payloadAfterAckingPeerFin > 0 ? 'sending' : 'idle';
      evidence(result, closer.finFrame, peer.ackedPeerFinFrame);
      if (peer.lastPayloadAfterAckingPeerFinFrame > 0) result.evidence.push(peer.lastPayloadAfterAckingPeerFinFrame);
      return result;
    }
    result.verdict = 'fin-unacked';
    result.endpoint = closerDir;
    result.confidence = unackedConfidence(closer.finCopies, horizonTime - closer.finTime, thresholds);
    finFrames(conn, closerDir, result.evidence);
    return result;
  }

  if (conn.finsCrossed) {
    result.verdict = 'simultaneous-close';
    evidence(result, closer.finFrame, peer.finFrame);
    return result;
  }

  for (let n = 0; n < 2; n++) {
    const dir = n === 0 ? closerDir ^ 1 : closerDir;
    const end = conn.ends[dir];
    if (end.finAcked) continue;
    const confidence = unackedConfidence(end.finCopies, horizonTime - end.finTime, thresholds);
    // A FIN sent just before the capture stopped may simply have had its ACK cut off.
    if (confidence === 'possible') continue;
    result.verdict = 'fin-unacked';
    result.endpoint = dir;
    result.confidence = confidence;
    finFrames(conn, dir, result.evidence);
    return result;
  }

  const delay = peer.ackedPeerFin ? peer.finTime - peer.ackedPeerFinTime : 0;
  if (delay >= thresholds.slowCloseSeconds) {
    result.verdict = 'slow-close';
    result.endpoint = closerDir ^ 1;
    // Reported from the exact timestamps: doubles of epoch seconds lose the nanoseconds.
    result.delaySeconds = elapsed(peer.ackedPeerFinSeconds, peer.ackedPeerFinNanos, peer.finSeconds, peer.finNanos);
    evidence(result, closer.finFrame, peer.ackedPeerFinFrame, peer.finFrame);
    return result;
  }

  result.verdict = 'orderly';
  result.endpoint = closerDir;
  result.halfClose = peer.payloadAfterPeerFin > 0;
  evidence(result, closer.finFrame, peer.finFrame);
  return result;
}

function judgeReset(conn: ConnectionSnapshot, rst: RstEvent, clientDir: number, result: Judgement): void {
  const senderDir = rst.from;
  const sender = conn.ends[senderDir];
  const peer = conn.ends[senderDir ^ 1];
  const serverDir = clientDir ^ 1;
  result.endpoint = senderDir;
  evidence(result, rst.frame);

  // A SYN answered by RST: nothing listens on that port (or a firewall rejects).
  if (senderDir === serverDir && conn.synFrom === clientDir && !rst.senderSentSynAck && (rst.triggerFlags & 0x012) === 0x002) {
    result.verdict = 'refused';
    evidence(result, conn.ends[clientDir].synFrame, rst.frame);
    return;
  }
  const signals = middleboxSignals(rst, sender);
  if (looksForged(signals)) {
    result.verdict = 'reset';
    result.cause = 'middlebox-suspected';
    result.middlebox = signals;
    return;
  }
  if (rst.unansweredKeepalives > 0 && rst.shape === 'active' && !rst.afterOwnFin) {
    result.verdict = 'keepalive-timeout';
    evidence(result, rst.firstUnansweredKeepaliveFrame, rst.frame);
    return;
  }
  if (rst.afterOwnFin && rst.peerFinAfterOwnFinAcked && rst.shape === 'passive') {
    // The peer FINed long after ACKing ours; by then this side had forgotten the connection.
    result.verdict = 'late-fin-reset';
    result.endpoint = senderDir ^ 1;
    result.delaySeconds = Math.max(0, elapsed(sender.finSeconds, sender.finNanos, peer.finSeconds, peer.finNanos));
    evidence(result, sender.finFrame, sender.finAckFrame, peer.finFrame, rst.frame);
    return;
  }
  // Data from the peer that reached the sender after it closed (sent after its FIN, or crossing it).
  if (rst.afterOwnFin && (rst.peerDataAfterOwnFin || rst.peerDataUnacked)) {
    result.verdict = 'reset-after-close';
    evidence(result, sender.finFrame, rst.triggerFrame, rst.frame);
    return;
  }
  if (!rst.afterOwnFin && rst.shape === 'active') {
    result.verdict = 'abortive-close';
    result.fromState = rst.senderState === TcpState.CloseWait ? 'CLOSE_WAIT' : 'ESTABLISHED';
    result.bytesDiscarded = rst.unackedBytes >= 0 ? rst.unackedBytes : null;
    if (!rst.receivedPayload) {
      result.cause = 'linger-zero';
      result.confidence = 'certain';
    } else if (rst.sentAfterLastReceived) {
      result.cause = 'linger-zero';
      result.confidence = 'likely';
    } else {
      result.cause = 'linger-zero-or-unread-data';
    }
    if (result.fromState === 'CLOSE_WAIT') evidence(result, peer.finFrame, sender.ackedPeerFinFrame, rst.frame);
    return;
  }
  result.verdict = 'reset';
  result.cause = rst.shape === 'passive' ? 'no-socket' : 'unknown';
}

/** The first RST the receiver acts on, or one its claimed sender really sent even if dropped; null if none. */
function decisiveReset(conn: ConnectionSnapshot): RstEvent | null {
  const resets = conn.resets;
  for (let i = 0; i < resets.length; i++) {
    const r = resets[i];
    if (r.acceptable || (r.atSenderNextSeq && !looksForged(middleboxSignals(r, conn.ends[r.from])))) return r;
  }
  return null;
}

/** The ICMP error that answered the client's SYN, if any. */
function synError(conn: ConnectionSnapshot, clientDir: number): IcmpEvent | null {
  const icmp = conn.icmp;
  for (let i = 0; i < icmp.length; i++) if (icmp[i].about === clientDir && (icmp[i].quotedFlags & 0x012) === 0x002) return icmp[i];
  return null;
}

/** Direction of the side that sent the first FIN (only FIN flags on RSTs: the first such segment). */
function firstToFin(conn: ConnectionSnapshot): number {
  const a = conn.ends[0];
  const b = conn.ends[1];
  if (a.finSeen && b.finSeen) return a.finFrame <= b.finFrame ? 0 : 1;
  if (a.finSeen) return 0;
  if (b.finSeen) return 1;
  return conn.fins[0].from;
}

function elapsed(fromSeconds: number, fromNanos: number, toSeconds: number, toNanos: number): number {
  return toSeconds - fromSeconds + (toNanos - fromNanos) / 1e9;
}

function unackedConfidence(copies: number, age: number, thresholds: Thresholds): Confidence {
  if (copies > 0) return 'certain';
  return age >= thresholds.finAckTimeoutSeconds ? 'likely' : 'possible';
}

function finFrames(conn: ConnectionSnapshot, dir: number, out: number[]): void {
  out.length = 0;
  for (const f of conn.fins) if (f.from === dir) out.push(f.frame);
}

/** Replaces the evidence frames (the array is reused from connection to connection). */
function evidence(result: Judgement, a: number, b?: number, c?: number, d?: number): void {
  const out = result.evidence;
  out.length = 0;
  out.push(a);
  if (b !== undefined) out.push(b);
  if (c !== undefined) out.push(c);
  if (d !== undefined) out.push(d);
}
