/**
 * RFC 9293 connection states, as inferred for each endpoint from what it sent and what its peer
 * acknowledged. Names follow Linux `ss` (underscores) since that is where users meet them.
 */
export const enum TcpState {
  /** Nothing seen from or about this endpoint yet. */
  Unknown = 0,
  Listen = 1,
  SynSent = 2,
  SynReceived = 3,
  Established = 4,
  FinWait1 = 5,
  FinWait2 = 6,
  Closing = 7,
  TimeWait = 8,
  CloseWait = 9,
  LastAck = 10,
  Closed = 11,
}

export const TCP_STATE_NAMES = [
  'UNKNOWN',
  'LISTEN',
  'SYN_SENT',
  'SYN_RECEIVED',
  'ESTABLISHED',
  'FIN_WAIT_1',
  'FIN_WAIT_2',
  'CLOSING',
  'TIME_WAIT',
  'CLOSE_WAIT',
  'LAST_ACK',
  'CLOSED',
] as const;

export type TcpStateName = (typeof TCP_STATE_NAMES)[number];

/**
 * What an endpoint does or learns, as far as its own state goes. The tracker (tracker.ts) reads each
 * segment off the wire as events for its sender and for the peer, in wire order, and nextState() is
 * the only place a state changes.
 */
export const enum TcpEvent {
  /** It sends a SYN without ACK. */
  SendSyn,
  /** A SYN arrives for it before anything else is known of it. */
  ReceiveSyn,
  /** It answers a SYN with SYN,ACK. */
  SendSynAck,
  /** It acknowledges the peer's SYN,ACK. */
  AckSynAck,
  /** The peer acknowledges its SYN. */
  SynAcked,
  /** It sends any segment: it exists and is connected. */
  SendSegment,
  /** It sends a FIN (close() or shutdown(SHUT_WR)), or a FIN of its is inferred from the peer's ACK. */
  SendFin,
  /** The peer acknowledges its FIN. */
  FinAcked,
  /** It acknowledges the peer's FIN: its stack has received it. */
  AckPeerFin,
  /** A RST the receiver acts on, sent or received: the TCB is gone. */
  Reset,
  /** A FIN that was inferred turns out to have been data (it sent more after it): undo SendFin. */
  FinRetracted,
  /** The peer's inferred FIN turns out to have been data: undo AckPeerFin. */
  PeerFinRetracted,
}

/**
 * The endpoint's next state after `event`. Every transition of the tracker is here, each with the
 * rule it encodes; an event that does not apply in a state leaves it unchanged.
 */
export function nextState(state: TcpState, event: TcpEvent): TcpState {
  switch (event) {
    case TcpEvent.SendSyn:
      // RFC 9293 3.10.1 OPEN: an active open sends SYN and enters SYN-SENT (again, on a new incarnation).
      return state === TcpState.Unknown || state === TcpState.Closed ? TcpState.SynSent : state;
    case TcpEvent.ReceiveSyn:
      // RFC 9293 3.10.7.2: a SYN reaching an endpoint that has not spoken finds it in LISTEN.
      return state === TcpState.Unknown ? TcpState.Listen : state;
    case TcpEvent.SendSynAck:
      // RFC 9293 3.10.7.2 LISTEN (3.10.7.3 SYN-SENT: simultaneous open) answers a SYN with SYN,ACK: SYN-RECEIVED.
      return state <= TcpState.SynSent ? TcpState.SynReceived : state;
    case TcpEvent.AckSynAck:
      // RFC 9293 3.10.7.3 SYN-SENT: an acceptable SYN,ACK is acknowledged and the connection is ESTABLISHED.
      return state === TcpState.SynSent ? TcpState.Established : state;
    case TcpEvent.SynAcked:
      // RFC 9293 3.10.7.4 fifth check, SYN-RECEIVED: an ACK of its SYN enters ESTABLISHED.
      return state === TcpState.SynReceived ? TcpState.Established : state;
    case TcpEvent.SendSegment:
      // A capture that starts mid-connection first meets an endpoint already ESTABLISHED.
      return state === TcpState.Unknown || state === TcpState.Listen ? TcpState.Established : state;
    case TcpEvent.SendFin:
      // RFC 9293 3.10.4 CLOSE: CLOSE-WAIT sends FIN and enters LAST-ACK.
      if (state === TcpState.CloseWait) return TcpState.LastAck;
      // RFC 9293 3.10.4 CLOSE: ESTABLISHED or SYN-RECEIVED (or a side first seen by its FIN) sends FIN: FIN-WAIT-1.
      return state < TcpState.FinWait1 ? TcpState.FinWait1 : state;
    case TcpEvent.FinAcked:
      // RFC 9293 3.10.7.4 FIN-WAIT-1: its FIN acknowledged, it enters FIN-WAIT-2.
      if (state === TcpState.FinWait1) return TcpState.FinWait2;
      // RFC 9293 3.10.7.4 CLOSING: its FIN acknowledged, it enters TIME-WAIT.
      if (state === TcpState.Closing) return TcpState.TimeWait;
      // RFC 9293 3.10.7.4 LAST-ACK: its FIN acknowledged, the TCB is deleted (CLOSED).
      return state === TcpState.LastAck ? TcpState.Closed : state;
    case TcpEvent.AckPeerFin:
      // RFC 9293 3.10.7.4 eighth (FIN bit), FIN-WAIT-1 (its own FIN not yet ACKed): the FINs crossed, CLOSING.
      if (state === TcpState.FinWait1) return TcpState.Closing;
      // RFC 9293 3.10.7.4 eighth, FIN-WAIT-2: it closed first and now holds TIME-WAIT.
      if (state === TcpState.FinWait2) return TcpState.TimeWait;
      // RFC 9293 3.10.7.4 eighth, ESTABLISHED (or SYN-RECEIVED, or not seen further): CLOSE-WAIT until its application calls close().
      return state <= TcpState.Established && state !== TcpState.SynSent ? TcpState.CloseWait : state;
    case TcpEvent.Reset:
      // RFC 9293 3.10.7: the sender of a RST has deleted its TCB, and an acceptable RST deletes the receiver's.
      return TcpState.Closed;
    case TcpEvent.FinRetracted:
      // Its inferred FIN was data: back to where SendFin came from (TIME-WAIT/CLOSING had acked the peer's FIN).
      if (state === TcpState.FinWait1 || state === TcpState.FinWait2) return TcpState.Established;
      if (state === TcpState.LastAck || state === TcpState.Closing || state === TcpState.TimeWait) return TcpState.CloseWait;
      return state;
    case TcpEvent.PeerFinRetracted:
      // The peer's inferred FIN was data: its ACK of it moved nothing. CLOSING and LAST_ACK wait for
      // the ACK of their own FIN (FIN_WAIT_1); TIME_WAIT had it (FIN_WAIT_2).
      if (state === TcpState.CloseWait) return TcpState.Established;
      if (state === TcpState.Closing || state === TcpState.LastAck) return TcpState.FinWait1;
      if (state === TcpState.TimeWait) return TcpState.FinWait2;
      return state;
  }
}
