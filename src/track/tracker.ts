import { ACK, FIN, RST, SegmentKind, SYN, type TcpSegment } from '../decode/segment.js';
import { CLOSE, CONN, EndpointFact as Fact } from './connection-layout.js';
import { FIN_FIELDS, FinField, type ConnectionStore } from './connection-store.js';
import { RST_AFTER_OWN_FIN, RST_PEER_DATA_AFTER_OWN_FIN, RST_PEER_DATA_UNACKED, RST_PEER_FIN_AFTER_OWN_FIN_ACKED, RST_RECEIVED_PAYLOAD, RstField } from './evidence.js';
import { recordLadder } from './ladder.js';
import type { RecordCursor } from './record-cursor.js';
import { classifyReset } from './reset-shape.js';
import { seqAdd, seqDiff, seqGe, seqGt } from './sequence.js';
import { nextState, TcpEvent, TcpState } from './tcp-state.js';
import { observeZeek } from './zeek-history.js';

const I32 = CONN.i32;
const U16 = CONN.u16;
const U8 = CONN.u8;
const I8 = CONN.i8;
const F64 = CONN.f64;
const C32 = CLOSE.i32;
const CU16 = CLOSE.u16;
const CU8 = CLOSE.u8;
const CF64 = CLOSE.f64;

/** Two identical segments this close together (seconds) are one frame captured twice, not a retransmission. */
const DUPLICATE_WINDOW = 0.001;
const U16_MAX = 0xffff;

/**
 * Everything one segment does to its connection: the endpoints' state (trackSegment), Zeek's view of
 * it and the ladder diagram's record, three calls that each stay small enough for the JIT to optimise
 * well. A frame captured twice is dropped here. Answers whether the connection is now over (reset, or
 * both FINs sent and ACKed: nothing but stray retransmissions can follow).
 */
export function replaySegment(store: ConnectionStore, slot: number, dir: number, seg: TcpSegment): boolean {
  const r = store.trackerCursor.at(store, slot);
  if (trackSegment(store, slot, r, dir, seg) && seg.kind !== SegmentKind.Quoted) {
    if (store.zeekHistory) observeZeek(store, slot, r, dir, seg);
    recordLadder(store, slot, r, dir, seg);
  }
  return isOver(r);
}

/**
 * Replays one segment, sent in flow direction `dir` (the sender; `dir ^ 1` is its peer), against both
 * endpoints of the connection in `slot`, in wire order: RST, SYN, sequence space, ACK, FIN. Each step
 * turns what the segment shows into TcpEvents for the sender or the peer (nextState() makes every
 * transition) and records the facts the verdicts need. The capture point is assumed to be near enough
 * to both ends that what is on the wire was delivered; what the capture missed (a FIN, data) is
 * inferred from the sequence numbers and marked so. Returns false for a duplicate frame (ignored).
 */
