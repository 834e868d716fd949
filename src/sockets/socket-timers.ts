import { TcpState, type TcpStateName } from '../track/tcp-state.js';

/**
 * How long Linux keeps a socket in a state with no packets, and so whether `ss -tan` would still list
 * it when the capture ended. Defaults are Linux's (net/ipv4/tcp_timer.c, tcp.h); each is an option
 * because hosts tune them (`--time-wait`, `--tcp-fin-timeout`, ...).
 */
export interface SocketTimers {
  /** TIME_WAIT lasts TCP_TIMEWAIT_LEN (60 s, a compile-time constant in Linux). */
  timeWaitSeconds: number;
  /** An orphaned FIN_WAIT_2 (the application called close()) lives `net.ipv4.tcp_fin_timeout` (60 s). */
  tcpFinTimeoutSeconds: number;
  /**
   * An orphaned socket whose FIN goes unanswered (FIN_WAIT_1, CLOSING, LAST_ACK) gives up after
   * `tcp_orphan_retries` (0 means 8) retransmissions: about 102 s from a 200 ms RTO, doubling.
   */
  orphanRetrySeconds: number;
  /** SYN_SENT gives up after `tcp_syn_retries` (6): 1+2+4+...+64 = 127 s. */
  synRetrySeconds: number;
  /** SYN_RECV gives up after `tcp_synack_retries` (5): 1+2+...+32 = 63 s. */
  synAckRetrySeconds: number;
}

export const LINUX_TIMERS: SocketTimers = {
  timeWaitSeconds: 60,
  tcpFinTimeoutSeconds: 60,
  orphanRetrySeconds: 102,
  synRetrySeconds: 127,
  synAckRetrySeconds: 63,
};

/** Socket states `ss` lists (CLOSED, LISTEN and UNKNOWN never appear in a socket table of connections). */
export const SOCKET_STATES = ['ESTABLISHED', 'SYN_SENT', 'SYN_RECEIVED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'TIME_WAIT', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSING'] as const;
export type SocketState = (typeof SOCKET_STATES)[number] & TcpStateName;

/**
 * The capture time (seconds) until which a socket left in `state` stays in the table: `since` is when
 * the state's timer started (entering TIME_WAIT, its first FIN, its first SYN), `lastPacket` the
 * connection's last packet (FIN_WAIT_2 counts from it). Infinity for states with no timer (ESTABLISHED, CLOSE_WAIT: only the application ends
 * them; keepalive is off by default); -Infinity for no socket at all.
 */
export function socketExpiry(state: TcpState, since: number, lastPacket: number, timers: SocketTimers): number {
  switch (state) {
    case TcpState.Established:
    case TcpState.CloseWait:
      return Infinity;
    case TcpState.TimeWait:
      // inet_twsk_schedule(tw, TCP_TIMEWAIT_LEN) when the socket enters TIME_WAIT.
      return since + timers.timeWaitSeconds;
    case TcpState.FinWait2:
      // tcp_time_wait(sk, TCP_FIN_WAIT2, tcp_fin_timeout) for an orphan; a socket that only shut down
      // its side keeps receiving (the peer keeps the connection alive), so count from the last packet.
      return lastPacket + timers.tcpFinTimeoutSeconds;
    case TcpState.FinWait1:
    case TcpState.Closing:
    case TcpState.LastAck:
      // The retransmission timer runs from the first FIN it sent.
      return since + timers.orphanRetrySeconds;
    case TcpState.SynSent:
      return since + timers.synRetrySeconds;
    case TcpState.SynReceived:
      return since + timers.synAckRetrySeconds;
    default:
      return -Infinity;
  }
}
