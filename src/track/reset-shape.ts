import { ACK, FIN, type TcpSegment } from '../decode/segment.js';
import type { ConnectionStore } from './connection-store.js';
import type { RstEvent, RstShape } from './evidence.js';
import { D, E, F_ACK_KNOWN, F_FIN, F_FIN_ACKED, F_SEQ_KNOWN, F_SYN, F_SYN_ACK, intBase, floatBase } from './layout.js';
import { seqAdd, seqDiff, seqGe, seqGt, seqLe } from './sequence.js';
import { TcpState } from './tcp-state.js';

/**
 * Describes a RST the moment it is sent, before it changes any state: its shape, what the sender had
 * done, what it answers, and whether the receiver would act on it. One object per RST segment.
 */
export function classifyReset(store: ConnectionStore, slot: number, dir: number, seg: TcpSegment): RstEvent {
  const I = store.intsOf(slot);
  const Fl = store.floatsOf(slot);
  const s = intBase(slot) + dir;
  const p = intBase(slot) + (dir ^ 1);
  const sf = floatBase(slot) + dir;
  const pf = floatBase(slot) + (dir ^ 1);
  const senderFlags = I[s + E.Flags];
  const peerFlags = I[p + E.Flags];
  const senderFin = (senderFlags & F_FIN) !== 0;
  const peerFin = (peerFlags & F_FIN) !== 0;
  const peerSent = I[p + E.Packets] > 0;
  return {
    frame: seg.frame,
    from: dir,
    seconds: seg.seconds,
    nanos: seg.nanos,
    seq: seg.seq,
    ack: seg.ack,
    flags: seg.flags,
    window: seg.window,
    optionsLength: seg.optionsLength,
    payloadLength: seg.payloadLength,
    ttl: seg.ttl,
    ipId: seg.ipId,
    shape: resetShape(seg, I, s),
    afterOwnFin: senderFin,
    senderState: I[s + E.State],
    unackedBytes: (senderFlags & F_SEQ_KNOWN) !== 0 && (peerFlags & F_ACK_KNOWN) !== 0 ? unackedBytes(I, s, p) : -1,
    receivedPayload: I[p + E.PayloadPackets] > 0,
    sentAfterLastReceived: Fl[sf + D.LastPayloadTime] > Fl[pf + D.LastPayloadTime],
    unansweredKeepalives: I[s + E.UnansweredKeepalives],
    firstUnansweredKeepaliveFrame: I[s + E.FirstUnansweredKeepaliveFrame],
    triggerFrame: I[p + E.LastFrame],
    triggerFlags: peerSent ? I[p + E.LastFlags] : 0,
    triggerPayload: peerSent ? I[p + E.LastPayload] : 0,
    peerDataAfterOwnFin: senderFin && Fl[pf + D.PayloadAfterPeerFin] > 0,
    peerDataUnacked: peerDataUnacked(I, s, p),
    peerFinAfterOwnFinAcked:
      senderFin && (senderFlags & F_FIN_ACKED) !== 0 && peerFin && (I[p + E.LastFlags] & FIN) !== 0 && I[p + E.FinFrame] > I[s + E.FinAckFrame],
    senderSentSynAck: (senderFlags & F_SYN_ACK) !== 0,
    acceptable: acceptable(seg, I, p),
    outsideWindow: outsideWindow(seg, I, p),
    atSenderNextSeq: (senderFlags & F_SEQ_KNOWN) !== 0 && seg.seq === I[s + E.NextSeq],
    ipIdBefore: I[s + E.LastIpId],
    ipIdAfter: -1,
  };
}

/**
 * Active: sent by a live socket that aborts (Linux tcp_send_active_reset, BSD tcp_drop): RST+ACK at its
 * own SND.NXT with its receive window and usually the timestamp option.
 * Passive: the reply to a segment that found no socket (Linux tcp_v4_send_reset, RFC 9293 3.10.7.1):
 * <SEQ=SEG.ACK><CTL=RST> for a segment with ACK, or <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK> without;
 * window 0, no options.
 */
function resetShape(seg: TcpSegment, I: Int32Array, s: number): RstShape {
  if ((seg.flags & ACK) === 0) return 'passive';
  const bare = seg.window === 0 && seg.optionsLength === 0;
  if (bare && seg.seq === 0) return 'passive';
  if (bare && (I[s + E.Flags] & F_SEQ_KNOWN) !== 0 && seg.seq !== I[s + E.NextSeq]) return 'passive';
  return 'active';
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