export function trackSegment(store: ConnectionStore, slot: number, r: RecordCursor, dir: number, seg: TcpSegment): boolean {
  if (seg.kind === SegmentKind.Quoted) {
    recordIcmp(store, slot, dir, seg);
    return true;
  }
  const { I, H, D, i, h, d } = r;
  const peer = dir ^ 1;
  const flags = seg.flags;
  // A FIN or RST begins the close (and writes CLOSE fields, directly or through the store): its block first.
  if ((flags & (FIN | RST)) !== 0) r.closing();
  if (I[i + I32.packets] === 0) {
    D[d + F64.firstSecond] = seg.seconds;
    I[i + I32.firstNanos] = seg.nanos;
  }
  const time = seg.seconds - D[d + F64.firstSecond] + seg.nanos * 1e-9;
  const digest = segmentDigest(seg, dir);
  // A SPAN port or a capture on two interfaces can record one frame twice, back to back.
  if (I[i + I32.packets] > 0 && digest === I[i + I32.lastDigest] && time - D[d + F64.lastTime] <= DUPLICATE_WINDOW && time >= D[d + F64.lastTime]) {
    trackDuplicate(store, slot, r, dir, seg, time);
    return false;
  }
  I[i + I32.lastDigest] = digest;
  I[i + I32.packets]++;
  if (time >= D[d + F64.lastTime]) D[d + F64.lastTime] = time;
  // Connections seen both ways tell a capture of one direction only (a SPAN port) from silent peers.
  if (I[i + I32.sent + dir]++ === 0) {
    H[h + U16.firstFlags + dir] = flags;
    if (I[i + I32.sent + peer] > 0) store.twoWayConnections++;
  }
  I[i + I32.lastFrame + dir] = seg.frame;
  // Any segment from the peer answers this side's keepalive probes.
  H[h + U16.unansweredKeepalives + peer] = 0;
  if ((H[h + U16.flags + dir] & Fact.SeqKnown) === 0) I[i + I32.firstSeq + dir] = seg.seq;

  if ((flags & RST) !== 0) {
    // A FIN flag on a RST is still a FIN segment on the wire (evidence), though the RST decides the state.
    if ((flags & FIN) !== 0) addFinEvent(store, slot, r, dir, seg, time, seqAdd(seg.seq, seg.payloadLength), (H[h + U16.flags + dir] & Fact.SentFin) !== 0, 0);
    trackReset(store, slot, r, dir, seg, time);
    remember(r, dir, seg);
    return true;
  }
  noteIpIdentity(store, r, dir, seg);
  // Out of order (multi-queue capture): this segment was sent before a RST the peer already sent.
  if ((H[h + U16.flags + peer] & Fact.SentRst) !== 0) retriggerResets(store, r, dir, seg, time);
  if ((flags & SYN) !== 0) trackSyn(r, dir, seg, time);
  advanceSequence(r, dir, seg, time);
  if ((flags & ACK) !== 0) acknowledge(store, slot, r, dir, seg, time);
  if (seg.window >= 0) {
    H[h + U16.window + dir] = seg.window;
    H[h + U16.flags + dir] |= Fact.WindowKnown;
  }
  if ((flags & FIN) !== 0) trackFin(store, slot, r, dir, seg, time);
  apply(r, dir, TcpEvent.SendSegment, time);
  remember(r, dir, seg);
  return true;
}

/**
 * A frame captured twice changes nothing, but its FIN or RST flag is still a FIN or RST segment on the
 * wire as Wireshark lists them: kept as evidence (a copy), counted, never a retransmission.
 */
function trackDuplicate(store: ConnectionStore, slot: number, r: RecordCursor, dir: number, seg: TcpSegment, time: number): void {
  if (r.H[r.h + U16.duplicates + dir] < U16_MAX) r.H[r.h + U16.duplicates + dir]++;
  if ((seg.flags & RST) !== 0) {
    r.CI[r.ci + C32.rstSegments]++;
    classifyReset(store, slot, r, dir, seg, time);
  }
  if ((seg.flags & FIN) !== 0) {
    const finSeq = seqAdd(seg.seq, seg.payloadLength);
    addFinEvent(store, slot, r, dir, seg, time, finSeq, true, 0);
  }
}

/** Over: reset, or both FINs sent and ACKed (nothing but stray retransmissions can follow). */
function isOver(r: RecordCursor): boolean {
  if (r.B[r.b + U8.resetSeen] !== 0) return true;
  return (r.H[r.h + U16.flags] & Fact.FinAcked) !== 0 && (r.H[r.h + U16.flags + 1] & Fact.FinAcked) !== 0;
}

/** Moves endpoint `dir` by `event` (nextState) and notes when it reached the states the socket table needs. */
function apply(r: RecordCursor, dir: number, event: TcpEvent, time: number): void {
  const o = r.b + U8.state + dir;
  const from = r.B[o] as TcpState;
  const to = nextState(from, event);
  if (to === from) return;
  r.B[o] = to;
  if (to === TcpState.Established && from < TcpState.Established) {
    r.D[r.d + dir + F64.establishedTime] = time;
    r.H[r.h + U16.flags + dir] |= Fact.WasEstablished;
    return;
  }
  // Every other transition these notes follow is part of a close: its times go in the close block.
  if (from !== TcpState.Established && from !== TcpState.CloseWait && to !== TcpState.CloseWait && to !== TcpState.TimeWait && to !== TcpState.Closed) return;
  const cd = r.closing().cd + dir;
  const CD = r.CD;
  if (from === TcpState.Established) CD[cd + CF64.establishedEnd] = time;
  else if (from === TcpState.CloseWait) CD[cd + CF64.closeWaitEnd] = time;
  if (to === TcpState.CloseWait) {
    CD[cd + CF64.closeWaitTime] = time;
    r.H[r.h + U16.flags + dir] |= Fact.WasCloseWait;
  } else if (to === TcpState.TimeWait) {
    CD[cd + CF64.timeWaitTime] = time;
    r.H[r.h + U16.flags + dir] |= Fact.WasTimeWait;
  } else if (to === TcpState.Closed) CD[cd + CF64.closedTime] = time;
}

