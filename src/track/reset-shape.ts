import { ACK, FIN, type TcpSegment } from '../decode/segment.js';
import type { ConnectionStore } from './connection-store.js';
import {
  RST_ACCEPTABLE,
  RST_AFTER_OWN_FIN,
  RST_AT_SENDER_NEXT_SEQ,
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
import { CD, D, E, F_ACK_KNOWN, F_FIN, F_FIN_ACKED, F_SEQ_KNOWN, F_SYN, F_SYN_ACK, intBase, floatBase } from './layout.js';
import { seqAdd, seqDiff, seqGe, seqGt, seqLe } from './sequence.js';
import { TcpState } from './tcp-state.js';

/**
 * Describes a RST the moment it is sent, before it changes any state: its shape, what the sender had
 * done, what it answers, and whether the receiver would act on it. Recorded as a RST event of the
 * connection (RstField), while there is room; returns whether the receiver would act on it.
 */
export function classifyReset(store: ConnectionStore, slot: number, dir: number, seg: TcpSegment): boolean {
  const I = store.intsOf(slot);
  const Fl = store.floatsOf(slot);
  const s = intBase(slot) + dir;
  const p = intBase(slot) + (dir ^ 1);
  const sf = floatBase(slot) + dir;
  const pf = floatBase(slot) + (dir ^ 1);
  const isAcceptable = acceptable(seg, I, p);
  const o = store.addReset(slot);
  if (o < 0) return isAcceptable;
  const R = store.rstData(slot);
  const senderFlags = I[s + E.Flags];
  const peerFlags = I[p + E.Flags];
  const senderFin = (senderFlags & F_FIN) !== 0;
  const peerFin = (peerFlags & F_FIN) !== 0;
  const peerSent = I[p + E.Packets] > 0;
  let bits = 0;
  if (passiveShape(seg, I, s)) bits |= RST_PASSIVE;
  if (senderFin) bits |= RST_AFTER_OWN_FIN;
  if (I[p + E.PayloadPackets] > 0) bits |= RST_RECEIVED_PAYLOAD;
  if (Fl[sf + D.LastPayloadTime] > Fl[pf + D.LastPayloadTime]) bits |= RST_SENT_AFTER_LAST_RECEIVED;
  if (senderFin && Fl[pf + D.PayloadAfterPeerFin] > 0) bits |= RST_PEER_DATA_AFTER_OWN_FIN;
  if (peerDataUnacked(I, s, p)) bits |= RST_PEER_DATA_UNACKED;
  if (senderFin && (senderFlags & F_FIN_ACKED) !== 0 && peerFin && (I[p + E.LastFlags] & FIN) !== 0 && I[p + E.FinFrame] > I[s + E.FinAckFrame]) {
    bits |= RST_PEER_FIN_AFTER_OWN_FIN_ACKED;
  }
  if ((senderFlags & F_SYN_ACK) !== 0) bits |= RST_SENDER_SENT_SYN_ACK;
  if (isAcceptable) bits |= RST_ACCEPTABLE;
  if (outsideWindow(seg, I, p)) bits |= RST_OUTSIDE_WINDOW;
  if ((senderFlags & F_SEQ_KNOWN) !== 0 && seg.seq === I[s + E.NextSeq]) bits |= RST_AT_SENDER_NEXT_SEQ;
  R[o + RstField.Frame] = seg.frame;
  R[o + RstField.From] = dir;
  R[o + RstField.Seconds] = seg.seconds - Fl[floatBase(slot) + CD.FirstSeconds];
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
  R[o + RstField.SenderState] = I[s + E.State];
  R[o + RstField.UnackedBytes] = (senderFlags & F_SEQ_KNOWN) !== 0 && (peerFlags & F_ACK_KNOWN) !== 0 ? unackedBytes(I, s, p) : -1;
  R[o + RstField.UnansweredKeepalives] = I[s + E.UnansweredKeepalives];
  R[o + RstField.FirstUnansweredKeepaliveFrame] = I[s + E.FirstUnansweredKeepaliveFrame];
  R[o + RstField.TriggerFrame] = I[p + E.LastFrame];
  R[o + RstField.TriggerFlags] = peerSent ? I[p + E.LastFlags] : 0;
  R[o + RstField.TriggerPayload] = peerSent ? I[p + E.LastPayload] : 0;
  R[o + RstField.IpIdBefore] = I[s + E.LastIpId];
  R[o + RstField.IpIdAfter] = -1;
  return isAcceptable;
}

/** A RST event of the store as the verdict stage reads it (made on demand when a connection is judged). */
export function resetEvent(R: Int32Array, o: number, firstSeconds: number): RstEvent {
  const bits = R[o + RstField.Bits];
  return {
    frame: R[o + RstField.Frame],
    from: R[o + RstField.From],
    seconds: firstSeconds + R[o + RstField.Seconds],
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
    ipIdBefore: R[o + RstField.IpIdBefore],
    ipIdAfter: R[o + RstField.IpIdAfter],
  };
}

/**
 * Active: sent by a live socket that aborts (Linux tcp_send_active_reset, BSD tcp_drop): RST+ACK at its
 * own SND.NXT with its receive window and usually the timestamp option.
 * Passive: the reply to a segment that found no socket (Linux tcp_v4_send_reset, RFC 9293 3.10.7.1):
 * <SEQ=SEG.ACK><CTL=RST> for a segment with ACK, or <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK> without;
 * window 0, no options.
 */
function passiveShape(seg: TcpSegment, I: Int32Array, s: number): boolean {
  if ((seg.flags & ACK) === 0) return true;
  const bare = seg.window === 0 && seg.optionsLength === 0;
  if (bare && seg.seq === 0) return true;
  return bare && (I[s + E.Flags] & F_SEQ_KNOWN) !== 0 && seg.seq !== I[s + E.NextSeq];
}

/**
 * RFC 9293 3.10.7.3: in SYN-SENT a RST counts only with an ACK of the SYN (ISS < SEG.ACK =< SND.NXT);
 * in other states only inside the receive window.
 */
function acceptable(seg: TcpSegment, I: Int32Array, p: number): boolean {
  if (I[p + E.State] === TcpState.SynSent && (I[p + E.Flags] & F_SYN) !== 0) {
    return (seg.flags & ACK) !== 0 && seqGt(seg.ack, I[p + E.Isn]) && seqLe(seg.ack, I[p + E.NextSeq]);
  }
  return !outsideWindow(seg, I, p);
}

/** Payload from the peer beyond the sender's highest ACK (the peer's FIN slot excluded). */
function peerDataUnacked(I: Int32Array, s: number, p: number): boolean {
  if ((I[p + E.Flags] & F_SEQ_KNOWN) === 0 || (I[s + E.Flags] & F_ACK_KNOWN) === 0 || I[p + E.PayloadPackets] === 0) return false;
  const dataEnd = (I[p + E.Flags] & F_FIN) !== 0 ? I[p + E.FinSeq] : I[p + E.NextSeq];
  return seqGt(dataEnd, I[s + E.HighestAck]);
}

/** Sender's bytes in flight at the RST, excluding the SYN's sequence slot. */
function unackedBytes(I: Int32Array, s: number, p: number): number {
  let bytes = seqDiff(I[s + E.NextSeq], I[p + E.HighestAck]);
  if (bytes > 0x7fffffff) return 0;
  if ((I[s + E.Flags] & F_SYN) !== 0 && !seqGe(I[p + E.HighestAck], seqAdd(I[s + E.Isn], 1))) bytes--;
  return Math.max(0, bytes);
}

/**
 * RFC 9293 3.10.7 / RFC 5961 3.2: a RST is acceptable only inside the receiver's window
 * (RCV.NXT .. RCV.NXT+RCV.WND). Without the handshake the window scale is unknown, so allow the largest.
 */
function outsideWindow(seg: TcpSegment, I: Int32Array, p: number): boolean {
  if (I[p + E.State] === TcpState.SynSent) return false;
  if ((seg.flags & ACK) !== 0 && seg.seq === 0 && seg.window === 0) return false;
  if ((I[p + E.Flags] & F_ACK_KNOWN) === 0) return false;
  const scale = I[p + E.WindowScale] >= 0 ? I[p + E.WindowScale] : (I[p + E.Flags] & F_SYN) !== 0 ? 0 : 14;
  const window = Math.max(I[p + E.Window] * 2 ** scale, 1);
  const highestAck = I[p + E.HighestAck];
  const ahead = seqDiff(seg.seq, highestAck);
  // Ahead of RCV.NXT by more than the window, or behind it by more than a window (stale or guessed).
  return ahead < 0x80000000 ? ahead > window : seqDiff(highestAck, seg.seq) > window;
}
