import type { TcpStateName } from '../track/tcp-state.js';

export { FINDINGS, VERDICTS, type Cause, type Verdict } from './catalogue.js';
import type { Cause, Verdict } from './catalogue.js';

export type Side = 'client' | 'server';
export type Confidence = 'certain' | 'likely' | 'possible';
export type Activity = 'idle' | 'sending';
export type FromState = 'ESTABLISHED' | 'CLOSE_WAIT';
export type ResetShape = 'active' | 'passive';
/**
 * Why the connection's record was closed: normal end (closed, reset, or SYNs the client stopped retrying:
 * --syn-retries after the latest), capture end, the table cap, or port reuse.
 */
export type EndReason = 'finished' | 'capture-end' | 'evicted' | 'port-reused';

export interface FinEvidence {
  frame: number;
  from: Side;
  time: string;
  /** The frame whose ACK covered this FIN, or null if it was never ACKed. */
  ackFrame: number | null;
  /** A copy of an earlier FIN. */
  retransmission: boolean;
}

export interface ResetEvidence {
  frame: number;
  from: Side;
  time: string;
  shape: ResetShape;
  seq: number;
  ack: number | null;
  /** Raw window field; null when the snap length cut the header before it. */
  window: number | null;
  ttl: number;
  /** IPv4 identification, null for IPv6. */
  ipId: number | null;
}

export interface IcmpEvidence {
  frame: number;
  time: string;
  /** The side whose segment the error quoted (it is addressed to that side). */
  about: Side;
  type: number;
  code: number;
  description: string;
  /** Address of the router or host that sent the error. */
  reporter: string;
}

/** One packet of the close as a ladder diagram shows it; sequence numbers are relative, as in Wireshark. */
export interface LadderStep {
  frame: number;
  from: Side;
  /** Seconds since the connection's first packet. */
  offset: number;
  /** Flag letters as tcpdump prints them: S, F, R, P, ., E, W, U ("S." is SYN/ACK). */
  flags: string;
  seq: number;
  ack: number | null;
  length: number;
}

/** An event the verdict rests on that the capture did not hold, with the frame that proves it happened. */
export interface InferredEvidence {
  /** A FIN, or data that a RST answered. */
  kind: 'fin' | 'data';
  from: Side;
  /** The frame that proves it: the peer's ACK of it, or the sender's own later segment. */
  provedBy: number;
  /** In words, e.g. "FIN not captured; frame 812 ACKs it". */
  note: string;
}

/**
 * What the capture missed or mangled of one connection (null when nothing): a verdict resting on a
 * damaged record says so here.
 */
export interface ConnectionQuality {
  /** one-sided: the side whose packets were never captured. */
  unseen: Side | null;
  /** No SYN seen: the capture began after the connection was set up. */
  startedBeforeCapture: boolean;
  /** Segments the peer ACKed that the capture never showed (tshark: ACKed unseen segment), per side. */
  ackedUnseen: { client: number; server: number };
  /** Segments that started beyond everything seen from their sender (tshark: previous segment not captured). */
  gaps: { client: number; server: number };
  /** Frames captured twice in a row (ignored). */
  duplicates: number;
}

/**
 * Packets of a connection's stream that arrived after its verdict (a RST answering a retransmission,
 * a FIN or RST after the grace period): they keep the stream's number and extend the record's
 * `lastFrame`, `packets`, `end` and `packetsSent`, and their FINs and RSTs are listed in `fins` and
 * `resets` (the events from `firstFrame` on), but the verdict is the one reached before them.
 */
export interface LateTraffic {
  /** The first late packet. */
  firstFrame: number;
  packets: number;
  /** FIN and RST segments among them (all counted; listed in `fins`/`resets` while those hold fewer than 32). */
  fins: number;
  resets: number;
}

/** One connection's verdict with its evidence: an element of the JSON report's `connections`. */
export interface ConnectionRecord {
  /** The capture file, as given. */
  file: string;
  /**
   * Wireshark `tcp.stream` index: `tcp.stream eq N` shows the same packets. -1 when Wireshark gives the
   * connection no stream (every TCP header of it cut by the snap length before its 16th byte).
   */
  stream: number;
  /** `ip:port` of the client (the SYN sender); IPv6 as `[addr]:port` (RFC 5952). */
  client: string;
  server: string;
  /** No handshake seen: client and server were inferred from the ports. */
  roleInferred: boolean;
  verdict: Verdict;
  /** The side the verdict is about, or null. */
  endpoint: Side | null;
  cause: Cause | null;
  confidence: Confidence | null;
  /** close-wait: when the endpoint first ACKed the peer's FIN. */
  since: string | null;
  /** close-wait: seconds from `since` to the end of the capture. */
  stuckSeconds: number | null;
  /** late-fin-reset, slow-close: how long the endpoint took to send its FIN. */
  delaySeconds: number | null;
  activity: Activity | null;
  fromState: FromState | null;
  /** abortive-close: the endpoint's bytes sent but unacknowledged at the RST. */
  bytesDiscarded: number | null;
  /** orderly: the side that closed second kept sending after the first FIN. */
  halfClose: boolean | null;
  start: string;
  end: string;
  firstFrame: number;
  lastFrame: number;
  packets: number;
  /** Payload bytes each side sent (new data, retransmissions not counted twice). */
  bytes: { client: number; server: number };
  /** Inferred RFC 9293 state of each side when the record closed. */
  states: { client: TcpStateName; server: TcpStateName };
  fins: FinEvidence[];
  resets: ResetEvidence[];
  /** ICMP errors quoting the connection's segments. */
  icmpErrors: IcmpEvidence[];
  /** Frame numbers that prove the verdict. */
  evidence: number[];
  /** Events the verdict rests on that the capture missed (a FIN inferred from the ACK that covers it). */
  inferred: InferredEvidence[];
  /** What the capture missed of this connection, or null when nothing. */
  quality: ConnectionQuality | null;
  /** The handshake, the packets before the close and the close itself (findings only; [] otherwise). */
  ladder: LadderStep[];
  /**
   * Zeek conn.log `history` and `conn_state`; null when the analysis ran with `zeekHistory: false` (the
   * command line's table, markdown and HTML reports, which do not show them).
   */
  history: string | null;
  connState: string | null;
  explanation: string;
  endReason: EndReason;
  /** TCP segments each side sent (Zeek's orig_pkts and resp_pkts). */
  packetsSent: { client: number; server: number };
  /** Packets of the stream after its verdict, or null when none arrived (see LateTraffic). */
  late: LateTraffic | null;
}
