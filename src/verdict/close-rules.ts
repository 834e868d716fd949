import type { ConnectionSnapshot } from '../track/connection-view.js';
import type { IcmpEvent } from '../track/evidence.js';
import { TcpState } from '../track/tcp-state.js';
import type { Case } from './case.js';
import { isRefusal } from './icmp-errors.js';
import { setEvidence, type Judgement, type Thresholds } from './judgement.js';
import { anyFin } from './reset-rules.js';
import type { Confidence } from './types.js';

/**
 * one-sided: the capture holds the packets of one endpoint only, and proof that the other one exists
 * (the seen side ACKs it, or the whole capture is one-directional: a SPAN port mirroring one way).
 * How the unseen side behaved cannot be told, so it is never blamed.
 */
export function oneSided(c: Case, out: Judgement): boolean {
  const [a, b] = c.conn.ends;
  if (a.packets > 0 && b.packets > 0) return false;
  const seen = a.packets > 0 ? 0 : 1;
  // A lone SYN in a capture that saw other connections both ways: nobody answered it (unanswered).
  if (!c.conn.ends[seen].sentAck && !c.oneWayCapture) return false;
  out.verdict = 'one-sided';
  out.unseen = seen ^ 1;
  const end = c.conn.ends[seen];
  setEvidence(out, end.synFrame, end.lastFrame);
  return true;
}

/**
 * refused (by ICMP port unreachable or administratively prohibited) or unanswered: the client's SYN
 * got nothing back from the server. An unanswered SYN blames no one seen: it may have been dropped
 * anywhere on the way.
 */
export function unansweredSyn(c: Case, out: Judgement): boolean {
  if (anyFin(c.conn) || c.conn.synFrom !== c.clientDir || c.server.packets > 0) return false;
  const icmp = synError(c.conn, c.clientDir);
  out.icmp = icmp;
  out.verdict = icmp !== null && isRefusal(icmp) ? 'refused' : 'unanswered';
  out.endpoint = out.verdict === 'refused' ? c.serverDir : -1;
  setEvidence(out, c.client.synFrame, icmp === null ? 0 : icmp.frame);
  return true;
}

/** open: no FIN or RST at all: still open when the capture ended. */
export function noClose(c: Case, out: Judgement): boolean {
  if (anyFin(c.conn)) return false;
  out.verdict = 'open';
  return true;
}

/**
 * close-wait: the first closer's FIN was ACKed and the other side is still in CLOSE_WAIT at the end
 * of the capture: its application never called close(). A CLOSE_WAIT younger than the slow-close
 * threshold is a close in progress, not a leak: listed as open, closing at capture end.
 */
export function closeWait(c: Case, out: Judgement): boolean {
  const closerDir = firstToFin(c.conn);
  const waiting = c.conn.ends[closerDir ^ 1];
  if (waiting.state !== TcpState.CloseWait) return false;
  const closer = c.conn.ends[closerDir];
  const stuck = Math.max(0, c.horizon - waiting.ackedPeerFinTime);
  out.endpoint = closerDir ^ 1;
  out.since = c.conn.instant(waiting.ackedPeerFinTime);
  out.stuckSeconds = stuck;
  out.activity = waiting.payloadAfterAckingPeerFin > 0 ? 'sending' : 'idle';
  setEvidence(out, closer.finFrame || closer.finProofFrame, waiting.ackedPeerFinFrame, waiting.lastPayloadAfterAckingPeerFinFrame);
  if (stuck < c.thresholds.slowCloseSeconds) {
    out.verdict = 'open';
    out.closing = true;
  } else {
    out.verdict = 'close-wait';
  }
  return true;
}

/** fin-unacked (the first closer's): its FIN was never ACKed and the peer sent none of its own. */
export function closerFinUnacked(c: Case, out: Judgement): boolean {
  const closerDir = firstToFin(c.conn);
  const closer = c.conn.ends[closerDir];
  if (c.conn.ends[closerDir ^ 1].finSeen || closer.finAcked) return false;
  out.verdict = 'fin-unacked';
  out.endpoint = closerDir;
  out.confidence = unackedConfidence(closer.finCopies, c.horizon - closer.finTime, c.thresholds, closer.finInferred);
  finFrames(c.conn, closerDir, out);
  return true;
}

/** simultaneous-close: the second FIN did not acknowledge the first: they crossed in flight. */
export function simultaneousClose(c: Case, out: Judgement): boolean {
  if (!c.conn.finsCrossed || !c.conn.ends[0].finSeen || !c.conn.ends[1].finSeen) return false;
  const closerDir = firstToFin(c.conn);
  const closer = c.conn.ends[closerDir];
  const peer = c.conn.ends[closerDir ^ 1];
  out.verdict = 'simultaneous-close';
  setEvidence(out, closer.finFrame || closer.finProofFrame, peer.finFrame || peer.finProofFrame);
  return true;
}