function trackSyn(r: RecordCursor, dir: number, seg: TcpSegment, time: number): void {
  const { I, H, S, B, i, h, b } = r;
  if ((seg.flags & ACK) === 0) {
    // tshark keeps a same-ISN SYN after a RST in the stream (a retried attempt): a new incarnation begins.
    if (B[b + U8.resetSeen] !== 0 && (H[h + U16.flags + dir] & Fact.SentSyn) !== 0 && I[i + I32.isn + dir] === seg.seq) reopen(r, seg.frame);
    if (S[b + I8.synFrom] < 0) S[b + I8.synFrom] = dir;
    apply(r, dir, TcpEvent.SendSyn, time);
    apply(r, dir ^ 1, TcpEvent.ReceiveSyn, time);
  } else {
    if (S[b + I8.synAckFrom] < 0) S[b + I8.synAckFrom] = dir;
    H[h + U16.flags + dir] |= Fact.SentSynAck;
    apply(r, dir, TcpEvent.SendSynAck, time);
  }
  if ((H[h + U16.flags + dir] & Fact.SentSyn) === 0) {
    H[h + U16.flags + dir] |= Fact.SentSyn;
    I[i + I32.isn + dir] = seg.seq;
    I[i + I32.synFrame + dir] = seg.frame;
    if (seg.windowScale >= 0) S[b + I8.windowScale + dir] = seg.windowScale;
  }
}

/**
 * A connection reset, then retried with the same ISN: what came before stays as evidence (its RSTs
 * and FINs in the event lists), the endpoints start over so the verdict is about how it finally ended.
 */
function reopen(r: RecordCursor, frame: number): void {
  r.closing();
  const { I, H, B, i, h, b } = r;
  I[i + I32.reopenFrame] = frame;
  B[b + U8.resetSeen] = 0;
  r.CB[r.cb + CU8.finsCrossed] = 0;
  for (let dir = 0; dir < 2; dir++) {
    B[b + U8.state + dir] = TcpState.Unknown;
    H[h + U16.flags + dir] &= Fact.SentSyn | Fact.SeqKnown | Fact.AckKnown;
    r.CI[r.ci + C32.finFrame + dir] = 0;
    r.CI[r.ci + C32.finAckFrame + dir] = 0;
    r.CI[r.ci + C32.ackedPeerFinFrame + dir] = 0;
  }
}

/** Sequence space and payload accounting, keepalive probes, and what the capture missed of this side. */
function advanceSequence(r: RecordCursor, dir: number, seg: TcpSegment, time: number): void {
  const { I, H, i, h } = r;
  const flags = seg.flags;
  const length = seg.payloadLength;
  const end = seqAdd(seg.seq, length + ((flags & SYN) !== 0 ? 1 : 0) + ((flags & FIN) !== 0 ? 1 : 0));
  const facts = H[h + U16.flags + dir];
  if ((facts & Fact.SeqKnown) === 0) {
    H[h + U16.flags + dir] = facts | Fact.SeqKnown;
    I[i + I32.nextSeq + dir] = end;
    if (length > 0) countPayload(r, dir, seg, time, length);
    return;
  }
  const next = I[i + I32.nextSeq + dir];
  // RFC 9293 3.8.4 / Linux tcp_write_wakeup: a keepalive probe re-sends SND.NXT-1 with 0 or 1 byte.
  if (length <= 1 && (flags & (SYN | FIN)) === 0 && seqAdd(seg.seq, 1) === next) {
    if (H[h + U16.unansweredKeepalives + dir]++ === 0) I[i + I32.firstUnansweredKeepaliveFrame + dir] = seg.frame;
    return;
  }
  // Anything else the sender transmits ends a run of probes.
  H[h + U16.unansweredKeepalives + dir] = 0;
  // Data sent on top of a FIN we only inferred: that sequence number was data, not a FIN.
  if ((facts & Fact.FinInferred) !== 0 && length > 0 && seqGt(seqAdd(seg.seq, length), r.closed().CI[r.ci + C32.finSeq + dir])) retractFin(r, dir);
  if (seqGt(seg.seq, next)) {
    // Its segment starts beyond everything seen from it: the capture missed something it sent. One
    // past, with nothing in it, after which it never sends data: the sequence number of its FIN.
    if (seg.seq === seqAdd(next, 1) && length === 0 && (flags & (SYN | FIN)) === 0 && (facts & Fact.SentFin) === 0) {
      inferFin(r, dir, next, seg.frame, time, crossesPeerFin(r, dir, seg, next));
    }
    else if (H[h + U16.gaps + dir] < U16_MAX) H[h + U16.gaps + dir]++;
  }
  if (!seqGt(end, I[i + I32.nextSeq + dir])) {
    if (length > 0) countPayload(r, dir, seg, time, fillUnseen(r, dir, length));
    return;
  }
  const before = I[i + I32.nextSeq + dir];
  I[i + I32.nextSeq + dir] = end;
  if (length > 0) countPayload(r, dir, seg, time, Math.min(length, seqDiff(end, before)));
}

