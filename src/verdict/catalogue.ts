/**
 * The verdict catalogue: every verdict closetrace can give, in the order reports list them (what an
 * on-call engineer should look at first: a leak before a refused connection), with whether it is a
 * finding (listed without --all), how alarming it is, its colour in the HTML report, and what it means
 * and what to do about it, written for the person holding the pager. The `Verdict` type is this
 * table's keys, so a verdict cannot exist without its entry, and every table keyed by Verdict elsewhere
 * is checked for completeness by the compiler. Text marks code with backticks: markdown keeps them, HTML
 * turns them into <code>. Background for every claim: docs/research/linux-close-behaviour.md.
 */

/**
 * critical: resources leak; error: a peer saw an error; warning: something died or dropped; notice: slow or
 * unreachable; normal: a clean end; live: still open; unknown: the capture cannot tell.
 */
export type Severity = 'critical' | 'error' | 'warning' | 'notice' | 'normal' | 'live' | 'unknown';

export interface Advice {
  /** Section heading. */
  title: string;
  /** One line for summary tables. */
  summary: string;
  /** What happened on the wire and in the sockets. */
  meaning: string;
  /** What to do about it, most useful first. */
  actions: readonly string[];
}

export interface VerdictEntry extends Advice {
  /** Listed by default (a finding), or only with --all (a normal end, a live connection, a capture that cannot tell). */
  finding: boolean;
  severity: Severity;
  /** Chip, chart and legend colour: dark enough for white text and for a greyscale printout. */
  colour: string;
}

