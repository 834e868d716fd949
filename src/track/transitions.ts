import { ACK, FIN, RST, SegmentKind, SYN, type TcpSegment } from '../decode/segment.js';
import type { TrackedConnection } from './connection.js';
import type { EndpointTrack } from './endpoint.js';
import { MAX_EVENTS } from './evidence.js';
import { classifyReset } from './reset-shape.js';
import { seqAdd, seqDiff, seqGe, seqGt } from './sequence.js';
import { TcpState } from './tcp-state.js';

/**
 * Replays one segment, sent in flow direction `dir`, against both endpoints of the connection. Every
 * state transition of the tracker happens here, in wire order: RST, SYN, sequence space, ACK, FIN.
 * The capture point is assumed to be near enough to both ends that what is on the wire was delivered.
 */
export function trackSegment(conn: TrackedConnection, dir: number, seg: TcpSegment): void {
  if (seg.kind === SegmentKind.Quoted) {
    recordIcmp(conn, dir, seg);
    return;
  }
  const sender = conn.ends[dir];
  const peer = conn.ends[dir ^ 1];
  const flags = seg.flags;
  const time = seg.seconds + seg.nanos * 1e-9;
  const length = seg.payloadLength;

  if (conn.packets === 0) {
    conn.firstSeconds = seg.seconds;
    conn.firstNanos = seg.nanos;
    conn.firstTime = time;
  }
  conn.packets++;
  if (time >= conn.lastTime) {
    conn.lastSeconds = seg.seconds;
    conn.lastNanos = seg.nanos;
    conn.lastTime = time;
  }
  sender.packets++;
  sender.lastFrame = seg.frame;
  sender.lastTime = time;
  // Any segment from the peer answers this side's keepalive probes.
  peer.unansweredKeepalives = 0;
  conn.zeek.observe(dir, seg);
  conn.ladder.record(seg, dir);
  if (!sender.seqKnown) sender.firstSeq = seg.seq;

  if ((flags & RST) !== 0) {
    // A FIN flag on a RST is still a FIN segment on the wire (evidence), though the RST decides the state.
    if ((flags & FIN) !== 0) addFinEvent(conn, dir, seg, seqAdd(seg.seq, length), sender.finSeen);
    recordReset(conn, dir, seg, sender, peer, time);
    remember(sender, seg);
    return;
  }
  noteIpIdentity(conn, dir, sender, seg);

  if ((flags & SYN) !== 0) {
    if ((flags & ACK) === 0) {
      if (conn.synFrom < 0) conn.synFrom = dir;
      // RFC 9293 3.10.1: an active OPEN sends SYN and enters SYN-SENT.
      if (sender.state === TcpState.Unknown || sender.state === TcpState.Closed) sender.state = TcpState.SynSent;
      // RFC 9293 3.10.7.2: a SYN reaching a listening socket.
      if (peer.state === TcpState.Unknown) peer.state = TcpState.Listen;
    } else {
      if (conn.synAckFrom < 0) conn.synAckFrom = dir;
      sender.synAckSeen = true;
      // RFC 9293 3.10.7.2: LISTEN (or SYN-SENT, simultaneous open) answers a SYN with SYN,ACK: SYN-RECEIVED.
      if (sender.state <= TcpState.SynSent) sender.state = TcpState.SynReceived;
    }
    if (!sender.synSeen) {
      sender.synSeen = true;
      sender.isn = seg.seq;
      sender.synFrame = seg.frame;
      sender.synTime = time;
      if (seg.windowScale >= 0) sender.windowScale = seg.windowScale;
    }
  }

  advanceSequence(sender, peer, seg, time, length);

  if ((flags & ACK) !== 0) acknowledge(conn, dir, sender, peer, seg.ack, seg.frame, time, seg, false);
  sender.window = seg.window;

  if ((flags & FIN) !== 0) recordFin(conn, dir, sender, peer, seg, time, length);
  // A segment from a side we had not seen before still proves it is connected (mid-stream capture).
  if (sender.state === TcpState.Unknown || sender.state === TcpState.Listen) sender.state = TcpState.Established;
  remember(sender, seg);
}