/**
 * A segment below the sender's next sequence number: a retransmission, or data the peer had ACKed
 * before the capture showed it (captures out of order): new bytes up to what was skipped unseen.
 */
function fillUnseen(r: RecordCursor, dir: number, length: number): number {
  const o = r.d + F64.unseenBytes + dir;
  const unseen = r.D[o];
  if (unseen <= 0) return 0;
  const fresh = Math.min(unseen, length);
  r.D[o] = unseen - fresh;
  return fresh;
}

function countPayload(r: RecordCursor, dir: number, seg: TcpSegment, time: number, fresh: number): void {
  const { I, H, D, i, h, d } = r;
  I[i + I32.payloadPackets + dir]++;
  D[d + F64.payloadBytes + dir] += fresh;
  D[d + F64.lastPayloadTime + dir] = time;
  if ((H[h + U16.flags + (dir ^ 1)] & Fact.SentFin) !== 0) r.closing().CD[r.cd + CF64.payloadAfterPeerFin + dir] += seg.payloadLength;
  if ((H[h + U16.flags + dir] & Fact.AckedPeerFin) !== 0) {
    r.closing();
    r.CD[r.cd + CF64.payloadAfterAckingPeerFin + dir] += seg.payloadLength;
    r.CI[r.ci + C32.lastPayloadAfterAckingPeerFinFrame + dir] = seg.frame;
    r.CD[r.cd + CF64.lastPayloadAfterAckingPeerFinTime + dir] = time;
  }
}

/**
 * Endpoint `dir` acknowledges `seg.ack`: the handshake completes, the peer's sequence space moves on
 * over whatever the capture missed, and the peer's FIN (seen or inferred) is marked received.
 */
function acknowledge(store: ConnectionStore, slot: number, r: RecordCursor, dir: number, seg: TcpSegment, time: number): void {
  const { I, H, i, h } = r;
  const peer = dir ^ 1;
  const ack = seg.ack;
  if ((H[h + U16.flags + dir] & Fact.AckKnown) === 0 || seqGt(ack, I[i + I32.highestAck + dir])) {
    if ((H[h + U16.flags + dir] & Fact.AckKnown) === 0 && (H[h + U16.flags + peer] & Fact.AckKnown) === 0) store.connectionsWithAck++;
    I[i + I32.highestAck + dir] = ack;
    I[i + I32.highestAckFrame + dir] = seg.frame;
    H[h + U16.flags + dir] |= Fact.AckKnown;
  }
  const peerFacts = H[h + U16.flags + peer];
  if (r.B[r.b + U8.state + dir] === TcpState.SynSent && (peerFacts & Fact.SentSynAck) !== 0) apply(r, dir, TcpEvent.AckSynAck, time);
  if ((peerFacts & Fact.SentSyn) !== 0 && seqGe(ack, seqAdd(I[i + I32.isn + peer], 1))) apply(r, peer, TcpEvent.SynAcked, time);
  if ((peerFacts & Fact.SeqKnown) !== 0 && seqGt(ack, I[i + I32.nextSeq + peer])) {
    const next = I[i + I32.nextSeq + peer];
    // One past everything the peer was seen to send, and no FIN from it: its FIN, which the capture missed.
    if (ack === seqAdd(next, 1) && (peerFacts & (Fact.SentFin | Fact.SentRst)) === 0) inferFin(r, peer, next, seg.frame, time, false);
    else {
      // Data the capture missed (tshark: "ACKed unseen segment"): the peer's sequence space moves on.
      if (H[h + U16.ackedUnseen + peer] < U16_MAX) H[h + U16.ackedUnseen + peer]++;
      r.D[r.d + F64.unseenBytes + peer] += seqDiff(ack, next);
      I[i + I32.nextSeq + peer] = ack;
    }
  }
  if ((H[h + U16.flags + peer] & Fact.SentFin) === 0 || !seqGe(ack, seqAdd(r.closed().CI[r.ci + C32.finSeq + peer], 1))) return;
  markFinsAcked(store, r, dir, seg.frame, false);
  finReceived(r, peer, seg.frame, time);
}

