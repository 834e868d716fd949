import type { ConnectionSnapshot } from '../track/connection-view.js';
import type { RstEvent } from '../track/evidence.js';
import { TcpState } from '../track/tcp-state.js';
import type { Case } from './case.js';
import { setEvidence, type Judgement } from './judgement.js';
import { looksForged, middleboxSignals } from './middlebox.js';

const SYN = 0x002;
const FIN = 0x001;
const ACK = 0x010;

/**
 * The first RST that counts: one the receiver acts on (RFC 9293 3.10.7), or one its claimed sender
 * really sent (its own identity and next sequence number) even if the receiver then drops it. A RST
 * that is neither was dropped and probably forged.
 */
export function decisiveReset(conn: ConnectionSnapshot, resets: readonly RstEvent[]): RstEvent | null {
  for (const r of resets) {
    if (r.acceptable || (r.atSenderNextSeq && !looksForged(middleboxSignals(r, conn.ends[r.from])))) return r;
  }
  return null;
}

/** The RSTs of the connection's latest incarnation (a same-ISN SYN after a RST starts one). */
export function currentResets(conn: ConnectionSnapshot): RstEvent[] {
  const all = conn.resets;
  const from = conn.reopenFrame;
  return from === 0 ? all : all.filter((r) => r.frame > from);
}

/** A FIN was sent (seen or inferred), or a FIN flag rode on a RST. */
export function anyFin(conn: ConnectionSnapshot): boolean {
  return conn.finSegments > 0 || conn.ends[0].finSeen || conn.ends[1].finSeen;
}

/** A RST fills the judgement's reset, endpoint (its sender) and evidence; rules refine from there. */
function startReset(out: Judgement, rst: RstEvent): void {
  out.reset = rst;
  out.endpoint = rst.from;
  setEvidence(out, rst.frame);
}

/** refused: the server answered the client's SYN with a RST (nothing listens there, or a firewall rejects). */
export function refusedByReset(c: Case, out: Judgement): boolean {
  const rst = c.decisive;
  if (rst === null || rst.from !== c.serverDir || c.conn.synFrom !== c.clientDir || rst.senderSentSynAck) return false;
  if ((rst.triggerFlags & (SYN | ACK)) !== SYN) return false;
  startReset(out, rst);
  out.verdict = 'refused';
  setEvidence(out, c.client.synFrame, rst.frame);
  return true;
}

/** reset, middlebox-suspected: the RST that ended it does not look like its claimed sender's own packets. */
export function forgedReset(c: Case, out: Judgement): boolean {
  const rst = c.decisive;
  if (rst === null) return false;
  const signals = middleboxSignals(rst, c.conn.ends[rst.from]);
  if (!looksForged(signals)) return false;
  startReset(out, rst);
  out.verdict = 'reset';
  out.cause = 'middlebox-suspected';
  out.middlebox = signals;
  return true;
}

/** keepalive-timeout: Linux gives up after tcp_keepalive_probes unanswered probes with an active RST. */
export function keepaliveTimeout(c: Case, out: Judgement): boolean {
  const rst = c.decisive;
  if (rst === null || rst.unansweredKeepalives === 0 || rst.shape !== 'active' || rst.afterOwnFin) return false;
  startReset(out, rst);
  out.verdict = 'keepalive-timeout';
  setEvidence(out, rst.firstUnansweredKeepaliveFrame, rst.frame);
  return true;
}

/**
 * late-fin-reset: the RST's sender had closed and its FIN was ACKed; the peer's bare FIN came so late
 * that the sender had forgotten the connection (an orphaned FIN_WAIT_2 expires after
 * tcp_fin_timeout) and answered it with a passive RST. The verdict is about the late closer.
 */
export function lateFinReset(c: Case, out: Judgement): boolean {
  const rst = c.decisive;
  if (rst === null || !rst.afterOwnFin || !rst.peerFinAfterOwnFinAcked || rst.shape !== 'passive') return false;
  // A FIN that carried data is data arriving after a full close: reset-after-close, not a late FIN.
  if ((rst.triggerFlags & FIN) === 0 || rst.triggerPayload > 0) return false;
  const sender = c.conn.ends[rst.from];
  const late = c.conn.ends[rst.from ^ 1];
  startReset(out, rst);
  out.verdict = 'late-fin-reset';
  out.endpoint = rst.from ^ 1;
  out.delaySeconds = Math.max(0, late.finTime - sender.finTime);
  setEvidence(out, sender.finFrame || sender.finProofFrame, sender.finAckFrame, late.finFrame, rst.frame);
  return true;
}

