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