/** The FIN of `dir` has been acknowledged by its peer in `frame` (first time only). */
function finReceived(r: RecordCursor, dir: number, frame: number, time: number): void {
  r.closing();
  const { H, h } = r;
  const peer = dir ^ 1;
  if ((H[h + U16.flags + dir] & Fact.FinAcked) !== 0) return;
  H[h + U16.flags + dir] |= Fact.FinAcked;
  r.CI[r.ci + C32.finAckFrame + dir] = frame;
  H[h + U16.flags + peer] |= Fact.AckedPeerFin;
  r.CI[r.ci + C32.ackedPeerFinFrame + peer] = frame;
  r.CD[r.cd + CF64.ackedPeerFinTime + peer] = time;
  apply(r, dir, TcpEvent.FinAcked, time);
  apply(r, peer, TcpEvent.AckPeerFin, time);
}

/** Marks the FIN events of the peer of `dir` covered by an ACK from `dir` in `frame` (evidence only). */
function markFinsAcked(store: ConnectionStore, r: RecordCursor, dir: number, frame: number, byRst: boolean): void {
  const count = r.closed().CI[r.ci + C32.finEvents];
  const fins = store.fins.data(count);
  const first = r.CI[r.ci + C32.finBlock];
  const end = first + count * FIN_FIELDS;
  for (let o = first; o < end; o += FIN_FIELDS) {
    if (fins[o + FinField.From] !== dir && fins[o + FinField.AckFrame] === 0 && fins[o + FinField.Frame] < frame) {
      fins[o + FinField.AckFrame] = frame;
      fins[o + FinField.AckByRst] = byRst ? 1 : 0;
    }
  }
}

function trackFin(store: ConnectionStore, slot: number, r: RecordCursor, dir: number, seg: TcpSegment, time: number): void {
  r.closing();
  const { I, H, i, h } = r;
  const peer = dir ^ 1;
  const finSeq = seqAdd(seg.seq, seg.payloadLength);
  if ((H[h + U16.flags + dir] & Fact.FinInferred) !== 0) {
    if (finSeq === r.CI[r.ci + C32.finSeq + dir]) {
      // The FIN we inferred, captured after all (out of order): it is real, and keeps what it proved.
      H[h + U16.flags + dir] &= ~Fact.FinInferred;
      H[h + U16.flags + dir] |= (seg.flags & ACK) !== 0 ? Fact.FinCarriedAck : 0;
      r.CI[r.ci + C32.finFrame + dir] = seg.frame;
      r.CI[r.ci + C32.finAckSeq + dir] = seg.ack;
      if (time < r.CD[r.cd + CF64.finTime + dir]) r.CD[r.cd + CF64.finTime + dir] = time;
      addFinEvent(store, slot, r, dir, seg, time, finSeq, false, r.CI[r.ci + C32.finAckFrame + dir]);
      return;
    }
    retractFin(r, dir);
  }
  const peerAcked = (H[h + U16.flags + peer] & Fact.AckKnown) !== 0 && seqGe(I[i + I32.highestAck + peer], seqAdd(finSeq, 1));
  const retransmission = (H[h + U16.flags + dir] & Fact.SentFin) !== 0;
  addFinEvent(store, slot, r, dir, seg, time, finSeq, retransmission, peerAcked ? I[i + I32.highestAckFrame + peer] : 0);
  if (retransmission) {
    // Retransmitted FINs count once; later copies are evidence the first was not ACKed in time.
    if (r.CH[r.ch + CU16.finCopies + dir] < U16_MAX) r.CH[r.ch + CU16.finCopies + dir]++;
    return;
  }
  const carriedAck = (seg.flags & ACK) !== 0;
  H[h + U16.flags + dir] |= Fact.SentFin | (carriedAck ? Fact.FinCarriedAck : 0);
  r.CI[r.ci + C32.finSeq + dir] = finSeq;
  r.CI[r.ci + C32.finFrame + dir] = seg.frame;
  r.CI[r.ci + C32.finAckSeq + dir] = seg.ack;
  r.CD[r.cd + CF64.finTime + dir] = time;
  // Crossing FINs: the second FIN does not acknowledge the first, so it was sent before the first arrived.
  if ((H[h + U16.flags + peer] & Fact.SentFin) !== 0 && !(carriedAck && seqGe(seg.ack, seqAdd(r.CI[r.ci + C32.finSeq + peer], 1)))) r.CB[r.cb + CU8.finsCrossed] = 1;
  apply(r, dir, TcpEvent.SendFin, time);
  // A capture out of order can show the peer's ACK of this FIN before the FIN itself.
  if (peerAcked) finReceived(r, dir, I[i + I32.highestAckFrame + peer], time);
}

