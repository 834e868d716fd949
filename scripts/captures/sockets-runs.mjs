// The run table of make-sockets.sh: captures whose socket tables (`ss -tan`,
// `ss -tano` in every namespace right after the capture stops) are the truth
// closetrace's per-host socket table is compared with.
//
// Every run: client namespace 192.0.2.1 <-> server namespace 192.0.2.2 on a
// veth pair (c0 / s0), tcpdump -i c0 in the client namespace with CAPTURE_FILTER,
// server listening on 192.0.2.2:<serverPort>, clients connecting from the
// client namespace's ip_local_port_range (or from fixed bound ports). The
// socket programs are sockets-server.mjs (generic: the request line says what
// the server does) and sockets-client.mjs (one routine per run).

export const CLIENT_ADDRESS = '192.0.2.1';
export const SERVER_ADDRESS = '192.0.2.2';

/** Every server port is in 7001-7099; client ports are outside that range. */
export const CAPTURE_FILTER = 'tcp and portrange 7001-7099';

/** Fixed in every namespace of every run (then overridden per run); read back into the manifest. */
export const BASE_SYSCTLS = Object.freeze({
  'net.ipv4.tcp_fin_timeout': '60',
  'net.ipv4.tcp_timestamps': '1',
  'net.ipv4.tcp_tw_reuse': '0',
  'net.ipv4.tcp_rfc1337': '0',
  'net.ipv4.tcp_max_tw_buckets': '262144',
  'net.ipv4.tcp_syn_retries': '6',
  'net.ipv4.tcp_synack_retries': '5',
  'net.ipv4.tcp_orphan_retries': '0',
  'net.ipv4.tcp_retries2': '15',
  'net.ipv4.tcp_sack': '1',
  'net.ipv4.tcp_window_scaling': '1',
  'net.ipv4.tcp_ecn': '2',
  'net.ipv4.tcp_syncookies': '1',
  'net.ipv4.tcp_keepalive_time': '7200',
  'net.ipv4.tcp_max_syn_backlog': '4096',
  'net.core.somaxconn': '4096',
  'net.ipv4.ip_local_port_range': '50000 50999',
});

/** Linux's fixed TIME_WAIT length (TCP_TIMEWAIT_LEN), seconds. */
export const TIME_WAIT_SECONDS = 60;

