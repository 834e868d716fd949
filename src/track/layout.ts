/**
 * The tracker's per-connection state, laid out like a C struct in typed arrays (see ConnectionStore):
 * one block of int32 fields and one of float64 fields per connection, each endpoint's fields at a fixed
 * offset. Keeping a connection's hot state in a few contiguous cache lines, instead of a dozen objects,
 * is what lets the tracker keep up with millions of packets per second without garbage collection.
 *
 * Endpoint 0 is the flow's A side (the source of its first frame), endpoint 1 the B side. Sequence
 * numbers are int32 bit patterns (see TcpSegment). This file is the single definition of every field;
 * snapshot.ts turns a block back into plain objects with the same names for the verdict stage.
 */

/**
 * Int32 fields of one endpoint. Those every packet touches come first, so a packet's update stays in
 * the first cache lines of each endpoint; close evidence and Zeek's counters follow.
 */
export const enum E {
  /** TcpState (RFC 9293, as inferred). */
  State,
  /** Bit set of F_* below. */
  Flags,
  /** One past the highest sequence number sent (SYN and FIN count one each). */
  NextSeq,
  /** Highest acknowledgment number sent. */
  HighestAck,
  Window,
  Packets,
  LastFrame,
  PayloadPackets,
  /** Keepalive probes (RFC 9293 3.8.4: seq = SND.NXT-1, 0 or 1 byte) since the peer last sent anything. */
  UnansweredKeepalives,
  /** The last segment it sent (what a RST from the peer would answer). */
  LastSeq,
  LastFlags,
  LastPayload,
  /** TTL/hop-limit range and IPv4 ID series of its non-RST packets (to spot forged RSTs). */
  TtlMin,
  TtlMax,
  TtlSamples,
  LastIpId,
  IpIdSteps,
  IpIdJumps,
  /** Zeek's view of the endpoint (zeek-history.ts). */
  ZState,
  ZPrevState,
  ZStartSeq,
  ZLastSeq,
  ZSeen,
  /** Colder fields: the handshake, the close, evidence. */
  Isn,
  SynFrame,
  /** Sequence number of the first segment seen (relative numbering without a SYN). */
  FirstSeq,
  /** Window-scale shift from its SYN, or -1. */
  WindowScale,
  /** Sequence number its FIN occupies; frame of the first FIN; retransmitted copies. */
  FinSeq,
  FinFrame,
  FinCopies,
  /** Frame of the peer's first ACK covering this FIN. */
  FinAckFrame,
  /** Frame of this endpoint's first ACK covering the peer's FIN (CLOSE_WAIT or later from then on). */
  AckedPeerFinFrame,
  LastPayloadAfterAckingPeerFinFrame,
  RstCount,
  FirstUnansweredKeepaliveFrame,
  ZLastSyn,
  ZLastFin,
  ZLastRst,
  ZRxmits,
  ZRxmitThreshold,
  ZZeroWindows,
  ZZeroWindowThreshold,
  ZSize,
  Count,
}

/** Endpoint flags (E.Flags). */
export const F_SYN = 1;
export const F_SYN_ACK = 2;
export const F_SEQ_KNOWN = 4;
export const F_ACK_KNOWN = 8;
export const F_FIN = 16;
export const F_FIN_ACKED = 32;
export const F_ACKED_PEER_FIN = 64;
export const F_FIN_CARRIED_ACK = 128;

/** Float64 fields of one endpoint: times (seconds as doubles, for comparisons) and byte counts. */
export const enum D {
  LastTime,
  LastPayloadTime,
  PayloadBytes,
  FinTime,
  FinSeconds,
  FinNanos,
  AckedPeerFinTime,
  AckedPeerFinSeconds,
  AckedPeerFinNanos,
  PayloadAfterPeerFin,
  PayloadAfterAckingPeerFin,
  Count,
}

/** Int32 fields of the connection, after the two endpoints. */
export const enum C {
  /** Direction of the first SYN without ACK, of the first SYN/ACK (-1 none). */
  SynFrom = 2 * E.Count,
  SynAckFrom,
  Packets,
  FinSegments,
  RstSegments,
  /** The second FIN did not acknowledge the first: the FINs crossed (simultaneous close). */
  FinsCrossed,
  /** Zeek's originator direction (-1 before the first packet) and its pending SYN/ACK flip. */
  ZOrigDir,
  ZFlipPending,
  /** Packets recorded in the ladder ring, and in the close part once the close began (-1 before). */
  LadderCount,
  CloseCount,
  End,
}

/** Float64 fields of the connection, after the two endpoints. */
export const enum CD {
  FirstSeconds = 2 * D.Count,
  FirstNanos,
  FirstTime,
  LastSeconds,
  LastNanos,
  LastTime,
  End,
}

/** Int32 and float64 slots per connection (rounded up to whole cache lines). */
export const INT_STRIDE = (C.End + 15) & ~15;
export const FLOAT_STRIDE = (CD.End + 7) & ~7;