/**
 * A FIN the capture missed, proven by `proofFrame`; it occupies `seq`. `crossed`: the FINs crossed in
 * flight (see crossesPeerFin); an inferred FIN's timing is otherwise unknown.
 */
function inferFin(r: RecordCursor, dir: number, seq: number, proofFrame: number, time: number, crossed: boolean): void {
  r.closing();
  const { I, H, i, h } = r;
  H[h + U16.flags + dir] |= Fact.SentFin | Fact.FinInferred;
  r.CI[r.ci + C32.finSeq + dir] = seq;
  r.CI[r.ci + C32.finFrame + dir] = 0;
  r.CI[r.ci + C32.finProofFrame + dir] = proofFrame;
  // When it was sent is unknown: no later than the frame that proves it.
  r.CD[r.cd + CF64.finTime + dir] = time;
  const end = seqAdd(seq, 1);
  if (seqGt(end, I[i + I32.nextSeq + dir])) I[i + I32.nextSeq + dir] = end;
  if (crossed) r.CB[r.cb + CU8.finsCrossed] = 1;
  apply(r, dir, TcpEvent.SendFin, time);
}

/**
 * `dir` steps over a FIN of its that the capture missed (at `finSeq`) with `seg`. The FINs crossed in
 * flight when neither acknowledges the other: the peer's captured FIN does not cover the missed one,
 * and the missed one did not cover the peer's, since even `seg`, sent after it, does not.
 */
function crossesPeerFin(r: RecordCursor, dir: number, seg: TcpSegment, finSeq: number): boolean {
  const { H, h } = r;
  const peer = dir ^ 1;
  const peerFacts = H[h + U16.flags + peer];
  if ((peerFacts & (Fact.SentFin | Fact.FinInferred)) !== Fact.SentFin) return false;
  r.closed();
  if ((peerFacts & Fact.FinCarriedAck) !== 0 && seqGt(r.CI[r.ci + C32.finAckSeq + peer], finSeq)) return false;
  return (seg.flags & ACK) === 0 || !seqGt(seg.ack, r.CI[r.ci + C32.finSeq + peer]);
}

