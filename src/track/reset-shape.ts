import { ACK, FIN, type TcpSegment } from '../decode/segment.js';
import { CLOSE, CONN, EndpointFact as Fact } from './connection-layout.js';
import type { ConnectionStore } from './connection-store.js';
import {
  RST_ACCEPTABLE,
  RST_AFTER_OWN_FIN,
  RST_AT_SENDER_NEXT_SEQ,
  RST_OPTIONS_UNKNOWN,
  RST_OUTSIDE_WINDOW,
  RST_PASSIVE,
  RST_PEER_DATA_AFTER_OWN_FIN,
  RST_PEER_DATA_UNACKED,
  RST_PEER_FIN_AFTER_OWN_FIN_ACKED,
  RST_RECEIVED_PAYLOAD,
  RST_SENDER_SENT_SYN_ACK,
  RST_SENT_AFTER_LAST_RECEIVED,
  RstField,
  type RstEvent,
} from './evidence.js';
import type { RecordCursor } from './record-cursor.js';
import { seqAdd, seqDiff, seqGe, seqGt, seqLe } from './sequence.js';
import { TcpState } from './tcp-state.js';

const I32 = CONN.i32;
const U16 = CONN.u16;
const U8 = CONN.u8;
const I8 = CONN.i8;
const F64 = CONN.f64;
const C32 = CLOSE.i32;
const CF64 = CLOSE.f64;

/**
 * Describes a RST the moment it is sent, before it changes any state: its shape, what the sender had
 * done, what it answers, and whether the receiver would act on it. Recorded as a RST event of the
 * connection (RstField), while there is room; returns whether the receiver would act on it.
 */
export function classifyReset(store: ConnectionStore, slot: number, r: RecordCursor, dir: number, seg: TcpSegment, time: number): boolean {
  // It adds a RST event to the close block (store.addReset), whose count the cursor reads back.
  r.closing();
  const { I, H, B, D, i, h, b, d } = r;
  const peer = dir ^ 1;
  const isAcceptable = acceptable(seg, r, peer);
  const o = store.addReset(slot);
  if (o < 0) return isAcceptable;
  const R = store.resets.data(r.CI[r.ci + C32.rstEvents]);
  const senderFacts = H[h + U16.flags + dir];
  const peerFacts = H[h + U16.flags + peer];
  const senderFin = (senderFacts & Fact.SentFin) !== 0;
  const peerFin = (peerFacts & Fact.SentFin) !== 0;
  const peerSent = I[i + I32.sent + peer] > 0;
  let bits = 0;
  if (passiveShape(seg, r, dir)) bits |= RST_PASSIVE;
  if (senderFin) bits |= RST_AFTER_OWN_FIN;
  if (I[i + I32.payloadPackets + peer] > 0 || H[h + U16.ackedUnseen + peer] > 0) bits |= RST_RECEIVED_PAYLOAD;
  if (D[d + F64.lastPayloadTime + dir] > D[d + F64.lastPayloadTime + peer]) bits |= RST_SENT_AFTER_LAST_RECEIVED;
  if (senderFin && r.CD[r.cd + CF64.payloadAfterPeerFin + peer] > 0) bits |= RST_PEER_DATA_AFTER_OWN_FIN;
  if (peerDataUnacked(r, dir, peer)) bits |= RST_PEER_DATA_UNACKED;
  if (
    senderFin &&
    (senderFacts & Fact.FinAcked) !== 0 &&
    peerFin &&
    (H[h + U16.lastFlags + peer] & FIN) !== 0 &&
    I[i + I32.lastFrame + peer] > r.CI[r.ci + C32.finAckFrame + dir]
  ) {
    bits |= RST_PEER_FIN_AFTER_OWN_FIN_ACKED;
  }
  if ((senderFacts & Fact.SentSynAck) !== 0) bits |= RST_SENDER_SENT_SYN_ACK;
  if (isAcceptable) bits |= RST_ACCEPTABLE;
  if (outsideWindow(seg, r, peer)) bits |= RST_OUTSIDE_WINDOW;
  if ((senderFacts & Fact.SeqKnown) !== 0 && seg.seq === I[i + I32.nextSeq + dir]) bits |= RST_AT_SENDER_NEXT_SEQ;
  if (seg.headerCut) bits |= RST_OPTIONS_UNKNOWN;
  const seconds = Math.floor(time);
  R[o + RstField.Frame] = seg.frame;
  R[o + RstField.From] = dir;
  R[o + RstField.Seconds] = seconds;
  R[o + RstField.Nanos] = seg.nanos;
  R[o + RstField.Seq] = seg.seq;
  R[o + RstField.Ack] = seg.ack;
  R[o + RstField.Flags] = seg.flags;
  R[o + RstField.Window] = seg.window;
  R[o + RstField.OptionsLength] = seg.optionsLength;
  R[o + RstField.PayloadLength] = seg.payloadLength;
  R[o + RstField.Ttl] = seg.ttl;
  R[o + RstField.IpId] = seg.ipId;
  R[o + RstField.Bits] = bits;
  R[o + RstField.SenderState] = B[b + U8.state + dir];
  R[o + RstField.UnackedBytes] = (senderFacts & Fact.SeqKnown) !== 0 && (peerFacts & Fact.AckKnown) !== 0 ? unackedBytes(r, dir, peer) : -1;
  R[o + RstField.UnansweredKeepalives] = H[h + U16.unansweredKeepalives + dir];
  R[o + RstField.FirstUnansweredKeepaliveFrame] = I[i + I32.firstUnansweredKeepaliveFrame + dir];
  R[o + RstField.TriggerFrame] = I[i + I32.lastFrame + peer];
  R[o + RstField.TriggerFlags] = peerSent ? H[h + U16.lastFlags + peer] : 0;
  R[o + RstField.TriggerPayload] = peerSent ? H[h + U16.lastPayload + peer] : 0;
  R[o + RstField.IpIdBefore] = I[i + I32.lastIpId + dir];
  R[o + RstField.IpIdAfter] = -1;
  return isAcceptable;
}