/** Sequence space and payload accounting, including keepalive probes (which carry no new data). */
function advanceSequence(sender: EndpointTrack, peer: EndpointTrack, seg: TcpSegment, time: number, length: number): void {
  const flags = seg.flags;
  const end = seqAdd(seg.seq, length + ((flags & SYN) !== 0 ? 1 : 0) + ((flags & FIN) !== 0 ? 1 : 0));
  if (!sender.seqKnown) {
    sender.seqKnown = true;
    sender.nextSeq = end;
  } else {
    // RFC 9293 3.8.4 / Linux tcp_write_wakeup: a keepalive probe re-sends SND.NXT-1 with 0 or 1 byte.
    if (length <= 1 && (flags & (SYN | FIN)) === 0 && seqAdd(seg.seq, 1) === sender.nextSeq) {
      sender.keepalives++;
      if (sender.unansweredKeepalives++ === 0) sender.firstUnansweredKeepaliveFrame = seg.frame;
      return;
    }
    // Anything else the sender transmits ends a run of probes.
    sender.unansweredKeepalives = 0;
    if (!seqGt(end, sender.nextSeq)) {
      if (length > 0) countPayload(sender, peer, seg, time, 0);
      return;
    }
  }
  const fresh = Math.min(length, seqDiff(end, sender.nextSeq));
  if (seqGt(end, sender.nextSeq) || !sender.seqKnown) sender.nextSeq = end;
  if (length > 0) countPayload(sender, peer, seg, time, fresh);
}

function countPayload(sender: EndpointTrack, peer: EndpointTrack, seg: TcpSegment, time: number, fresh: number): void {
  sender.payloadPackets++;
  sender.payloadBytes += fresh;
  sender.lastPayloadFrame = seg.frame;
  sender.lastPayloadTime = time;
  if (peer.finSeen) sender.payloadAfterPeerFin += seg.payloadLength;
  if (sender.ackedPeerFin) {
    sender.payloadAfterAckingPeerFin += seg.payloadLength;
    sender.lastPayloadAfterAckingPeerFinFrame = seg.frame;
  }
}

/**
 * The sender acknowledges `ack`: marks the peer's FIN as received when covered, which moves both
 * endpoints along the close sequence, and completes the handshake.
 */
function acknowledge(
  conn: TrackedConnection,
  dir: number,
  sender: EndpointTrack,
  peer: EndpointTrack,
  ack: number,
  frame: number,
  time: number,
  seg: TcpSegment,
  byRst: boolean,
): void {
  if (!byRst) {
    if (!sender.ackKnown || seqGt(ack, sender.highestAck)) {
      sender.highestAck = ack;
      sender.ackKnown = true;
    }
    // RFC 9293 3.10.7.3: SYN-SENT receiving an acceptable SYN,ACK sends ACK and enters ESTABLISHED.
    if (sender.state === TcpState.SynSent && peer.synAckSeen) sender.state = TcpState.Established;
    // RFC 9293 3.10.7.4 fifth: SYN-RECEIVED whose SYN is acknowledged enters ESTABLISHED.
    if (peer.state === TcpState.SynReceived && peer.synSeen && seqGe(ack, seqAdd(peer.isn, 1))) peer.state = TcpState.Established;
  }
  if (!peer.finSeen || !seqGe(ack, seqAdd(peer.finSeq, 1))) return;
  for (const fin of conn.fins) {
    if (fin.from !== dir && fin.ackFrame === 0 && fin.frame < frame) {
      fin.ackFrame = frame;
      fin.ackByRst = byRst;
    }
  }
  if (byRst || peer.finAcked) return;
  peer.finAcked = true;
  peer.finAckFrame = frame;
  peer.finAckTime = time;
  sender.ackedPeerFin = true;
  sender.ackedPeerFinFrame = frame;
  sender.ackedPeerFinTime = time;
  sender.ackedPeerFinSeconds = seg.seconds;
  sender.ackedPeerFinNanos = seg.nanos;
  switch (peer.state) {
    // RFC 9293 3.10.7.4 FIN-WAIT-1: once our FIN is acknowledged, enter FIN-WAIT-2.
    case TcpState.FinWait1:
      peer.state = TcpState.FinWait2;
      break;
    // RFC 9293 3.10.7.4 CLOSING: our FIN acknowledged, enter TIME-WAIT.
    case TcpState.Closing:
      peer.state = TcpState.TimeWait;
      break;
    // RFC 9293 3.10.7.4 LAST-ACK: our FIN acknowledged, delete the TCB (CLOSED).
    case TcpState.LastAck:
      peer.state = TcpState.Closed;
      break;
  }
  switch (sender.state) {
    // RFC 9293 3.10.7.4 eighth (FIN bit), ESTABLISHED: enter CLOSE-WAIT; the application must call close().
    case TcpState.Unknown:
    case TcpState.Listen:
    case TcpState.SynReceived:
    case TcpState.Established:
      sender.state = TcpState.CloseWait;
      break;
    // FIN-WAIT-1 receiving a FIN that does not ack ours: CLOSING (simultaneous close).
    case TcpState.FinWait1:
      sender.state = TcpState.Closing;
      break;
    // FIN-WAIT-2 receiving the peer's FIN: TIME-WAIT (this side closed first and holds it).
    case TcpState.FinWait2:
      sender.state = TcpState.TimeWait;
      break;
  }
}