/**
 * fin-unacked (either side's, after both FINs): a FIN the peer never ACKed, retransmitted or old enough
 * at the end of the capture; one sent just before the capture stopped may only have had its ACK cut off.
 */
export function finUnacked(c: Case, out: Judgement): boolean {
  const closerDir = firstToFin(c.conn);
  for (const dir of [closerDir ^ 1, closerDir]) {
    const end = c.conn.ends[dir];
    if (!end.finSeen || end.finAcked) continue;
    const confidence = unackedConfidence(end.finCopies, c.horizon - end.finTime, c.thresholds, end.finInferred);
    if (confidence === 'possible') continue;
    out.verdict = 'fin-unacked';
    out.endpoint = dir;
    out.confidence = confidence;
    finFrames(c.conn, dir, out);
    return true;
  }
  return false;
}

/**
 * slow-close: the second closer went quiet after ACKing the first FIN (and after its own last data)
 * and sent its FIN `delay` later. A side that kept sending until shortly before its FIN is finishing a
 * half-close: orderly.
 */
export function slowClose(c: Case, out: Judgement): boolean {
  const closerDir = firstToFin(c.conn);
  const closer = c.conn.ends[closerDir];
  const peer = c.conn.ends[closerDir ^ 1];
  if (!peer.ackedPeerFin || !peer.finSeen) return false;
  const quietSince = Math.max(peer.ackedPeerFinTime, peer.lastPayloadAfterAckingPeerFinTime);
  const delay = peer.finTime - quietSince;
  if (delay < c.thresholds.slowCloseSeconds) return false;
  out.verdict = 'slow-close';
  out.endpoint = closerDir ^ 1;
  out.delaySeconds = delay;
  setEvidence(out, closer.finFrame || closer.finProofFrame, peer.ackedPeerFinFrame, peer.finFrame || peer.finProofFrame, peer.lastPayloadAfterAckingPeerFinFrame);
  return true;
}

/** orderly: both FINs sent and ACKed; the first closer holds TIME_WAIT. */
export function orderly(c: Case, out: Judgement): boolean {
  const closerDir = firstToFin(c.conn);
  const closer = c.conn.ends[closerDir];
  const peer = c.conn.ends[closerDir ^ 1];
  out.verdict = 'orderly';
  out.endpoint = closerDir;
  out.halfClose = peer.payloadAfterPeerFin > 0;
  setEvidence(out, closer.finFrame || closer.finProofFrame, peer.finFrame || peer.finProofFrame);
  return true;
}

/** The ICMP error that answered the client's SYN, if any. */
function synError(conn: ConnectionSnapshot, clientDir: number): IcmpEvent | null {
  for (const e of conn.icmp) if (e.about === clientDir && (e.quotedFlags & 0x012) === 0x002) return e;
  return null;
}

/** Direction of the side that sent the first FIN (seen or inferred; else the first FIN flag on a RST). */
export function firstToFin(conn: ConnectionSnapshot): number {
  const [a, b] = conn.ends;
  if (a.finSeen && b.finSeen) {
    // By time, not capture order (a multi-queue capture is not in time order). An inferred FIN was sent
    // before what proves it (often the other side's FIN, which ACKs it): it goes first on a tie.
    if (a.finTime !== b.finTime) return a.finTime < b.finTime ? 0 : 1;
    if (a.finInferred !== b.finInferred) return a.finInferred ? 0 : 1;
    return a.finFrame <= b.finFrame ? 0 : 1;
  }
  if (a.finSeen) return 0;
  if (b.finSeen) return 1;
  const fins = conn.fins;
  return fins.length > 0 ? fins[0].from : 0;
}

function unackedConfidence(copies: number, age: number, thresholds: Thresholds, inferred: boolean): Confidence {
  if (inferred) return 'possible';
  if (copies > 0) return 'certain';
  return age >= thresholds.finAckTimeoutSeconds ? 'likely' : 'possible';
}

function finFrames(conn: ConnectionSnapshot, dir: number, out: Judgement): void {
  out.evidence.length = 0;
  for (const f of conn.fins) if (f.from === dir) out.evidence.push(f.frame);
  const end = conn.ends[dir];
  if (out.evidence.length === 0 && end.finProofFrame > 0) out.evidence.push(end.finProofFrame);
}
