import { defineStruct } from '../layout/struct-layout.js';

/** Words of packed Zeek history letters in the record (history-letters.ts). */
export const HISTORY_WORDS = 4;

/** Packets a ladder keeps: the first LADDER_HEAD, a ring of LADDER_RING, and LADDER_CLOSE from the close on. */
export const LADDER_HEAD = 2;
export const LADDER_RING = 6;
export const LADDER_CLOSE = 12;
/**
 * Of the close's packets, those the close block holds; the rest go to an overflow list (ConnectionStore
 * ladderOverflow). Four cover a FIN, its ACK, the other FIN and its ACK: 89 % of the bench capture's
 * closes, whose blocks are then 360 bytes instead of 544.
 */
export const LADDER_CLOSE_INLINE = 4;

/** Int32 fields of one recorded ladder packet (in CONN.i32.ladder and after CLOSE's fields in a close block). */
export const enum LadderField {
  Frame,
  /** Direction in bit 15, TCP flags below, payload length in the high 16 bits. */
  DirFlagsLength,
  Seq,
  Ack,
  /** Seconds and nanoseconds since `firstSecond`. */
  Seconds,
  Nanos,
  Count,
}

/** The group of Zeek's own endpoint model: the record's last bytes, left out when Zeek is not replayed. */
const ZEEK_GROUP = "Zeek's endpoint model";

/**
 * The tracker's record of one connection, declared once: every field by name and type, in groups by
 * how often a packet touches them (the first group is what every packet reads or writes, so it shares
 * the record's first cache lines). Offsets are computed by defineStruct(); code reads a field as
 * `view[base + CONN.<type>.<name> (+ dir)]` (see connection-store.ts).
 *
 * `pair` fields hold one value per endpoint, indexed by flow direction: 0 = endpoint A (the source of
 * the flow's first frame), 1 = B. Sequence numbers are int32 bit patterns (see TcpSegment). Times are
 * float64 seconds since `firstSecond` (the whole second of the connection's first packet): exact to the
 * nanosecond for connections shorter than about 48 days, and one number to compare.
 *
 * Three views of an endpoint live here, each with a reason:
 * - `state`, the RFC 9293 state as inferred (tcp-state.ts, changed only by nextState());
 * - `flags`, facts about what happened (EndpointFact): they outlive the state, which a RST sets to
 *   CLOSED whatever came before, and the verdicts need both (a FIN sent, then a RST);
 * - the `z*` fields, Zeek's own endpoint model (zeek-history.ts), kept to reproduce conn.log's
 *   `history` and `conn_state` exactly: Zeek's states are not RFC 9293's (PARTIAL, RESET, ...). They
 *   are the record's last group, which a store for reports that never show them leaves out.
 */
