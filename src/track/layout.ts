/**
 * The tracker's per-connection state, laid out like a C struct in typed arrays (see ConnectionStore):
 * one block of int32 fields and one of float64 fields per connection. Keeping a connection's hot state
 * in a few contiguous cache lines, instead of a dozen objects, keeps the tracker free of garbage
 * collection and bounds what a packet touches: the tracker is limited by memory latency, so the number
 * of cache lines per packet is what sets its speed (bench/README.md).
 *
 * The two endpoints' fields are interleaved: field E.X of endpoint `dir` (0 = the flow's A side, the
 * source of its first frame; 1 = B) is at block + dir + E.X, so every packet, which touches both sides,
 * finds the connection's fields and both endpoints' hot fields in the first few cache lines of the
 * block; the close and evidence fields follow. Sequence numbers are int32 bit patterns (see
 * TcpSegment). This file is the single definition of every field; connection-view.ts reads them back
 * for the verdict stage.
 */

/** Int32 fields of the connection; the ones most packets touch share the block's first cache line. */
export const enum C {
  Packets = 0,
  /** Packets recorded in the ladder (head and ring), and in its close part once the close began (-1 before). */
  LadderCount = 1,
  CloseCount = 2,
  /** Zeek's originator direction (-1 before the first packet) and its pending SYN/ACK flip. */
  ZOrigDir = 3,
  ZFlipPending = 4,
  /** Direction of the first SYN without ACK, of the first SYN/ACK (-1 none). */
  SynFrom = 5,
  SynAckFrom = 6,
  /** The second FIN did not acknowledge the first: the FINs crossed (simultaneous close). */
  FinsCrossed = 7,
  FinSegments = 94,
  RstSegments = 95,
  /** Offset of the close-ladder block in the store's close pool (-1 before the close began). */
  CloseBlock = 96,
  /** FIN events recorded, and the offset of their block in the FIN pool of that many events' size class. */
  FinEvents = 97,
  FinBlock = 98,
  /** Zeek history: letters recorded, then HISTORY_WORDS words of packed letter codes (history-letters.ts). */
  ZHistoryLength = 99,
  ZHistory = 100,
  /** RST events recorded, and the offset of their block (see EventLists). */
  RstEvents = 104,
  RstBlock = 105,
}

/**
 * Int32 fields of an endpoint, at block + dir + E.X. Those every packet touches come first; the
 * handshake, the close and Zeek's counters follow.
 */
export const enum E {
  /** TcpState (RFC 9293, as inferred). */
  State = 8,
  /** Bit set of F_* below. */
  Flags = 10,
  /** One past the highest sequence number sent (SYN and FIN count one each). */
  NextSeq = 12,
  /** Highest acknowledgment number sent. */
  HighestAck = 14,
  Window = 16,
  Packets = 18,
  LastFrame = 20,
  PayloadPackets = 22,
  /** Keepalive probes (RFC 9293 3.8.4: seq = SND.NXT-1, 0 or 1 byte) since the peer last sent anything. */
  UnansweredKeepalives = 24,
  /** The last segment it sent (what a RST from the peer would answer). */
  LastSeq = 26,
  LastFlags = 28,
  LastPayload = 30,
  /** TTL/hop-limit range and IPv4 ID series of its non-RST packets (to spot forged RSTs). */
  TtlMin = 32,
  TtlMax = 34,
  TtlSamples = 36,
  LastIpId = 38,
  IpIdSteps = 40,
  IpIdJumps = 42,
  /** Zeek's view of the endpoint (zeek-history.ts). */
  ZState = 44,
  ZPrevState = 46,
  ZStartSeq = 48,
  ZLastSeq = 50,
  ZSeen = 52,
  ZSize = 54,
  /** Colder fields: the handshake, the close, evidence. */
  Isn = 56,
  SynFrame = 58,
  /** Sequence number of the first segment seen (relative numbering without a SYN). */
  FirstSeq = 60,
  /** Window-scale shift from its SYN, or -1. */
  WindowScale = 62,
  /** Sequence number its FIN occupies; frame of the first FIN; retransmitted copies. */
  FinSeq = 64,
  FinFrame = 66,
  FinCopies = 68,
  /** Frame of the peer's first ACK covering this FIN. */
  FinAckFrame = 70,
  /** Frame of this endpoint's first ACK covering the peer's FIN (CLOSE_WAIT or later from then on). */
  AckedPeerFinFrame = 72,
  LastPayloadAfterAckingPeerFinFrame = 74,
  RstCount = 76,
  FirstUnansweredKeepaliveFrame = 78,
  ZLastSyn = 80,
  ZLastFin = 82,
  ZLastRst = 84,
  ZRxmits = 86,
  ZRxmitThreshold = 88,
  ZZeroWindows = 90,
  ZZeroWindowThreshold = 92,
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
/** It has sent a RST (E.RstCount > 0). */
export const F_RST = 256;

/** Float64 fields of the connection: times as doubles (to compare) and exact seconds/nanoseconds (to report). */
export const enum CD {
  LastSeconds = 0,
  LastNanos = 1,
  LastTime = 2,
  FirstSeconds = 3,
  FirstNanos = 24,
}

/** Float64 fields of an endpoint, at block + dir + D.X; the first two share the block's first cache line. */
export const enum D {
  LastPayloadTime = 4,
  PayloadBytes = 6,
  FinTime = 8,
  FinSeconds = 10,
  FinNanos = 12,
  AckedPeerFinTime = 14,
  AckedPeerFinSeconds = 16,
  AckedPeerFinNanos = 18,
  PayloadAfterPeerFin = 20,
  PayloadAfterAckingPeerFin = 22,
}

/** Int32 and float64 slots per connection (whole cache lines). */
export const INT_STRIDE = 112;
export const FLOAT_STRIDE = 32;

/**
 * Slots per storage chunk. The store allocates its arrays a chunk at a time, when a slot of the chunk
 * is first used, so memory follows the connections held at once without ever copying the state of
 * the live ones (a doubled flat array would need both copies at once, and half of it unused).
 */
export const CHUNK_BITS = 10;
export const CHUNK_SLOTS = 1 << CHUNK_BITS;

/** Offset of a slot's int block within its chunk (the chunk is ConnectionStore.intsOf(slot)). */
export function intBase(slot: number): number {
  return (slot & (CHUNK_SLOTS - 1)) * INT_STRIDE;
}

/** Offset of a slot's float block within its chunk (ConnectionStore.floatsOf(slot)). */
export function floatBase(slot: number): number {
  return (slot & (CHUNK_SLOTS - 1)) * FLOAT_STRIDE;
}