const CATALOGUE = {
  'close-wait': {
    finding: true,
    severity: 'critical',
    colour: '#b71c1c',
    title: 'CLOSE_WAIT: the application never called close()',
    summary: 'peer closed; this side ACKed its FIN but never closed the socket',
    meaning:
      "The peer sent a FIN and this endpoint's kernel acknowledged it, but the application that owns the socket never called close(). " +
      'The socket sits in CLOSE_WAIT, holding its file descriptor and buffers, until the process closes it or exits: the kernel has no timer for this state. ' +
      'Many of them is a descriptor leak that ends in `EMFILE` (too many open files) or an exhausted connection pool. ' +
      'If the endpoint kept sending data after the FIN (activity `sending`), it may be a legitimate half-close that had not finished when the capture stopped.',
    actions: [
      'On the host, list them with the owning process: `ss -tanp state close-wait` (count: `ss -tan state close-wait | wc -l`).',
      'Look for a missing close() on error paths: an exception or early return between read() returning 0 (end of stream) and close(), a response body never closed, a connection never returned to its pool.',
      'When read() returns 0 (an `end` event, EOF), the peer is done: close your side then.',
      'Keepalive does not cure it: probes can at most turn the socket into a reset one; the descriptor stays open until the application calls close().',
      'Restarting the process frees the sockets but hides the leak; match `since` (when the FIN was ACKed) against the application log.',
    ],
  },
  'late-fin-reset': {
    finding: true,
    severity: 'error',
    colour: '#d84315',
    title: 'Late FIN answered by RST: CLOSE_WAIT outlived the peer',
    summary: 'closed after the peer had already forgotten the connection',
    meaning:
      "This endpoint ACKed the peer's FIN, sat in CLOSE_WAIT, and sent its own FIN only after the peer had given up waiting for it " +
      '(Linux drops an orphaned FIN_WAIT_2 socket after `net.ipv4.tcp_fin_timeout`, 60 s by default). ' +
      'The peer no longer had a socket and answered the late FIN with a RST. No data is lost, but this is the CLOSE_WAIT bug, finally closed: under more load these are the connections that pile up.',
    actions: [
      'Find why the application needed `delay` seconds to call close() after reading end of stream: it usually waits for something (a pool sweep, a finalizer, a timeout) instead of closing on EOF.',
      'Close the socket as soon as read() returns 0.',
      "Raising the peer's `tcp_fin_timeout` only hides it.",
    ],
  },
  'abortive-close': {
    finding: true,
    severity: 'error',
    colour: '#ad1457',
    title: 'Abortive close: RST instead of FIN (SO_LINGER 0 or unread data)',
    summary: 'ended the connection with a RST; the peer gets ECONNRESET',
    meaning:
      'This endpoint ended the connection with a RST instead of a FIN. The RST discards whatever was still unsent or unacknowledged, ' +
      'and the peer sees ECONNRESET ("connection reset by peer") on its next read or write, possibly losing a response it had not read yet. ' +
      'A Linux socket does this on close() with SO_LINGER {on, 0} (cause `linger-zero`), or on close() while received data is still unread ' +
      '(RFC 2525; cause `linger-zero-or-unread-data` when the capture cannot tell the two apart). `fromState` `CLOSE_WAIT` means the peer had already closed and the RST came instead of this side\'s FIN.',
    actions: [
      'SO_LINGER 0: remove it unless avoiding TIME_WAIT is really needed. To avoid TIME_WAIT, reuse connections (keep-alive, pooling), let the other side close first, or use `net.ipv4.tcp_tw_reuse` on clients.',
      'Unread data: read the request or response to the end (or shutdown() the write side and drain until EOF) before close(). Typical: a server that answers an error before reading the whole request body, a client that closes without consuming the response.',
      'Where it is set: Java `setSoLinger(true, 0)`, Go `SetLinger(0)`, Node.js `socket.resetAndDestroy()`, HAProxy `option nolinger`, nginx `reset_timedout_connection on`.',
    ],
  },
  'reset-after-close': {
    finding: true,
    severity: 'error',
    colour: '#ef6c00',
    title: 'Reset after close: data sent to a connection the peer had closed',
    summary: 'closed, then reset data the peer still sent (keep-alive race)',
    meaning:
      'This endpoint had closed the connection (it sent its FIN) and then received more data, which its kernel answered with a RST because nobody would read it. ' +
      'The other side sees ECONNRESET or EPIPE on a request it believed it was sending over a healthy idle connection: ' +
      'the keep-alive race, where a server or proxy closes an idle connection at the moment the client reuses it from its pool.',
    actions: [
      "Align client and server idle timeouts: the client's keep-alive idle timeout must be shorter than the server's (and every proxy's in between), so the client retires idle connections before the server closes them.",
      'Clients: retry idempotent requests once when a reused connection fails with ECONNRESET; check for EOF on pooled connections before reuse.',
      'Servers: announce the close when possible (HTTP/1.1 `Connection: close`, HTTP/2 GOAWAY) instead of closing idle connections silently.',
    ],
  },
  'keepalive-timeout': {
    finding: true,
    severity: 'warning',
    colour: '#6a1b9a',
    title: 'Keepalive timeout: the peer stopped answering',
    summary: 'keepalive probes went unanswered; this side gave up with a RST',
    meaning:
      'This endpoint sent TCP keepalive probes that were never answered and then gave up with a RST (Linux does so after `tcp_keepalive_probes` probes; the application gets ETIMEDOUT). ' +
      'The peer host went away, or something on the path (a NAT, firewall or load balancer whose idle timeout expired) silently dropped the connection. ' +
      'The endpoint named here is the one that noticed, not necessarily the one to blame.',
    actions: [
      'Check whether the peer host crashed, rebooted or lost its network at that time.',
      'If a middlebox drops idle flows, probe more often than its idle timeout: `net.ipv4.tcp_keepalive_time`, or per socket `TCP_KEEPIDLE`, `TCP_KEEPINTVL`, `TCP_KEEPCNT` (or application heartbeats).',
    ],
  },
  reset: {
    finding: true,
    severity: 'warning',
    colour: '#795548',
    title: 'Reset: a RST that fits no close pattern',
    summary: 'a RST ended the connection (see the cause)',
    meaning: 'A RST ended the connection without any of the patterns above. The cause says what the RST itself shows:',
    actions: [],
  },
  'fin-unacked': {
    finding: true,
    severity: 'warning',
    colour: '#9e7700',
    title: 'FIN never acknowledged: the peer or the path went silent',
    summary: 'sent a FIN the peer never ACKed',
    meaning:
      "This endpoint sent a FIN that the peer never acknowledged: it was retransmitted (confidence `certain`) or still unanswered `--fin-timeout` (1 s) later when the capture ended (`likely`). " +
      'The peer host or the path stopped responding during the close: a crashed or overloaded host, a firewall whose state for the connection expired, or packet loss.',
    actions: [
      'Check reachability of the peer at that time: host health, firewall state timeouts, loss on the path.',
      'On a busy capture host, check that the capture itself did not drop packets (`tcpdump` reports "packets dropped by kernel") before blaming the network.',
    ],
  },
  'slow-close': {
    finding: true,
    severity: 'notice',
    colour: '#00838f',
    title: 'Slow close: the FIN came long after the peer\'s',
    summary: "ACKed the peer's FIN but sent its own FIN late",
    meaning:
      "This endpoint ACKed the peer's FIN but sent its own FIN `delay` seconds later (the threshold is `--slow-close`, 1 s by default); it was in CLOSE_WAIT until then. " +
      "Harmless once, but under load this is where CLOSE_WAIT counts come from, and past the peer's FIN_WAIT_2 timeout it becomes a late-fin-reset.",
    actions: [
      'Check what the application does between end of stream and close(): draining, logging, waiting on a lock, or a pool that only reaps closed connections periodically.',
      'If the delay is deliberate (finishing a half-closed exchange), raise `--slow-close`.',
    ],
  },
  refused: {
    finding: true,
    severity: 'notice',
    colour: '#1565c0',
    title: 'Refused: nothing listening (or a firewall reject)',
    summary: 'the SYN was answered by a RST or ICMP unreachable',
    meaning:
      'The SYN was answered by a RST (or an ICMP port-unreachable or administratively-prohibited): nothing listened on that address and port, or a firewall rejected the connection. The client gets ECONNREFUSED.',
    actions: [
      "Check that the service is running and listening on that address and port, IPv4 or IPv6 as the client used: `ss -tlnp 'sport = :PORT'`.",
      'Refusals during a deploy or restart: the listener was down; use a graceful restart (SO_REUSEPORT, socket handover) or client retries with backoff.',
      'A full listen backlog does not refuse on Linux (it drops SYNs, see unanswered) unless `net.ipv4.tcp_abort_on_overflow` is set.',
    ],
  },
  unanswered: {
    finding: true,
    severity: 'notice',
    colour: '#3949ab',
    title: 'Unanswered: the SYN got no reply',
    summary: 'the SYN got no answer (down, filtered, or backlog full)',
    meaning:
      "The SYN got no answer at all, or only an ICMP unreachable from a router: the host is down, a firewall silently drops the SYN, routing is broken, or the server's listen backlog was full (Linux drops SYNs then). " +
      'The client sees a connect timeout (ETIMEDOUT) after its SYN retries.',
    actions: [
      'Check that the host is up and reachable on that port from the client side, and firewall or security-group rules that drop rather than reject.',
      'On the server, look for accept-queue overflows: `nstat -az TcpExtListenOverflows TcpExtListenDrops`, and `ss -tln` (Recv-Q near the backlog).',
    ],
  },
  orderly: {
    finding: false,
    severity: 'normal',
    colour: '#2e7d32',
    title: 'Orderly close',
    summary: 'normal close: FIN, FIN, both acknowledged',
    meaning:
      'A normal close: one side sent a FIN, the other answered with its own, and both were acknowledged. ' +
      'TIME_WAIT: who closes first holds it (60 s on Linux) for that address and port pair; the endpoint named here closed first.',
    actions: [
      'Nothing to fix. If TIME_WAIT sockets exhaust a client\'s ephemeral ports, reuse connections, let the server close first, or enable `net.ipv4.tcp_tw_reuse`; do not reach for SO_LINGER 0.',
    ],
  },
  'simultaneous-close': {
    finding: false,
    severity: 'normal',
    colour: '#558b2f',
    title: 'Simultaneous close',
    summary: 'both FINs crossed in flight',
    meaning: 'Both sides sent FINs that crossed in flight; both went through CLOSING to TIME_WAIT. Normal, only rare.',
    actions: ['Nothing to fix.'],
  },
  open: {
    finding: false,
    severity: 'live',
    colour: '#607d8b',
    title: 'Open at the end of the capture',
    summary: 'no FIN or RST seen: still open when the capture ended',
    meaning: 'Neither a FIN nor a RST was seen: the connection was still open (or idle) when the capture ended, or it closed outside the capture.',
    actions: ['Nothing, unless it should have ended: capture for longer, or compare the idle timeouts of both sides.'],
  },
  'one-sided': {
    finding: false,
    severity: 'unknown',
    colour: '#546e7a',
    title: 'One-sided: the capture saw one direction only',
    summary: 'only one side was captured: how the other side closed cannot be told',
    meaning:
      "The capture holds the packets of one endpoint only, although that endpoint was clearly talking to the other one (it acknowledged it), or the whole capture is one-directional. " +
      'Typical of a SPAN or mirror port that copies one direction, asymmetric routing, or a capture filter on one address. ' +
      'Nothing is claimed about the side that was never seen: closetrace does not blame an endpoint it cannot see.',
    actions: [
      'Capture both directions: mirror both the ingress and egress of the port (`monitor session ... both`), capture on the host itself, or widen the filter to `host A and host B`.',
      'The `quality` section of the report counts the connections seen one way only.',
    ],
  },
} as const satisfies Record<string, VerdictEntry>;