/** The FIN inferred for `dir` was data after all: undo it and what its acknowledgment did. */
function retractFin(r: RecordCursor, dir: number): void {
  r.closing();
  const { I, H, B, D, i, h, b, d } = r;
  const peer = dir ^ 1;
  const wasAcked = (H[h + U16.flags + dir] & Fact.FinAcked) !== 0;
  H[h + U16.flags + dir] &= ~(Fact.SentFin | Fact.FinInferred | Fact.FinAcked);
  r.CI[r.ci + C32.finProofFrame + dir] = 0;
  r.CI[r.ci + C32.finAckFrame + dir] = 0;
  r.CB[r.cb + CU8.finsCrossed] = 0;
  // The sequence number the FIN took is data's again (it is counted when that data arrives).
  const finSeq = r.CI[r.ci + C32.finSeq + dir];
  if (I[i + I32.nextSeq + dir] === seqAdd(finSeq, 1)) I[i + I32.nextSeq + dir] = finSeq;
  const time = D[d + F64.lastTime];
  // LAST_ACK answered goes to CLOSED, which nextState cannot tell from a RST's CLOSED: without a RST it
  // was the inferred FIN's doing, and undoing it leaves the side where it was before its FIN.
  if (B[b + U8.state + dir] === TcpState.Closed && B[b + U8.resetSeen] === 0) {
    B[b + U8.state + dir] = (H[h + U16.flags + dir] & Fact.AckedPeerFin) !== 0 ? TcpState.CloseWait : TcpState.Established;
    r.CD[r.cd + CF64.closedTime + dir] = 0;
  }
  apply(r, dir, TcpEvent.FinRetracted, time);
  if (wasAcked) {
    H[h + U16.flags + peer] &= ~Fact.AckedPeerFin;
    r.CI[r.ci + C32.ackedPeerFinFrame + peer] = 0;
    apply(r, peer, TcpEvent.PeerFinRetracted, time);
  }
}

function addFinEvent(store: ConnectionStore, slot: number, r: RecordCursor, dir: number, seg: TcpSegment, time: number, finSeq: number, retransmission: boolean, ackFrame: number): void {
  r.closing();
  r.CI[r.ci + C32.finSegments]++;
  store.addFin(slot, seg.frame, dir, time, finSeq, retransmission, ackFrame);
}

function trackReset(store: ConnectionStore, slot: number, r: RecordCursor, dir: number, seg: TcpSegment, time: number): void {
  r.closing();
  const { H, B, h, b } = r;
  r.CI[r.ci + C32.rstSegments]++;
  B[b + U8.resetSeen] = 1;
  if (r.CH[r.ch + CU16.rstCount + dir] < U16_MAX) r.CH[r.ch + CU16.rstCount + dir]++;
  H[h + U16.flags + dir] |= Fact.SentRst;
  const acceptable = classifyReset(store, slot, r, dir, seg, time);
  // A RST+ACK also acknowledges; record it against the peer's FIN evidence without moving any state.
  if ((seg.flags & ACK) !== 0 && (H[h + U16.flags + (dir ^ 1)] & Fact.SentFin) !== 0 && seqGe(seg.ack, seqAdd(r.CI[r.ci + C32.finSeq + (dir ^ 1)], 1))) {
    markFinsAcked(store, r, dir, seg.frame, true);
  }
  // RFC 9293 3.10.7: an unacceptable RST is dropped by its receiver (and may not come from who it claims).
  if (!acceptable) return;
  apply(r, dir, TcpEvent.Reset, time);
  apply(r, dir ^ 1, TcpEvent.Reset, time);
}

/**
 * A capture out of time order can list a RST before the segment it answers. When a segment arrives
 * that was sent before a RST already recorded from its peer, it is that RST's trigger: the RST's
 * trigger fields and what they imply are brought up to date.
 */
function retriggerResets(store: ConnectionStore, r: RecordCursor, dir: number, seg: TcpSegment, time: number): void {
  const count = r.closed().CI[r.ci + C32.rstEvents];
  const R = store.resets.data(count);
  const first = r.CI[r.ci + C32.rstBlock];
  const end = first + count * RstField.Count;
  const peer = dir ^ 1;
  const peerFacts = r.H[r.h + U16.flags + peer];
  for (let o = first; o < end; o += RstField.Count) {
    if (R[o + RstField.From] !== peer || R[o + RstField.Frame] > seg.frame) continue;
    const rstTime = R[o + RstField.Seconds] + R[o + RstField.Nanos] * 1e-9;
    if (rstTime <= time) continue;
    R[o + RstField.TriggerFrame] = seg.frame;
    R[o + RstField.TriggerFlags] = seg.flags;
    R[o + RstField.TriggerPayload] = Math.min(seg.payloadLength, U16_MAX);
    let bits = R[o + RstField.Bits];
    const afterOwnFin = (bits & RST_AFTER_OWN_FIN) !== 0;
    if (afterOwnFin && (seg.flags & FIN) !== 0 && (peerFacts & Fact.FinAcked) !== 0) bits |= RST_PEER_FIN_AFTER_OWN_FIN_ACKED;
    if (afterOwnFin && seg.payloadLength > 0) bits |= RST_PEER_DATA_AFTER_OWN_FIN;
    if (seg.payloadLength > 0 && ((peerFacts & Fact.AckKnown) === 0 || seqGt(seqAdd(seg.seq, seg.payloadLength), r.I[r.i + I32.highestAck + peer]))) {
      bits |= RST_PEER_DATA_UNACKED;
    }
    if (seg.payloadLength > 0) bits |= RST_RECEIVED_PAYLOAD;
    R[o + RstField.Bits] = bits;
  }
}