/** A RST event of the store as the verdict stage reads it (made on demand when a connection is judged). */
export function resetEvent(R: Int32Array, o: number, firstSecond: number): RstEvent {
  const bits = R[o + RstField.Bits];
  return {
    frame: R[o + RstField.Frame],
    from: R[o + RstField.From],
    seconds: firstSecond + R[o + RstField.Seconds],
    nanos: R[o + RstField.Nanos],
    seq: R[o + RstField.Seq],
    ack: R[o + RstField.Ack],
    flags: R[o + RstField.Flags],
    window: R[o + RstField.Window],
    optionsLength: R[o + RstField.OptionsLength],
    payloadLength: R[o + RstField.PayloadLength],
    ttl: R[o + RstField.Ttl],
    ipId: R[o + RstField.IpId],
    shape: (bits & RST_PASSIVE) !== 0 ? 'passive' : 'active',
    afterOwnFin: (bits & RST_AFTER_OWN_FIN) !== 0,
    senderState: R[o + RstField.SenderState],
    unackedBytes: R[o + RstField.UnackedBytes],
    receivedPayload: (bits & RST_RECEIVED_PAYLOAD) !== 0,
    sentAfterLastReceived: (bits & RST_SENT_AFTER_LAST_RECEIVED) !== 0,
    unansweredKeepalives: R[o + RstField.UnansweredKeepalives],
    firstUnansweredKeepaliveFrame: R[o + RstField.FirstUnansweredKeepaliveFrame],
    triggerFrame: R[o + RstField.TriggerFrame],
    triggerFlags: R[o + RstField.TriggerFlags],
    triggerPayload: R[o + RstField.TriggerPayload],
    peerDataAfterOwnFin: (bits & RST_PEER_DATA_AFTER_OWN_FIN) !== 0,
    peerDataUnacked: (bits & RST_PEER_DATA_UNACKED) !== 0,
    peerFinAfterOwnFinAcked: (bits & RST_PEER_FIN_AFTER_OWN_FIN_ACKED) !== 0,
    senderSentSynAck: (bits & RST_SENDER_SENT_SYN_ACK) !== 0,
    acceptable: (bits & RST_ACCEPTABLE) !== 0,
    outsideWindow: (bits & RST_OUTSIDE_WINDOW) !== 0,
    atSenderNextSeq: (bits & RST_AT_SENDER_NEXT_SEQ) !== 0,
    optionsUnknown: (bits & RST_OPTIONS_UNKNOWN) !== 0,
    ipIdBefore: R[o + RstField.IpIdBefore],
    ipIdAfter: R[o + RstField.IpIdAfter],
  };
}