/** The fixed verdict vocabulary: one per connection. */
export type Verdict = keyof typeof CATALOGUE;

/** Every verdict, in report order. */
export const VERDICTS: readonly Verdict[] = Object.keys(CATALOGUE) as Verdict[];

/** Verdicts that are findings (listed without --all); the rest are normal ends or live connections. */
export const FINDINGS: ReadonlySet<Verdict> = new Set(VERDICTS.filter((v) => CATALOGUE[v].finding));

export function verdictEntry(verdict: Verdict): VerdictEntry {
  return CATALOGUE[verdict];
}

export function adviceFor(verdict: Verdict): Advice {
  return CATALOGUE[verdict];
}

export function severity(verdict: Verdict): Severity {
  return CATALOGUE[verdict].severity;
}

export function isFinding(verdict: Verdict): boolean {
  return CATALOGUE[verdict].finding;
}

export function verdictColour(verdict: Verdict): string {
  return CATALOGUE[verdict].colour;
}

/**
 * time-wait-pressure, the host-level finding (a host's TIME_WAIT sockets to one ip:port held a large
 * share of its ephemeral ports; see src/sockets): not a verdict of one connection, but advice of the
 * same kind, kept with the verdicts' so reports say the same things everywhere.
 */
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

/** What a RST verdict's `cause` says about where the RST came from. */
export type Cause = 'linger-zero' | 'linger-zero-or-unread-data' | 'no-socket' | 'middlebox-suspected' | 'unknown';

