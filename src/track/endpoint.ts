import { TcpState } from './tcp-state.js';

/** What one side of a connection has been seen to do, updated in place per segment it sends or receives. */
export class EndpointTrack {
  state: TcpState = TcpState.Unknown;
  packets = 0;
  lastFrame = 0;
  lastTime = -Infinity;

  /** SYN (or SYN/ACK) sent: its ISN. */
  synSeen = false;
  synAckSeen = false;
  isn = 0;
  synFrame = 0;
  synTime = 0;

  /** Sequence space: one past the highest sequence number sent (SYN and FIN count one each). */
  seqKnown = false;
  nextSeq = 0;
  /** Sequence number of the first segment seen from this endpoint (the base for relative numbers without a SYN). */
  firstSeq = 0;
  /** Highest acknowledgment number sent. */
  ackKnown = false;
  highestAck = 0;
  window = 0;
  windowScale = -1;

  payloadBytes = 0;
  payloadPackets = 0;
  lastPayloadFrame = 0;
  lastPayloadTime = -Infinity;

  /** The FIN this endpoint sent (the first one; copies are retransmissions). */
  finSeen = false;
  finSeq = 0;
  finFrame = 0;
  finTime = 0;
  finSeconds = 0;
  finNanos = 0;
  finCopies = 0;
  /** Ack field carried by the FIN segment, to tell crossing FINs apart. */
  finCarriedAck = false;
  finAckValue = 0;
  /** When the peer first acknowledged this endpoint's FIN. */
  finAcked = false;
  finAckFrame = 0;
  finAckTime = 0;

  /** When this endpoint first acknowledged the peer's FIN (it has received it: CLOSE_WAIT or later). */
  ackedPeerFin = false;
  ackedPeerFinFrame = 0;
  ackedPeerFinTime = 0;
  ackedPeerFinSeconds = 0;
  ackedPeerFinNanos = 0;
  /** Payload sent after acknowledging the peer's FIN (still writing in a half-close). */
  payloadAfterAckingPeerFin = 0;
  lastPayloadAfterAckingPeerFinFrame = 0;
  /** Payload sent after the peer's FIN was seen on the wire. */
  payloadAfterPeerFin = 0;

  rstCount = 0;
  firstRstFrame = 0;

  /** Keepalive probes (RFC 9293 3.8.4: seq = SND.NXT-1, 0 or 1 byte) since the peer last sent anything. */
  unansweredKeepalives = 0;
  firstUnansweredKeepaliveFrame = 0;
  keepalives = 0;

  /** TTL/hop-limit range and IPv4 ID series of the non-RST packets, to spot packets forged by others. */
  ttlMin = 256;
  ttlMax = -1;
  ttlSamples = 0;
  lastIpId = -1;
  ipIdSteps = 0;
  ipIdJumps = 0;

  /** The most recent segment sent (what a RST from the peer would be answering). */
  lastSeq = 0;
  lastAck = 0;
  lastFlags = 0;
  lastPayload = 0;
}