/**
 * Active: sent by a live socket that aborts (Linux tcp_send_active_reset, BSD tcp_drop): RST+ACK at its
 * own SND.NXT with its receive window and usually the timestamp option.
 * Passive: the reply to a segment that found no socket (Linux tcp_v4_send_reset, RFC 9293 3.10.7.1):
 * <SEQ=SEG.ACK><CTL=RST> for a segment with ACK, or <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK> without;
 * window 0, no options. A header cut by the snap length before its options still shows the window.
 */
function passiveShape(seg: TcpSegment, r: RecordCursor, dir: number): boolean {
  if ((seg.flags & ACK) === 0) return true;
  // A window the snap length cut off may have been 0.
  const bare = seg.window <= 0 && seg.optionsLength === 0;
  if (bare && seg.seq === 0) return true;
  return bare && (r.H[r.h + U16.flags + dir] & Fact.SeqKnown) !== 0 && seg.seq !== r.I[r.i + I32.nextSeq + dir];
}

/**
 * RFC 9293 3.10.7.3: in SYN-SENT a RST counts only with an ACK of the SYN (ISS < SEG.ACK =< SND.NXT);
 * in other states only inside the receive window.
 */
function acceptable(seg: TcpSegment, r: RecordCursor, receiver: number): boolean {
  if (r.B[r.b + U8.state + receiver] === TcpState.SynSent && (r.H[r.h + U16.flags + receiver] & Fact.SentSyn) !== 0) {
    return (seg.flags & ACK) !== 0 && seqGt(seg.ack, r.I[r.i + I32.isn + receiver]) && seqLe(seg.ack, r.I[r.i + I32.nextSeq + receiver]);
  }
  return !outsideWindow(seg, r, receiver);
}

/** Payload from the peer beyond the sender's highest ACK (the peer's FIN slot excluded). */
function peerDataUnacked(r: RecordCursor, sender: number, peer: number): boolean {
  const { I, H, i, h } = r;
  if ((H[h + U16.flags + peer] & Fact.SeqKnown) === 0 || (H[h + U16.flags + sender] & Fact.AckKnown) === 0 || I[i + I32.payloadPackets + peer] === 0) return false;
  const dataEnd = (H[h + U16.flags + peer] & Fact.SentFin) !== 0 ? r.closed().CI[r.ci + C32.finSeq + peer] : I[i + I32.nextSeq + peer];
  return seqGt(dataEnd, I[i + I32.highestAck + sender]);
}

/** Sender's bytes in flight at the RST, excluding the SYN's sequence slot. */
function unackedBytes(r: RecordCursor, sender: number, peer: number): number {
  const { I, H, i, h } = r;
  let bytes = seqDiff(I[i + I32.nextSeq + sender], I[i + I32.highestAck + peer]);
  if (bytes > 0x7fffffff) return 0;
  if ((H[h + U16.flags + sender] & Fact.SentSyn) !== 0 && !seqGe(I[i + I32.highestAck + peer], seqAdd(I[i + I32.isn + sender], 1))) bytes--;
  return Math.max(0, bytes);
}

/**
 * RFC 9293 3.10.7 / RFC 5961 3.2: a RST is acceptable only inside the receiver's window
 * (RCV.NXT .. RCV.NXT+RCV.WND). Without the handshake the window scale is unknown, so allow the largest.
 */
function outsideWindow(seg: TcpSegment, r: RecordCursor, receiver: number): boolean {
  const { I, H, B, S, i, h, b } = r;
  if (B[b + U8.state + receiver] === TcpState.SynSent) return false;
  if ((seg.flags & ACK) !== 0 && seg.seq === 0 && seg.window <= 0) return false;
  if ((H[h + U16.flags + receiver] & (Fact.AckKnown | Fact.WindowKnown)) !== (Fact.AckKnown | Fact.WindowKnown)) return false;
  const shift = S[b + I8.windowScale + receiver];
  const scale = shift >= 0 ? shift : (H[h + U16.flags + receiver] & Fact.SentSyn) !== 0 ? 0 : 14;
  const window = Math.max(H[h + U16.window + receiver] * 2 ** scale, 1);
  const highestAck = I[i + I32.highestAck + receiver];
  const ahead = seqDiff(seg.seq, highestAck);
  // Ahead of RCV.NXT by more than the window, or behind it by more than a window (stale or guessed).
  return ahead < 0x80000000 ? ahead > window : seqDiff(highestAck, seg.seq) > window;
}