export const CONN = defineStruct([
  {
    name: 'every packet',
    fields: {
      /** Segments seen (not ICMP quotes). */
      packets: { type: 'i32' },
      /** Time of the latest packet. */
      lastTime: { type: 'f64' },
      /** Whole second of the first packet; every time field counts from it. */
      firstSecond: { type: 'f64' },
      /** A RST was seen since the connection (re)opened: it is over but for stragglers. */
      resetSeen: { type: 'u8' },
      /** Packets recorded for the ladder diagram's head and ring (ladder.ts). */
      ladderCount: { type: 'i32' },
      /** TcpState. */
      state: { type: 'u8', pair: true },
      /** EndpointFact bits. */
      flags: { type: 'u16', pair: true },
      /** One past the highest sequence number sent (SYN and FIN count one each). */
      nextSeq: { type: 'i32', pair: true },
      /** Highest acknowledgment number sent, and the frame that first sent it. */
      highestAck: { type: 'i32', pair: true },
      highestAckFrame: { type: 'i32', pair: true },
      /** Raw window field of its latest segment. */
      window: { type: 'u16', pair: true },
      /** Segments it sent, and the frame of its latest one. */
      sent: { type: 'i32', pair: true },
      lastFrame: { type: 'i32', pair: true },
      /** Its latest segment (what a RST from the peer would answer). */
      lastSeq: { type: 'i32', pair: true },
      lastFlags: { type: 'u16', pair: true },
      lastPayload: { type: 'u16', pair: true },
      /** Keepalive probes (RFC 9293 3.8.4: seq = SND.NXT-1, 0 or 1 byte) since the peer last sent anything. */
      unansweredKeepalives: { type: 'u16', pair: true },
      /** Payload: segments carrying it, new bytes (retransmissions once), time of the latest. */
      payloadPackets: { type: 'i32', pair: true },
      payloadBytes: { type: 'f64', pair: true },
      lastPayloadTime: { type: 'f64', pair: true },
      /** TTL/hop-limit range and IPv4 ID series of its non-RST packets (to spot forged RSTs); counts saturate. */
      ttlMin: { type: 'u8', pair: true },
      ttlMax: { type: 'u8', pair: true },
      ttlSamples: { type: 'u16', pair: true },
      lastIpId: { type: 'i32', pair: true },
      ipIdSteps: { type: 'u16', pair: true },
      ipIdJumps: { type: 'u16', pair: true },
      /** Digest of the connection's latest segment, to spot a frame captured twice (SPAN ports). */
      lastDigest: { type: 'i32' },
    },
  },
  {
    name: 'ladder ring',
    fields: {
      /** The first LADDER_HEAD packets, then a ring of the latest LADDER_RING before the close (ladder.ts). */
      ladder: { type: 'i32', count: (LADDER_HEAD + LADDER_RING) * LadderField.Count },
    },
  },
  {
    name: 'handshake',
    fields: {
      /** Nanoseconds of the first packet. */
      firstNanos: { type: 'i32' },
      /** Direction of the first SYN without ACK, of the first SYN/ACK (-1 none). */
      synFrom: { type: 'i8' },
      synAckFrom: { type: 'i8' },
      /** Frame of a SYN that reopened the connection after a RST (same ISN: tshark's same stream), or 0. */
      reopenFrame: { type: 'i32' },
      /** The connection's close block (CLOSE, in ConnectionStore.close), or -1 before any close. */
      closeBlock: { type: 'i32' },
      isn: { type: 'i32', pair: true },
      synFrame: { type: 'i32', pair: true },
      /** Window-scale shift from its SYN, or -1. */
      windowScale: { type: 'i8', pair: true },
      /** Sequence number of the first segment seen (relative numbering without a SYN). */
      firstSeq: { type: 'i32', pair: true },
      /** Time the endpoint reached ESTABLISHED (its first packet, when the capture began mid-connection). */
      establishedTime: { type: 'f64', pair: true },
      /** Flags of the first segment it sent (how a TIME_WAIT socket answered a reused 4-tuple). */
      firstFlags: { type: 'u16', pair: true },
      firstUnansweredKeepaliveFrame: { type: 'i32', pair: true },
    },
  },
  {
    name: 'capture quality',
    fields: {
      /** Segments of its that the peer ACKed though the capture never saw them (tshark: ACKed unseen segment). */
      ackedUnseen: { type: 'u16', pair: true },
      /** Bytes of its that the peer ACKed before the capture showed them (filled in if they turn up late). */
      unseenBytes: { type: 'f64', pair: true },
      /** Its segments that started beyond everything seen from it (tshark: previous segment not captured). */
      gaps: { type: 'u16', pair: true },
      /** Frames captured twice (same segment, back to back). */
      duplicates: { type: 'u16', pair: true },
    },
  },
  {
    // Last, so that a record without Zeek's replay (ConnectionStore's zeekHistory off) ends before it.
    name: ZEEK_GROUP,
    fields: {
      /** Zeek's endpoint state, seen-letter bits, and sequence bookkeeping (zeek-history.ts). */
      zState: { type: 'u8', pair: true },
      zPrevState: { type: 'u8', pair: true },
      zSeen: { type: 'u8', pair: true },
      zStartSeq: { type: 'i32', pair: true },
      zLastSeq: { type: 'i32', pair: true },
      zSize: { type: 'f64', pair: true },
      /** Zeek's originator direction (-1 before the first packet) and its pending SYN/ACK flip. */
      zOrigDir: { type: 'i8' },
      zFlipPending: { type: 'u8' },
      /** Zeek history: letters recorded, then 4 words of packed letter codes (history-letters.ts). */
      zHistoryLength: { type: 'i32' },
      zHistory: { type: 'i32', count: HISTORY_WORDS },
      zLastSyn: { type: 'i32', pair: true },
      zLastFin: { type: 'i32', pair: true },
      zLastRst: { type: 'i32', pair: true },
      zRxmits: { type: 'i32', pair: true },
      zRxmitThreshold: { type: 'i32', pair: true },
      zZeroWindows: { type: 'i32', pair: true },
      zZeroWindowThreshold: { type: 'i32', pair: true },
    },
  },
]);

/**
 * What only a connection that began to close needs (a FIN or RST seen, or a FIN inferred), declared once
 * like CONN: kept in a close block (close-blocks.ts) taken at the first such event, with the first
 * packets of the close's ladder after it (CLOSE_BLOCK_INTS in all), so a connection that never closes
 * does not carry it. Until then it reads block 0, which holds the initial values and is never written.
 * Times as in CONN.
 */
