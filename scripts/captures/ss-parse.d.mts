// Types of ss-parse.mjs (a plain ES module so that make-sockets.sh can run it without a build).

/** closetrace's spelling of a TCP state (TcpStateName), plus LISTEN and CLOSED as ss can print them. */
export type SsStateName =
  | 'ESTABLISHED'
  | 'SYN_SENT'
  | 'SYN_RECEIVED'
  | 'FIN_WAIT_1'
  | 'FIN_WAIT_2'
  | 'TIME_WAIT'
  | 'CLOSED'
  | 'CLOSE_WAIT'
  | 'LAST_ACK'
  | 'LISTEN'
  | 'CLOSING';

export interface SsTimer {
  /** ss's timer name: on, keepalive, timewait, persist, unknown. */
  name: string;
  remainingSeconds: number;
  retransmits: number;
  /** The whole field as ss printed it, e.g. `timer:(timewait,59sec,0)`. */
  text: string;
}

export interface SsSocket {
  state: SsStateName;
  /** The state word ss printed (ESTAB, TIME-WAIT, ...). */
  ssState: string;
  /** LISTEN sockets: never seen in a capture, excluded from comparisons. */
  listen: boolean;
  recvQ: number;
  sendQ: number;
  /** `ip:port` or `[ipv6]:port`; IPv4-mapped IPv6 written as IPv4. */
  local: string;
  peer: string;
  localInterface: string | null;
  peerInterface: string | null;
  timer: SsTimer | null;
}

export const SS_STATES: Readonly<Record<string, SsStateName>>;
export function timerSeconds(text: string): number;
export function normaliseAddress(text: string): { address: string; iface: string | null };
export function parseSs(text: string): SsSocket[];
/** Sockets per state, LISTEN left out, keys sorted. */
export function stateCounts(sockets: readonly SsSocket[]): Partial<Record<SsStateName, number>>;