export const RUNS = [
  {
    name: 'tw-server-first',
    serverPort: 7001,
    client: { 'net.ipv4.ip_local_port_range': '41000 41999' },
    server: {},
    connections: 100,
    intervalMs: 20,
    description: '100 short HTTP/1.0-like connections 20 ms apart: request, response, the SERVER closes first (end(response)), the client closes at once when it sees the FIN. At the end the server holds 100 TIME-WAIT sockets; the client side is gone (LAST-ACK -> CLOSED).',
  },
  {
    name: 'tw-client-first',
    serverPort: 7002,
    client: { 'net.ipv4.ip_local_port_range': '41000 41999' },
    server: {},
    connections: 100,
    intervalMs: 20,
    description: '100 short connections 20 ms apart: request, response, the CLIENT closes first (end()), the server closes at once when it sees the FIN. At the end the client holds 100 TIME-WAIT sockets; the server side is gone.',
  },
  {
    name: 'closewait-leak',
    serverPort: 7003,
    client: { 'net.ipv4.ip_local_port_range': '41000 41999' },
    server: {},
    connections: 60,
    intervalMs: 200,
    description: 'a service leaking CLOSE_WAIT: one connection every 200 ms for 12 s (60); each client sends a request, reads the response and close()s (orphaned socket); the server never closes. At the end: 60 CLOSE-WAIT on the server, 60 orphaned FIN-WAIT-2 on the client (tcp_fin_timeout 60 s, so all still there).',
  },
  {
    name: 'finwait2-timeout',
    serverPort: 7004,
    client: { 'net.ipv4.ip_local_port_range': '41000 41999', 'net.ipv4.tcp_fin_timeout': '3' },
    server: {},
    connections: 5,
    intervalMs: 200,
    afterLastFinMs: 7000,
    tickMs: 500,
    description: 'client namespace tcp_fin_timeout=3: 5 clients send a request, read the response and close() (orphaned); the server never closes. One more client only shutdown(SHUT_WR)s and keeps its socket; the server keeps writing a tick to that one every 500 ms (its CLOSE_WAIT side is sending, the client\'s FIN_WAIT_2 side ACKs). The capture goes on 7 s after the last FIN: the 5 orphaned FIN-WAIT-2 sockets expired after 3 s and are gone from ss, the shutdown() one is still FIN-WAIT-2; the server holds 6 CLOSE-WAIT.',
  },
  {
    name: 'reconnect-tw',
    serverPort: 7005,
    client: { 'net.ipv4.ip_local_port_range': '41000 41999' },
    server: {},
    plan: [
      { port: 43001, bytes: 0, pauseMs: 300, incarnations: 4 },
      { port: 43002, bytes: 0, pauseMs: 300, incarnations: 4 },
      { port: 43003, bytes: 0, pauseMs: 300, incarnations: 4 },
      // 8 MiB first incarnation: 300 ms later the clock-driven ISN (+15.6 M/s) is most likely still
      // before the old rcv_nxt, so only the newer TSval makes the SYN acceptable
      { port: 43004, bytes: 8 * 1024 * 1024, pauseMs: 300, incarnations: 2 },
    ],
    description: 'the server closes first (server TIME_WAIT), then the client connects again from the SAME local port (bind) to the same server port 300 ms later, while the server still holds that TIME_WAIT. Ports 43001-43003: tiny requests, 4 incarnations each (9 reuses). Port 43004: the first incarnation uploads 8 MiB, so the new ISN is (most likely) still before the old rcv_nxt and only the newer TSval makes the SYN acceptable (1 reuse). Linux accepts every reuse from TIME_WAIT: SYN/ACK with ISN = old snd_nxt + 65537. At the end the server holds one TIME-WAIT per port (the last incarnation); the client holds nothing.',
  },
  {
    name: 'reconnect-tw-nots',
    serverPort: 7007,
    client: { 'net.ipv4.ip_local_port_range': '41000 41999', 'net.ipv4.tcp_timestamps': '0' },
    server: { 'net.ipv4.tcp_timestamps': '0' },
    plan: [
      // small first incarnation, reconnect after 500 ms: the new ISN (clock-driven, +15.6 M/s) is after the old rcv_nxt
      { port: 43011, bytes: 0, pauseMs: 500, incarnations: 3 },
      // 8 MiB first incarnation, reconnect at once: the new ISN is still before rcv_nxt
      { port: 43013, bytes: 8 * 1024 * 1024, pauseMs: 0, incarnations: 2 },
      { port: 43014, bytes: 8 * 1024 * 1024, pauseMs: 0, incarnations: 2 },
    ],
    description: 'reconnect-tw without TCP timestamps (both namespaces tcp_timestamps=0), so only the sequence number decides whether a SYN may reopen a TIME_WAIT 4-tuple. Port 43011: tiny request, reconnect 500 ms later (new ISN after the old rcv_nxt: accepted from TIME_WAIT). Ports 43013/43014: the first incarnation uploads 8 MiB, the client reconnects at once (new ISN before the old rcv_nxt): the TIME_WAIT socket answers the SYN with an ACK, the client (SYN_SENT) answers that ACK with a RST whose seq equals rcv_nxt, which kills the TIME_WAIT (tcp_rfc1337=0), and the client\'s SYN retransmission a few ms later reaches the listener. At the end the server holds one TIME-WAIT per port.',
  },
  {
    name: 'tw-pressure',
    serverPort: 7006,
    client: { 'net.ipv4.ip_local_port_range': '42000 42199' },
    server: {},
    maxAttempts: 20000,
    failForMs: 1000,
    description: 'time-wait-pressure: client namespace ip_local_port_range "42000 42199" (200 ports), tcp_tw_reuse=0; the client opens a connection, sends a request with its FIN (client closes first, so it holds the TIME_WAIT), the server answers and closes, and the next attempt starts at once, until connect() has failed with EADDRNOTAVAIL for 1 s (or 20000 attempts; the capture stops soon after, so the last frame is < 2 s before ss). At the end the client holds 200 TIME-WAIT sockets (every port of the range); every later connect() failed without a packet on the wire.',
  },
];

export function runByName(name) {
  const r = RUNS.find((x) => x.name === name);
  if (!r) throw new Error(`unknown run ${name} (runs: ${RUNS.map((x) => x.name).join(', ')})`);
  return r;
}

/** The sysctls set in a namespace of a run (role 'client' | 'server'). */
export function sysctlsFor(run, role) {
  return { ...BASE_SYSCTLS, ...run[role] };
}