/**
 * reset-after-close, first the plain case: the RST's sender had fully closed (its FIN sent) and reset
 * data from the peer that it never acknowledged, with or without a FIN riding along or following it
 * (the keep-alive race), whatever the RST's own shape.
 */
export function resetOfUnackedData(c: Case, out: Judgement): boolean {
  const rst = c.decisive;
  if (rst === null || !rst.afterOwnFin || !rst.peerDataUnacked) return false;
  return decideResetAfterClose(c, out, rst);
}

/** reset-after-close, once late-fin-reset is ruled out: the peer sent data after the sender's FIN. */
export function resetAfterClose(c: Case, out: Judgement): boolean {
  const rst = c.decisive;
  if (rst === null || !rst.afterOwnFin || !(rst.peerDataAfterOwnFin || rst.peerDataUnacked)) return false;
  return decideResetAfterClose(c, out, rst);
}

/**
 * reset-after-close, what answered is not in the capture: a passive RST (the answer to a segment that
 * found no socket, or an orphaned one) from a side that had sent its FIN, while the peer had not closed
 * and nothing it sent after that FIN was captured. A peer that has not closed sends data; the capture
 * lost it (the RST's own sequence number is that segment's acknowledgment).
 */
export function resetOfUnseenData(c: Case, out: Judgement): boolean {
  const rst = c.decisive;
  if (rst === null || !rst.afterOwnFin || rst.shape !== 'passive' || rst.peerDataAfterOwnFin) return false;
  const peer = c.conn.ends[rst.from ^ 1];
  if (peer.finSeen || peer.sentRst) return false;
  decideResetAfterClose(c, out, rst);
  out.inferred.push({ kind: 'data', from: rst.from ^ 1, proofFrame: rst.frame });
  out.confidence = 'likely';
  return true;
}

function decideResetAfterClose(c: Case, out: Judgement, rst: RstEvent): boolean {
  const sender = c.conn.ends[rst.from];
  startReset(out, rst);
  out.verdict = 'reset-after-close';
  setEvidence(out, sender.finFrame || sender.finProofFrame, rst.triggerFrame, rst.frame);
  return true;
}

/**
 * abortive-close: an active RST from a live socket that had not sent its FIN: close() with
 * SO_LINGER {on, 0} (certain when it never received data, likely when it sent after the last data it
 * received), or close() with received data unread (RFC 2525), which the capture cannot tell apart.
 */
export function abortiveClose(c: Case, out: Judgement): boolean {
  const rst = c.decisive;
  if (rst === null || rst.afterOwnFin || rst.shape !== 'active') return false;
  startReset(out, rst);
  out.verdict = 'abortive-close';
  out.fromState = rst.senderState === TcpState.CloseWait ? 'CLOSE_WAIT' : 'ESTABLISHED';
  out.bytesDiscarded = rst.unackedBytes >= 0 ? rst.unackedBytes : null;
  if (!rst.receivedPayload) {
    out.cause = 'linger-zero';
    out.confidence = 'certain';
  } else if (rst.sentAfterLastReceived) {
    out.cause = 'linger-zero';
    out.confidence = 'likely';
  } else {
    out.cause = 'linger-zero-or-unread-data';
  }
  if (out.fromState === 'CLOSE_WAIT') {
    const peer = c.conn.ends[rst.from ^ 1];
    setEvidence(out, peer.finFrame || peer.finProofFrame, c.conn.ends[rst.from].ackedPeerFinFrame, rst.frame);
  }
  return true;
}

/** reset, no-socket: a passive RST, the shape a host sends for a segment that matches no socket. */
export function noSocketReset(c: Case, out: Judgement): boolean {
  const rst = c.decisive;
  if (rst === null || rst.shape !== 'passive') return false;
  startReset(out, rst);
  out.verdict = 'reset';
  out.cause = 'no-socket';
  return true;
}

/** reset, unknown: an active RST outside every pattern above (e.g. an abort after shutdown()). */
export function unknownReset(c: Case, out: Judgement): boolean {
  const rst = c.decisive;
  if (rst === null) return false;
  startReset(out, rst);
  out.verdict = 'reset';
  out.cause = 'unknown';
  return true;
}

/** reset, middlebox-suspected: only RSTs the receiver had to ignore, and no close at all: they look forged. */
export function ignoredResets(c: Case, out: Judgement): boolean {
  if (c.resets.length === 0 || anyFin(c.conn)) return false;
  const dropped = c.resets[0];
  startReset(out, dropped);
  out.verdict = 'reset';
  out.cause = 'middlebox-suspected';
  out.middlebox = middleboxSignals(dropped, c.conn.ends[dropped.from]);
  return true;
}