export const CLOSE = defineStruct([
  {
    name: 'close',
    fields: {
      /** FIN and RST segments seen (events beyond MAX_EVENTS are only counted). */
      finSegments: { type: 'i32' },
      rstSegments: { type: 'i32' },
      /**
       * Packets recorded in the ladder's close list (-1 before the first FIN or RST): the first
       * LADDER_CLOSE_INLINE after these fields, the rest in the ladderOverflow block `closeOverflow`.
       */
      closeCount: { type: 'i32' },
      closeOverflow: { type: 'i32' },
      /** FIN and RST event lists: count and pool block (event-lists.ts). */
      finEvents: { type: 'i32' },
      finBlock: { type: 'i32' },
      rstEvents: { type: 'i32' },
      rstBlock: { type: 'i32' },
      /** The second FIN did not acknowledge the first: the FINs crossed (simultaneous close). */
      finsCrossed: { type: 'u8' },
      /** Sequence number its FIN occupies; frame of the first FIN (0 when inferred); retransmitted copies; time. */
      finSeq: { type: 'i32', pair: true },
      finFrame: { type: 'i32', pair: true },
      finCopies: { type: 'u16', pair: true },
      finTime: { type: 'f64', pair: true },
      /** The acknowledgment number its first FIN carried (to tell crossing FINs apart). */
      finAckSeq: { type: 'i32', pair: true },
      /** A FIN not in the capture: the frame that proves it (the peer's ACK of it, or its own later segment). */
      finProofFrame: { type: 'i32', pair: true },
      /** Frame of the peer's first ACK covering this FIN. */
      finAckFrame: { type: 'i32', pair: true },
      /** This endpoint's first ACK covering the peer's FIN (CLOSE_WAIT or later from then on): frame, time. */
      ackedPeerFinFrame: { type: 'i32', pair: true },
      ackedPeerFinTime: { type: 'f64', pair: true },
      /** Payload it sent after the peer's FIN, and after ACKing it (the latest such frame and time). */
      payloadAfterPeerFin: { type: 'f64', pair: true },
      payloadAfterAckingPeerFin: { type: 'f64', pair: true },
      lastPayloadAfterAckingPeerFinFrame: { type: 'i32', pair: true },
      lastPayloadAfterAckingPeerFinTime: { type: 'f64', pair: true },
      /** Time it left ESTABLISHED; entered and left CLOSE_WAIT (0 when it never did). */
      establishedEnd: { type: 'f64', pair: true },
      closeWaitTime: { type: 'f64', pair: true },
      closeWaitEnd: { type: 'f64', pair: true },
      /** Time it entered TIME_WAIT, and CLOSED (RST or its LAST_ACK answered). */
      timeWaitTime: { type: 'f64', pair: true },
      closedTime: { type: 'f64', pair: true },
      rstCount: { type: 'u16', pair: true },
    },
  },
]);

/** Int32s of a close block: CLOSE's fields, then the first packets of the ladder's close list (LADDER_CLOSE_INLINE). */
export const CLOSE_FIELD_INTS = CLOSE.bytes / 4;
export const CLOSE_BLOCK_INTS = CLOSE_FIELD_INTS + LADDER_CLOSE_INLINE * LadderField.Count;

/**
 * Bytes of a record without Zeek's group: what a connection costs when its history and conn_state are
 * not asked for (the group is last, so every other field keeps its offset).
 */
export const CONN_BYTES_WITHOUT_ZEEK = Math.min(...CONN.placements.filter((p) => p.group === ZEEK_GROUP).map((p) => p.byteOffset));

/** Endpoint facts (CONN.u16.flags): things that happened, which the state alone cannot tell afterwards. */
export const enum EndpointFact {
  /** It sent a SYN, a SYN/ACK. */
  SentSyn = 1 << 0,
  SentSynAck = 1 << 1,
  /** Its sequence numbers and acknowledgments are known (it sent a segment, one with ACK). */
  SeqKnown = 1 << 2,
  AckKnown = 1 << 3,
  /** It sent a FIN (or one was inferred), the peer ACKed it, and whether it carried an ACK. */
  SentFin = 1 << 4,
  FinAcked = 1 << 5,
  FinCarriedAck = 1 << 6,
  /** It ACKed the peer's FIN. */
  AckedPeerFin = 1 << 7,
  /** It sent a RST. */
  SentRst = 1 << 8,
  /** Its FIN is inferred: not in the capture, but ACKed by the peer or stepped over by its own segments. */
  FinInferred = 1 << 9,
  /** Its window is known (a snap length can cut the header before the window). */
  WindowKnown = 1 << 10,
  /** It reached ESTABLISHED, CLOSE_WAIT, TIME_WAIT at some point (the socket table's timeline). */
  WasEstablished = 1 << 11,
  WasCloseWait = 1 << 12,
  WasTimeWait = 1 << 13,
}

