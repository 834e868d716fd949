/**
 * What the host-level sections say in every text report: what time-wait-pressure means and what to do
 * about it, and how a TIME_WAIT socket answered a SYN that reused its 4-tuple. Kept beside the renderers
 * (not in the verdict catalogue) because these are findings about hosts, not verdicts of connections.
 */
import type { Advice } from '../verdict/catalogue.js';
import type { TimeWaitReuseReport } from '../report/model.js';

export const TIME_WAIT_PRESSURE_ADVICE: Advice = {
  title: 'TIME_WAIT pressure: ephemeral ports held by TIME_WAIT sockets',
  summary: 'TIME_WAIT sockets to one server held a large share of the ephemeral port range',
  meaning:
    'The side that closes a connection first keeps its socket in TIME_WAIT for 60 s (Linux: TCP_TIMEWAIT_LEN, a constant), ' +
    'and with it the local port of that 4-tuple. A client that opens a new connection to the same server ip:port for every request ' +
    'and closes first holds one port per connection of the last minute: at about 470 connections a second it has used up ' +
    "Linux's default range (`net.ipv4.ip_local_port_range` 32768-60999, 28,232 ports) and connect() fails with " +
    '`EADDRNOTAVAIL` ("Cannot assign requested address").',
  actions: [
    'Reuse connections instead of opening one per request: HTTP keep-alive, a connection pool. This is the fix; the rest buys headroom.',
    "TIME_WAIT stays with the side that closes first, and costs ports only on a client (a server's sockets share its listening port): here the client closes first. A server that closes first instead (HTTP/1.0, `Connection: close`) collects the TIME_WAIT sockets; where a server piles them up, let the client close first.",
    'On the client, `sysctl -w net.ipv4.tcp_tw_reuse=1` lets connect() take a port whose TIME_WAIT socket is more than a second old, when TCP timestamps are on (the default since Linux 4.19, 2, allows it on loopback only).',
    'Widen `net.ipv4.ip_local_port_range`, or spread the connections over more server addresses or ports: each server ip:port has its own set of 4-tuples.',
    'Never use `SO_LINGER` with a zero timeout to avoid TIME_WAIT: every close becomes a RST, the peer gets ECONNRESET and data still in flight is lost.',
    '`net.ipv4.tcp_tw_recycle` no longer exists (removed in Linux 4.12; it broke clients behind NAT): advice that sets it is outdated.',
  ],
};

type Outcome = keyof TimeWaitReuseReport['counts'];

/** How the TIME_WAIT socket answered the reusing SYN, in the words of the reports (after the count). */
export const REUSE_OUTCOMES: Record<Outcome, string> = {
  accepted: 'accepted: the TIME_WAIT socket answered with a SYN/ACK (the SYN was newer than the old connection)',
  ack: 'answered with an ACK: the SYN looked old; the client resets the TIME_WAIT and retries',
  rst: 'answered with a RST',
  none: 'not answered',
};

export const REUSE_MEANING =
  'A SYN reused a 4-tuple (same addresses and ports) while one side still held it in TIME_WAIT. Linux accepts such a SYN from ' +
  'TIME_WAIT when its sequence number or timestamp is newer than the old connection\'s; otherwise it answers with an ACK, the client ' +
  'answers that with a RST (which ends the TIME_WAIT) and its retried SYN, moments later, reaches the listener. Many of them mean ' +
  'clients reuse ports faster than TIME_WAIT frees them.';
