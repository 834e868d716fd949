/**
 * Close-related events kept as evidence (FIN, RST, ICMP error), at most MAX_EVENTS of each per
 * connection. Directions are flow directions: 0 = sent by endpoint A (the flow's first source), 1 = B.
 */
export interface FinEvent {
  frame: number;
  from: number;
  seconds: number;
  nanos: number;
  /** Sequence number the FIN occupies (seq + payload length). */
  seq: number;
  /** A copy of an earlier FIN (same sequence number): evidence that the first was not ACKed in time. */
  retransmission: boolean;
  /** First later frame from the peer whose ACK covers this FIN, or 0. */
  ackFrame: number;
  /** True when that ACK came on a RST. */
  ackByRst: boolean;
}

export type RstShape = 'active' | 'passive';

/** Int32 fields of a RST event in the store's RST lists (see RstEvent for their meaning). */
export const enum RstField {
  Frame,
  From,
  /** Whole seconds since the connection's first whole second. */
  Seconds,
  Nanos,
  Seq,
  Ack,
  Flags,
  Window,
  OptionsLength,
  PayloadLength,
  Ttl,
  IpId,
  /** RST_* bits below. */
  Bits,
  SenderState,
  UnackedBytes,
  UnansweredKeepalives,
  FirstUnansweredKeepaliveFrame,
  TriggerFrame,
  TriggerFlags,
  TriggerPayload,
  IpIdBefore,
  IpIdAfter,
  Count,
}

export const RST_PASSIVE = 1;
export const RST_AFTER_OWN_FIN = 2;
export const RST_RECEIVED_PAYLOAD = 4;
export const RST_SENT_AFTER_LAST_RECEIVED = 8;
export const RST_PEER_DATA_AFTER_OWN_FIN = 16;
export const RST_PEER_DATA_UNACKED = 32;
export const RST_PEER_FIN_AFTER_OWN_FIN_ACKED = 64;
export const RST_SENDER_SENT_SYN_ACK = 128;
export const RST_ACCEPTABLE = 256;
export const RST_OUTSIDE_WINDOW = 512;
export const RST_AT_SENDER_NEXT_SEQ = 1024;
export const RST_OPTIONS_UNKNOWN = 2048;

export interface RstEvent {
  frame: number;
  from: number;
  seconds: number;
  nanos: number;
  seq: number;
  ack: number;
  flags: number;
  window: number;
  optionsLength: number;
  payloadLength: number;
  ttl: number;
  ipId: number;
  shape: RstShape;
  /** The sender had sent its own FIN before this RST. */
  afterOwnFin: boolean;
  /** Inferred state of the sender just before the RST (TcpState). */
  senderState: number;
  /** Sender's bytes sent but not acknowledged by the peer at the RST (-1 when unknown). */
  unackedBytes: number;
  /** The sender had received payload before the RST. */
  receivedPayload: boolean;
  /** The sender sent payload after the last payload it received. */
  sentAfterLastReceived: boolean;
  /** Keepalive probes the sender had sent since it last heard from the peer. */
  unansweredKeepalives: number;
  firstUnansweredKeepaliveFrame: number;
  /** The peer's last segment before the RST (what the RST most likely answers). */
  triggerFrame: number;
  triggerFlags: number;
  triggerPayload: number;
  /** The peer sent payload after the sender's FIN. */
  peerDataAfterOwnFin: boolean;
  /** The peer had sent payload the sender never acknowledged (it crossed the sender's FIN, or came after). */
  peerDataUnacked: boolean;
  /** The sender's FIN had been ACKed by the peer before the peer's FIN arrived (peer closed late). */
  peerFinAfterOwnFinAcked: boolean;
  /** The sender had sent a SYN/ACK before this RST (so it is not a refusal). */
  senderSentSynAck: boolean;
  /**
   * RFC 9293 3.10.7: would the receiver act on it? Not when its sequence number is outside the receive
   * window, nor, for a receiver in SYN-SENT, when it does not acknowledge the SYN. Receivers drop such
   * RSTs, so they cannot be what ended the connection (and are typical of forged ones).
   */
  acceptable: boolean;
  outsideWindow: boolean;
  /** The RST's sequence number is exactly the sender's own next sequence number (what its stack would use). */
  atSenderNextSeq: boolean;
  /** The snap length cut the header before its options: their absence proves nothing. */
  optionsUnknown: boolean;
  /** The sender's IPv4 IDs just before and just after the RST (-1 when none), to check the series. */
  ipIdBefore: number;
  ipIdAfter: number;
}


/** An ICMP/ICMPv6 error that quoted one of the connection's segments (e.g. port unreachable for its SYN). */
export interface IcmpEvent {
  frame: number;
  /** Flow direction of the quoted segment's sender (the error went back to it). */
  about: number;
  seconds: number;
  nanos: number;
  ipVersion: number;
  type: number;
  code: number;
  /** Address of the host or router that sent the error. */
  reporter: string;
  quotedFlags: number;
}