/** An ICMP error about one of our segments: evidence (a SYN answered by port-unreachable is a refusal). */
function recordIcmp(store: ConnectionStore, slot: number, dir: number, seg: TcpSegment): void {
  store.addIcmp(slot, {
    frame: seg.frame,
    about: dir,
    seconds: seg.seconds,
    nanos: seg.nanos,
    ipVersion: seg.ipVersion,
    type: seg.icmpType,
    code: seg.icmpCode,
    reporter: seg.icmpFrom,
    quotedFlags: seg.flags,
  });
}

function remember(r: RecordCursor, dir: number, seg: TcpSegment): void {
  r.I[r.i + I32.lastSeq + dir] = seg.seq;
  r.H[r.h + U16.lastFlags + dir] = seg.flags;
  r.H[r.h + U16.lastPayload + dir] = Math.min(seg.payloadLength, U16_MAX);
}

/** TTL range and IPv4 ID steps of the endpoint's own (non-RST) packets. */
function noteIpIdentity(store: ConnectionStore, r: RecordCursor, dir: number, seg: TcpSegment): void {
  const { I, H, B, i, h, b } = r;
  const ipId = seg.ipId;
  // The first ID after a RST from this side tells whether the RST sat inside the socket's ID series.
  if ((H[h + U16.flags + dir] & Fact.SentRst) !== 0 && ipId >= 0) noteIpIdAfterReset(store, r, dir, ipId);
  if (H[h + U16.ttlSamples + dir] < U16_MAX) H[h + U16.ttlSamples + dir]++;
  const ttl = seg.ttl;
  if (ttl < B[b + U8.ttlMin + dir]) B[b + U8.ttlMin + dir] = ttl;
  if (ttl > B[b + U8.ttlMax + dir]) B[b + U8.ttlMax + dir] = ttl;
  // Linux gives the SYN-ACK, TIME_WAIT ACKs and passive RSTs IP ID 0, outside the socket's series.
  if (ipId > 0) {
    const last = I[i + I32.lastIpId + dir];
    if (last >= 0) {
      if (((ipId - last) & 0xffff) <= 64) {
        if (H[h + U16.ipIdSteps + dir] < U16_MAX) H[h + U16.ipIdSteps + dir]++;
      } else if (H[h + U16.ipIdJumps + dir] < U16_MAX) H[h + U16.ipIdJumps + dir]++;
    }
    I[i + I32.lastIpId + dir] = ipId;
  }
}

function noteIpIdAfterReset(store: ConnectionStore, r: RecordCursor, dir: number, ipId: number): void {
  const count = r.closed().CI[r.ci + C32.rstEvents];
  const R = store.resets.data(count);
  const first = r.CI[r.ci + C32.rstBlock];
  const end = first + count * RstField.Count;
  for (let o = first; o < end; o += RstField.Count) {
    if (R[o + RstField.From] === dir && R[o + RstField.IpIdAfter] < 0) R[o + RstField.IpIdAfter] = ipId;
  }
}

/**
 * What makes two segments "the same frame": direction, sequence, acknowledgment, flags, length,
 * window and IP identification (which a retransmission changes on Linux), hashed into one int32.
 */
function segmentDigest(seg: TcpSegment, dir: number): number {
  let x = Math.imul(seg.seq ^ 0x9e3779b9, 0x85ebca6b);
  x = Math.imul(x ^ seg.ack ^ (x >>> 15), 0xc2b2ae35);
  x = Math.imul(x ^ (seg.flags | (dir << 12) | (seg.window << 16)) ^ (x >>> 13), 0x27d4eb2f);
  x = Math.imul(x ^ seg.payloadLength ^ (seg.ipId << 16) ^ (x >>> 16), 0x165667b1);
  return (x ^ seg.tsVal ^ (x >>> 15)) | 0;
}