/** Causes a `reset` verdict can carry, each with its own reading and remedy. */
export type ResetCause = Extract<Cause, 'no-socket' | 'middlebox-suspected' | 'unknown'>;

export const RESET_CAUSES: readonly ResetCause[] = ['no-socket', 'middlebox-suspected', 'unknown'];

const RESET_CAUSE_ADVICE: Record<ResetCause, Omit<Advice, 'summary'>> = {
  'no-socket': {
    title: 'no-socket: the endpoint had forgotten the connection',
    meaning:
      'The RST has the shape a host sends when no socket matches (no options, window 0, IPv4 ID 0: a "passive" RST). The endpoint no longer knew the connection: ' +
      'its process or host restarted, its retransmissions had timed out and the socket died silently (`net.ipv4.tcp_retries2`), ' +
      'or a NAT or load balancer sent the packet to a different host.',
    actions: [
      'Check for restarts or crashes of that endpoint at the RST time.',
      'A long silence in the ladder before the RST points to a retransmission timeout or to an idle timeout on a middlebox.',
    ],
  },
  'middlebox-suspected': {
    title: 'middlebox-suspected: probably not sent by the endpoint',
    meaning:
      "The RST claims to come from the endpoint but does not look like its other packets (TTL or IPv4 ID out of line, or a sequence number the receiver must ignore): " +
      'a firewall, IPS, load balancer or censor on the path probably injected it.',
    actions: [
      'Capture on the endpoint itself: if its own capture lacks the RST, the path sent it.',
      'Check the logs and idle timeouts of firewalls, IPS and load balancers between the two hosts.',
    ],
  },
  unknown: {
    title: 'unknown: an active RST outside the known patterns',
    meaning:
      "An RST with the endpoint's own socket shape (ACK flag, normal window) that matches none of the known close patterns, " +
      'for example an application that aborted after shutdown(), or a non-Linux stack.',
    actions: ["Look at the endpoint application's log at the RST time; check for SO_LINGER {on, 0} after shutdown()."],
  },
};

export function resetCauseAdvice(cause: ResetCause): Omit<Advice, 'summary'> {
  return RESET_CAUSE_ADVICE[cause];
}

export function isResetCause(cause: Cause | null): cause is ResetCause {
  return cause === 'no-socket' || cause === 'middlebox-suspected' || cause === 'unknown';
}