function recordFin(conn: TrackedConnection, dir: number, sender: EndpointTrack, peer: EndpointTrack, seg: TcpSegment, time: number, length: number): void {
  const finSeq = seqAdd(seg.seq, length);
  const retransmission = sender.finSeen;
  addFinEvent(conn, dir, seg, finSeq, retransmission);
  if (retransmission) {
    // Retransmitted FINs count once; later copies are evidence the first was not ACKed in time.
    sender.finCopies++;
    return;
  }
  sender.finSeen = true;
  sender.finSeq = finSeq;
  sender.finFrame = seg.frame;
  sender.finTime = time;
  sender.finSeconds = seg.seconds;
  sender.finNanos = seg.nanos;
  sender.finCarriedAck = (seg.flags & ACK) !== 0;
  sender.finAckValue = seg.ack;
  // Crossing FINs: the second FIN does not acknowledge the first, so it was sent before the first arrived.
  if (peer.finSeen && !(sender.finCarriedAck && seqGe(seg.ack, seqAdd(peer.finSeq, 1)))) conn.finsCrossed = true;
  switch (sender.state) {
    // RFC 9293 3.10.4 CLOSE in CLOSE-WAIT: send FIN, enter LAST-ACK.
    case TcpState.CloseWait:
      sender.state = TcpState.LastAck;
      break;
    // RFC 9293 3.10.4 CLOSE in ESTABLISHED or SYN-RECEIVED: send FIN, enter FIN-WAIT-1.
    default:
      if (sender.state !== TcpState.Closed && sender.state < TcpState.FinWait1) sender.state = TcpState.FinWait1;
      break;
  }
}

function addFinEvent(conn: TrackedConnection, dir: number, seg: TcpSegment, finSeq: number, retransmission: boolean): void {
  conn.finSegments++;
  if (conn.fins.length >= MAX_EVENTS) return;
  conn.fins.push({ frame: seg.frame, from: dir, seconds: seg.seconds, nanos: seg.nanos, seq: finSeq, retransmission, ackFrame: 0, ackByRst: false });
}

function recordReset(conn: TrackedConnection, dir: number, seg: TcpSegment, sender: EndpointTrack, peer: EndpointTrack, time: number): void {
  conn.rstSegments++;
  sender.rstCount++;
  if (sender.rstCount === 1) sender.firstRstFrame = seg.frame;
  if (conn.resets.length < MAX_EVENTS) conn.resets.push(classifyReset(seg, dir, sender, peer));
  // An RST+ACK also acknowledges; record it against the peer's FIN evidence without moving any state.
  if ((seg.flags & ACK) !== 0) acknowledge(conn, dir, sender, peer, seg.ack, seg.frame, time, seg, true);
  // RFC 9293 3.10.7: the sender of a RST has deleted its TCB and an acceptable RST closes the receiver;
  // an unacceptable one is dropped by the receiver, and its sender may not be who it claims.
  if (conn.resets[conn.resets.length - 1]?.acceptable === false) return;
  sender.state = TcpState.Closed;
  peer.state = TcpState.Closed;
}

/** An ICMP error about one of our segments: evidence (a SYN answered by port-unreachable is a refusal). */
function recordIcmp(conn: TrackedConnection, dir: number, seg: TcpSegment): void {
  if (conn.icmp.length >= MAX_EVENTS) return;
  conn.icmp.push({
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

function remember(sender: EndpointTrack, seg: TcpSegment): void {
  sender.lastSeq = seg.seq;
  sender.lastAck = seg.ack;
  sender.lastFlags = seg.flags;
  sender.lastPayload = seg.payloadLength;
}

/** TTL range and IPv4 ID steps of the endpoint's own (non-RST) packets. */
function noteIpIdentity(conn: TrackedConnection, dir: number, sender: EndpointTrack, seg: TcpSegment): void {
  // The first ID after a RST from this side tells whether the RST sat inside the socket's ID series.
  if (sender.rstCount > 0 && seg.ipId >= 0) {
    for (const rst of conn.resets) if (rst.from === dir && rst.ipIdAfter < 0) rst.ipIdAfter = seg.ipId;
  }
  sender.ttlSamples++;
  if (seg.ttl < sender.ttlMin) sender.ttlMin = seg.ttl;
  if (seg.ttl > sender.ttlMax) sender.ttlMax = seg.ttl;
  if (seg.ipId >= 0) {
    if (sender.lastIpId >= 0) {
      const step = (seg.ipId - sender.lastIpId) & 0xffff;
      if (step <= 64) sender.ipIdSteps++;
      else sender.ipIdJumps++;
    }
    sender.lastIpId = seg.ipId;
  }
}
