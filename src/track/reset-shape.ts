import { ACK, FIN, type TcpSegment } from '../decode/segment.js';
import type { EndpointTrack } from './endpoint.js';
import type { RstEvent, RstShape } from './evidence.js';
import { seqAdd, seqDiff, seqGe, seqGt, seqLe } from './sequence.js';
import { TcpState } from './tcp-state.js';

/**
 * Describes a RST the moment it is sent, before it changes any state: its shape, what the sender had
 * done, what it answers, and whether it looks forged by a box in the path.
 */
export function classifyReset(seg: TcpSegment, dir: number, sender: EndpointTrack, peer: EndpointTrack): RstEvent {
  const unacked = sender.seqKnown && peer.ackKnown ? unackedBytes(sender, peer) : -1;
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
    shape: resetShape(seg, sender),
    afterOwnFin: sender.finSeen,
    senderState: sender.state,
    unackedBytes: unacked,
    receivedPayload: peer.payloadPackets > 0,
    sentAfterLastReceived: sender.lastPayloadTime > peer.lastPayloadTime,
    unansweredKeepalives: sender.unansweredKeepalives,
    firstUnansweredKeepaliveFrame: sender.firstUnansweredKeepaliveFrame,
    triggerFrame: peer.lastFrame,
    triggerFlags: peer.packets > 0 ? peer.lastFlags : 0,
    triggerPayload: peer.packets > 0 ? peer.lastPayload : 0,
    peerDataAfterOwnFin: sender.finSeen && peer.payloadAfterPeerFin > 0,
    peerDataUnacked: peerDataUnacked(sender, peer),
    peerFinAfterOwnFinAcked: sender.finSeen && sender.finAcked && peer.finSeen && (peer.lastFlags & FIN) !== 0 && peer.finFrame > sender.finAckFrame,
    senderSentSynAck: sender.synAckSeen,
    acceptable: acceptable(seg, peer),
    outsideWindow: outsideWindow(seg, peer),
    atSenderNextSeq: sender.seqKnown && seg.seq === sender.nextSeq,
    ipIdBefore: sender.lastIpId,
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
export function resetShape(seg: TcpSegment, sender: EndpointTrack): RstShape {
  if ((seg.flags & ACK) === 0) return 'passive';
  const bare = seg.window === 0 && seg.optionsLength === 0;
  if (bare && seg.seq === 0) return 'passive';
  if (bare && sender.seqKnown && seg.seq !== sender.nextSeq) return 'passive';
  return 'active';
}

/**
 * RFC 9293 3.10.7.3: in SYN-SENT a RST counts only with an ACK of the SYN (ISS < SEG.ACK =< SND.NXT);
 * in other states only inside the receive window.
 */
function acceptable(seg: TcpSegment, peer: EndpointTrack): boolean {
  if (peer.state === TcpState.SynSent && peer.synSeen) {
    return (seg.flags & ACK) !== 0 && seqGt(seg.ack, peer.isn) && seqLe(seg.ack, peer.nextSeq);
  }
  return !outsideWindow(seg, peer);
}

/** Payload from the peer beyond the sender's highest ACK (the peer's FIN slot excluded). */
function peerDataUnacked(sender: EndpointTrack, peer: EndpointTrack): boolean {
  if (!peer.seqKnown || !sender.ackKnown || peer.payloadPackets === 0) return false;
  const dataEnd = peer.finSeen ? peer.finSeq : peer.nextSeq;
  return seqGt(dataEnd, sender.highestAck);
}

/** Sender's bytes in flight at the RST, excluding the SYN's sequence slot. */
function unackedBytes(sender: EndpointTrack, peer: EndpointTrack): number {
  let bytes = seqDiff(sender.nextSeq, peer.highestAck);
  if (bytes > 0x7fffffff) return 0;
  if (sender.synSeen && !seqGe(peer.highestAck, seqAdd(sender.isn, 1))) bytes--;
  return Math.max(0, bytes);
}

/**
 * RFC 9293 3.10.7 / RFC 5961 3.2: a RST is acceptable only inside the receiver's window
 * (RCV.NXT .. RCV.NXT+RCV.WND). Without the handshake the window scale is unknown, so allow the largest.
 */
function outsideWindow(seg: TcpSegment, peer: EndpointTrack): boolean {
  if (peer.state === TcpState.SynSent) return false;
  if ((seg.flags & ACK) !== 0 && seg.seq === 0 && seg.window === 0) return false;
  if (!peer.ackKnown) return false;
  const scale = peer.windowScale >= 0 ? peer.windowScale : peer.synSeen ? 0 : 14;
  const window = Math.max(peer.window * 2 ** scale, 1);
  const ahead = seqDiff(seg.seq, peer.highestAck);
  // Ahead of RCV.NXT by more than the window, or behind it by more than a window (stale or guessed).
  return ahead < 0x80000000 ? ahead > window : seqDiff(peer.highestAck, seg.seq) > window;
}
