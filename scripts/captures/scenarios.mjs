// The scenario table: one entry per TCP connection that a capture run makes.
//
// Each scenario has a fixed server port (5000 + n) and a fixed client port
// (40000 + n), so every connection can be named in the manifest by its
// endpoints. `client(ctx)` and `server(sock, ctx)` are the socket programs
// (run by client.mjs and server.mjs, usually in two network namespaces);
// `expect` is the verdict the design produces, written down from what the
// programs do, never from closetrace's output; `check(w)` is a sanity check of
// the designed wire shape against tshark's view of the stream (used by
// make-manifest.mjs to reject a run where something unexpected happened, e.g.
// a retransmission changed the story).
//
// Timing constants are in ms. The driver sets, in every namespace it makes:
//   net.ipv4.tcp_fin_timeout = 2        (orphaned FIN_WAIT_2 lives 2 s)
//   net.ipv4.tcp_keepalive_intvl = 1, net.ipv4.tcp_keepalive_probes = 3
//     (Node's setKeepAlive() overrides these per socket: libuv sets
//     TCP_KEEPINTVL=1 and TCP_KEEPCNT=10)
//   net.ipv4.tcp_retries2 = 2           (a peer that stops ACKing is given up
//                                        after ~1.4 s of retransmissions)

import dgram from 'node:dgram';
import net from 'node:net';
import { execFileSync } from 'node:child_process';

export const SERVER_PORT_BASE = 5000;
export const CLIENT_PORT_BASE = 40000;
export const LATE_FIN_MS = 4500; // > tcp_fin_timeout (2 s) + margin
export const SLOW_CLOSE_MS = 1500; // >= 1 s
export const SHORT_MS = 300;
export const KEEPALIVE_IDLE_MS = 1000;
export const DEAD_PEER_MS = 4000; // > the server's retransmission timeout with tcp_retries2=2 (~1.4 s + RTOs)
export const CHUNKS = 8; // payload chunks a CLOSE_WAIT sender writes after the peer's FIN

const RESPONSE = 'HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok'; // 40 bytes
const REQUEST = 'GET / HTTP/1.0\r\n\r\n'; // 18 bytes

const PAD_BYTES = 358; // a 400-byte frame: at 64 kbit/s, 50 ms of debt in the sender's HTB class (< RTO min 200 ms)

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Sends PAD_BYTES of UDP from the TCP connection's own address and port to the peer's: it goes through
 * the same HTB class as the sender's TCP segments (u32 matches the port whatever the protocol) and puts
 * it in debt, so the kernel's next segment from that port (an RST) waits in the qdisc. The capture filter
 * only takes TCP. Resolves once the datagram is handed to the kernel.
 */
function sendPad(peer) {
  return new Promise((resolve) => {
    const u = dgram.createSocket(peer.address.includes(':') ? 'udp6' : 'udp4');
    u.on('error', () => { u.close(); resolve(); });
    u.bind({ address: peer.local.address, port: peer.local.port }, () => {
      u.send(Buffer.alloc(PAD_BYTES, 0x70), peer.port, peer.address, () => { u.close(); resolve(); });
    });
  });
}

/** Resolves when a UDP datagram arrives at address:port (the peer's pad: its class is now in debt). */
function awaitPad(address, port) {
  return new Promise((resolve) => {
    const u = dgram.createSocket(address.includes(':') ? 'udp6' : 'udp4');
    u.on('message', () => { u.close(); resolve(); });
    u.bind({ address, port });
  });
}
const once = (em, ev) => new Promise((r) => em.once(ev, r));

/** Black-hole (at route lookup, before any capture point) every TCP segment
 * this namespace sends from `port`. Needs root in the namespace. */
export function blackholeSport(port) {
  for (const fam of ['-4', '-6']) {
    execFileSync('ip', [fam, 'rule', 'add', 'pref', '10', 'ipproto', 'tcp', 'sport', String(port), 'blackhole']);
  }
}

/** Undo blackholeSport(port). */
export function unblackholeSport(port) {
  for (const fam of ['-4', '-6']) {
    execFileSync('ip', [fam, 'rule', 'del', 'pref', '10', 'ipproto', 'tcp', 'sport', String(port), 'blackhole']);
  }
}

/** Resolve when the socket is closed (whatever the reason). */
function closed(s) {
  return new Promise((r) => {
    if (s.destroyed && s.closed) r();
    else s.once('close', r);
  });
}

function swallow(s, log, tag) {
  s.on('error', (e) => log(`${tag}: ${e.code || e.message}`));
}

// Helpers for stream checks: w = { fins, rsts, syn, synack, cdir, sdir, segments, segAck }
// where cdir/sdir are the tshark dir strings ('a->b'/'b->a') of client/server,
// segments = every segment of the stream as { frame, dir, len } and segAck(frame)
// the ack_raw of a frame (null when its ACK flag is clear).
const finsOf = (w, d) => w.fins.filter((f) => f.dir === d);
const rstsOf = (w, d) => w.rsts.filter((r) => r.dir === d);
const firstFin = (w) => w.fins[0];

export const SCENARIOS = [
  {
    n: 1,
    id: 'orderly-client-first',
    expect: { verdict: 'orderly', endpoint: 'client', halfClose: false },
    description: 'request/response; client end()s after the response, server (allowHalfOpen=false) FINs back at once',
    server: (s) => { s.on('data', () => s.write(RESPONSE)); },
    client: async (s) => { s.write(REQUEST); await once(s, 'data'); s.end(); await closed(s); },
    check: (w) => firstFin(w)?.dir === w.cdir && finsOf(w, w.sdir).length >= 1 && w.rsts.length === 0,
  },
  {
    n: 2,
    id: 'orderly-server-first',
    expect: { verdict: 'orderly', endpoint: 'server', halfClose: false },
    description: 'request/response; server end()s after the response, client (allowHalfOpen=false) FINs back at once',
    server: (s) => { s.on('data', () => s.end(RESPONSE)); },
    client: async (s) => { s.write(REQUEST); await closed(s); },
    check: (w) => firstFin(w)?.dir === w.sdir && finsOf(w, w.cdir).length >= 1 && w.rsts.length === 0,
  },
  {
    n: 3,
    id: 'orderly-halfclose-client',
    expect: { verdict: 'orderly', endpoint: 'client', halfClose: true },
    description: 'client sends request and end()s at once (half-close); server answers after the FIN, then end()s',
    serverOpts: { allowHalfOpen: true },
    server: (s) => { s.on('data', () => {}); s.on('end', () => s.end(RESPONSE)); },
    client: async (s) => { s.end(REQUEST); await closed(s); },
    check: (w) => firstFin(w)?.dir === w.cdir && finsOf(w, w.sdir).length >= 1 && w.rsts.length === 0,
  },
  {
    n: 4,
    id: 'orderly-halfclose-server',
    expect: { verdict: 'orderly', endpoint: 'server', halfClose: true },
    description: 'server sends a banner and end()s (half-close, keeps reading); client sends data after the FIN, then end()s',
    serverOpts: { allowHalfOpen: true },
    server: (s) => { s.end(RESPONSE); s.on('data', () => {}); },
    clientOpts: { allowHalfOpen: true },
    client: async (s) => { s.on('data', () => {}); await once(s, 'end'); s.end(REQUEST); await closed(s); },
    check: (w) => firstFin(w)?.dir === w.sdir && finsOf(w, w.cdir).length >= 1 && w.rsts.length === 0,
  },
  {
    n: 5,
    id: 'close-wait-server-idle',
    expect: { verdict: 'close-wait', endpoint: 'server', activity: 'idle' },
    description: 'request/response, client end()s; server (allowHalfOpen) never closes: CLOSE_WAIT leak, idle',
    serverOpts: { allowHalfOpen: true },
    server: (s) => { s.on('data', () => s.write(RESPONSE)); },
    client: async (s) => { s.write(REQUEST); await once(s, 'data'); s.end(); await sleep(SHORT_MS); },
    check: (w) => finsOf(w, w.cdir).length >= 1 && finsOf(w, w.sdir).length === 0 && w.rsts.length === 0 && w.fins[0].acked,
  },
  {
    n: 6,
    id: 'close-wait-client-idle',
    expect: { verdict: 'close-wait', endpoint: 'client', activity: 'idle' },
    description: 'request/response, server end()s; client (allowHalfOpen) never closes: CLOSE_WAIT leak, idle',
    server: (s) => { s.on('data', () => s.end(RESPONSE)); },
    clientOpts: { allowHalfOpen: true },
    client: async (s) => { s.write(REQUEST); s.on('data', () => {}); await once(s, 'end'); await sleep(SHORT_MS); },
    check: (w) => finsOf(w, w.sdir).length >= 1 && finsOf(w, w.cdir).length === 0 && w.rsts.length === 0 && w.fins[0].acked,
  },
  {
    n: 7,
    id: 'close-wait-server-sending',
    expect: { verdict: 'close-wait', endpoint: 'server', activity: 'sending' },
    description: 'client sends request and end()s; server (allowHalfOpen) keeps streaming 20-byte chunks (8, one every 250 ms) after the FIN and never closes',
    serverOpts: { allowHalfOpen: true },
    server: (s, ctx) => {
      s.on('data', () => {});
      s.on('end', () => {
        let k = 0;
        const t = setInterval(() => {
          s.write(`chunk ${String(k++).padStart(13, '0')}\n`);
          if (k === 3) ctx.done();
          if (k === CHUNKS) clearInterval(t);
        }, 250);
        s.on('close', () => clearInterval(t));
      });
    },
    serverAsync: true,
    client: async (s) => {
      s.end(REQUEST);
      let n = 0;
      await new Promise((r) => s.on('data', () => { if (++n === 3) r(); }));
    },
    check: (w) => finsOf(w, w.cdir).length >= 1 && finsOf(w, w.sdir).length === 0 && w.rsts.length === 0,
  },
  {
    n: 8,
    id: 'close-wait-client-sending',
    expect: { verdict: 'close-wait', endpoint: 'client', activity: 'sending' },
    description: 'server sends a banner and end()s (keeps reading); client (allowHalfOpen) keeps streaming 20-byte chunks (8, one every 250 ms) after the FIN and never closes',
    serverOpts: { allowHalfOpen: true },
    server: (s) => { s.end(RESPONSE); s.on('data', () => {}); },
    clientOpts: { allowHalfOpen: true },
    client: async (s) => {
      s.on('data', () => {});
      await once(s, 'end');
      let k = 0;
      await new Promise((r) => {
        const t = setInterval(() => {
          s.write(`chunk ${String(k++).padStart(13, '0')}\n`);
          if (k === 3) r();
          if (k === CHUNKS) clearInterval(t);
        }, 250);
        s.on('close', () => clearInterval(t));
      });
    },
    check: (w) => finsOf(w, w.sdir).length >= 1 && finsOf(w, w.cdir).length === 0 && w.rsts.length === 0,
  },
  {
    n: 9,
    id: 'slow-close-server',
    expect: { verdict: 'slow-close', endpoint: 'server' },
    description: `request/response, client end()s; server (allowHalfOpen) end()s ${SLOW_CLOSE_MS} ms after the FIN`,
    serverOpts: { allowHalfOpen: true },
    server: (s) => { s.on('data', () => s.write(RESPONSE)); s.on('end', () => setTimeout(() => s.end(), SLOW_CLOSE_MS)); },
    client: async (s) => { s.write(REQUEST); await once(s, 'data'); s.end(); await closed(s); },
    check: (w) => firstFin(w)?.dir === w.cdir && finsOf(w, w.sdir).length >= 1 && w.rsts.length === 0
      && secs(finsOf(w, w.sdir)[0].time) - secs(w.fins[0].time) >= 1.0,
  },
  {
    n: 10,
    id: 'slow-close-client',
    expect: { verdict: 'slow-close', endpoint: 'client' },
    description: `request/response, server end()s; client (allowHalfOpen) end()s ${SLOW_CLOSE_MS} ms after the FIN`,
    server: (s) => { s.on('data', () => s.end(RESPONSE)); },
    clientOpts: { allowHalfOpen: true },
    client: async (s) => {
      s.write(REQUEST); s.on('data', () => {});
      await once(s, 'end'); await sleep(SLOW_CLOSE_MS); s.end(); await closed(s);
    },
    check: (w) => firstFin(w)?.dir === w.sdir && finsOf(w, w.cdir).length >= 1 && w.rsts.length === 0
      && secs(finsOf(w, w.cdir)[0].time) - secs(w.fins[0].time) >= 1.0,
  },
  {
    n: 11,
    id: 'late-fin-reset-server',
    expect: { verdict: 'late-fin-reset', endpoint: 'server' },
    description: `request/response; client end()s and closes (orphaned FIN_WAIT_2, tcp_fin_timeout=2 s); server (allowHalfOpen) end()s ${LATE_FIN_MS} ms later, the client kernel has no socket left and answers the FIN with RST`,
    serverOpts: { allowHalfOpen: true },
    server: (s, ctx) => {
      s.on('data', () => s.write(RESPONSE));
      s.on('end', () => setTimeout(() => { s.end(); setTimeout(ctx.done, SHORT_MS); }, LATE_FIN_MS));
    },
    serverAsync: true,
    client: async (s) => { s.write(REQUEST); await once(s, 'data'); s.end(); await sleep(50); s.destroy(); },
    check: (w) => firstFin(w)?.dir === w.cdir && finsOf(w, w.sdir).length === 1 && rstsOf(w, w.cdir).length === 1
      && w.rsts[0].frame > finsOf(w, w.sdir)[0].frame && w.rsts[0].ack_raw === null,
  },
  {
    n: 12,
    id: 'late-fin-reset-client',
    expect: { verdict: 'late-fin-reset', endpoint: 'client' },
    description: `request/response; server end()s and closes (orphaned FIN_WAIT_2, tcp_fin_timeout=2 s); client (allowHalfOpen) end()s ${LATE_FIN_MS} ms later, the server kernel answers that FIN with RST`,
    server: (s) => { s.on('data', () => { s.end(RESPONSE); setTimeout(() => s.destroy(), 50); }); },
    clientOpts: { allowHalfOpen: true },
    client: async (s) => {
      s.write(REQUEST); s.on('data', () => {});
      await once(s, 'end'); await sleep(LATE_FIN_MS); s.end(); await closed(s);
    },
    check: (w) => firstFin(w)?.dir === w.sdir && finsOf(w, w.cdir).length === 1 && rstsOf(w, w.sdir).length === 1
      && w.rsts[0].frame > finsOf(w, w.cdir)[0].frame && w.rsts[0].ack_raw === null,
  },
  {
    n: 13,
    id: 'abortive-client-linger0',
    expect: { verdict: 'abortive-close', endpoint: 'client', cause: 'linger-zero', confidence: 'certain', fromState: 'ESTABLISHED' },
    description: 'client sends a request, gets no payload back, then resetAndDestroy() (SO_LINGER {1,0})',
    server: (s) => { s.on('data', () => {}); },
    client: async (s) => { s.write(REQUEST); await sleep(SHORT_MS); s.resetAndDestroy(); },
    check: (w) => w.fins.length === 0 && rstsOf(w, w.cdir).length === 1 && w.rsts.length === 1 && w.rsts[0].ack_raw !== null,
  },
  {
    n: 14,
    id: 'abortive-server-linger0',
    expect: { verdict: 'abortive-close', endpoint: 'server', cause: 'linger-zero', confidence: 'likely', fromState: 'ESTABLISHED' },
    description: 'server reads the request, sends a response, then resetAndDestroy() (SO_LINGER {1,0})',
    server: (s) => { s.on('data', () => { s.write(RESPONSE); setTimeout(() => s.resetAndDestroy(), SHORT_MS); }); },
    client: async (s) => { s.write(REQUEST); s.on('data', () => {}); await closed(s); },
    check: (w) => w.fins.length === 0 && rstsOf(w, w.sdir).length === 1 && w.rsts.length === 1 && w.rsts[0].ack_raw !== null,
  },
  {
    n: 15,
    id: 'abortive-server-unread',
    expect: { verdict: 'abortive-close', endpoint: 'server', cause: 'linger-zero-or-unread-data', fromState: 'ESTABLISHED' },
    description: 'server (pauseOnConnect) never reads the 18-byte request and destroy()s: Linux close() with unread data sends RST',
    serverOpts: { pauseOnConnect: true },
    server: (s) => { setTimeout(() => s.destroy(), SHORT_MS); },
    client: async (s) => { s.write(REQUEST); await closed(s); },
    check: (w) => w.fins.length === 0 && rstsOf(w, w.sdir).length === 1 && w.rsts.length === 1 && w.rsts[0].ack_raw !== null,
  },
  {
    n: 16,
    id: 'abortive-client-unread',
    expect: { verdict: 'abortive-close', endpoint: 'client', cause: 'linger-zero-or-unread-data', fromState: 'ESTABLISHED' },
    description: 'server sends a 40-byte banner; client (paused, never reads) destroy()s: close() with unread data sends RST',
    server: (s) => { s.write(RESPONSE); s.on('data', () => {}); },
    clientPaused: true,
    client: async (s) => { await sleep(SHORT_MS); s.destroy(); },
    check: (w) => w.fins.length === 0 && rstsOf(w, w.cdir).length === 1 && w.rsts.length === 1 && w.rsts[0].ack_raw !== null,
  },
  {
    n: 17,
    id: 'abortive-client-closewait',
    expect: { verdict: 'abortive-close', endpoint: 'client', cause: 'linger-zero', confidence: 'certain', fromState: 'CLOSE_WAIT' },
    description: 'client sends a request; server end()s with no payload (keeps its socket); client (allowHalfOpen) resetAndDestroy()s 300 ms after the FIN',
    serverOpts: { allowHalfOpen: true },
    server: (s) => { s.on('data', () => s.end()); },
    clientOpts: { allowHalfOpen: true },
    client: async (s) => { s.write(REQUEST); await once(s, 'end'); await sleep(SHORT_MS); s.resetAndDestroy(); },
    check: (w) => firstFin(w)?.dir === w.sdir && finsOf(w, w.cdir).length === 0 && rstsOf(w, w.cdir).length === 1
      && w.rsts.length === 1 && w.rsts[0].ack_raw !== null,
  },
  {
    n: 18,
    id: 'abortive-server-closewait-unread',
    expect: { verdict: 'abortive-close', endpoint: 'server', cause: 'linger-zero-or-unread-data', fromState: 'CLOSE_WAIT' },
    description: 'client sends an 18-byte request and end()s; server (pauseOnConnect, never reads) destroy()s 300 ms later in CLOSE_WAIT: RST for unread data',
    serverOpts: { pauseOnConnect: true },
    server: (s) => { setTimeout(() => s.destroy(), SHORT_MS); },
    client: async (s) => { s.end(REQUEST); await closed(s); },
    check: (w) => firstFin(w)?.dir === w.cdir && finsOf(w, w.sdir).length === 0 && rstsOf(w, w.sdir).length === 1
      && w.rsts.length === 1 && w.rsts[0].ack_raw !== null,
  },
  {
    n: 19,
    id: 'reset-after-close-server',
    expect: { verdict: 'reset-after-close', endpoint: 'server' },
    description: 'server idles out: end()+destroy() 300 ms after accept; client (allowHalfOpen) writes a request 300 ms after that FIN; the closed server socket answers with RST',
    server: (s) => { s.on('data', () => {}); setTimeout(() => { s.end(); s.destroy(); }, SHORT_MS); },
    clientOpts: { allowHalfOpen: true },
    // (Node does not notice the RST: it no longer reads after EOF and writes nothing more)
    client: async (s) => { await once(s, 'end'); await sleep(SHORT_MS); s.write(REQUEST); await sleep(SHORT_MS); },
    check: (w) => firstFin(w)?.dir === w.sdir && finsOf(w, w.cdir).length === 0 && rstsOf(w, w.sdir).length === 1
      && w.rsts[0].after_own_fin,
  },
  {
    n: 20,
    id: 'reset-after-close-client',
    expect: { verdict: 'reset-after-close', endpoint: 'client' },
    description: 'client sends a request then end()+destroy() at once; server (allowHalfOpen) answers 300 ms later; the closed client socket answers with RST',
    serverOpts: { allowHalfOpen: true },
    server: (s, ctx) => {
      s.once('data', () => setTimeout(() => { s.write(RESPONSE); setTimeout(ctx.done, SHORT_MS); }, SHORT_MS));
    },
    serverAsync: true,
    client: async (s) => { s.end(REQUEST); await sleep(20); s.destroy(); },
    check: (w) => firstFin(w)?.dir === w.cdir && finsOf(w, w.sdir).length === 0 && rstsOf(w, w.cdir).length === 1
      && w.rsts[0].after_own_fin,
  },
  {
    n: 21,
    id: 'keepalive-client',
    expect: { verdict: 'keepalive-timeout', endpoint: 'client' },
    description: 'request/response; then the server namespace black-holes everything sent from the server port (ip rule ... blackhole) and the client\'s keepalive (setKeepAlive(true, 1000): libuv sets idle 1 s, interval 1 s, 10 probes) gives up: Linux sends RST+ACK',
    server: (s) => { s.once('data', () => { s.write(RESPONSE); setTimeout(() => blackholeSport(s.localPort), 50); }); },
    client: async (s) => {
      s.write(REQUEST); await once(s, 'data');
      await sleep(200); s.setKeepAlive(true, KEEPALIVE_IDLE_MS); await closed(s);
    },
    check: (w) => w.fins.length === 0 && rstsOf(w, w.cdir).length === 1 && w.rsts.length === 1,
  },
  {
    n: 22,
    id: 'keepalive-server',
    expect: { verdict: 'keepalive-timeout', endpoint: 'server' },
    description: 'request/response; then the client namespace black-holes everything sent from the client port and the server\'s keepalive (setKeepAlive(true, 1000): idle 1 s, interval 1 s, 10 probes) gives up: Linux sends RST+ACK',
    server: (s, ctx) => {
      s.once('data', () => { s.write(RESPONSE); setTimeout(() => s.setKeepAlive(true, KEEPALIVE_IDLE_MS), 200); });
      s.on('close', () => ctx.done());
    },
    serverAsync: true,
    client: async (s) => {
      s.write(REQUEST); await once(s, 'data');
      blackholeSport(s.localPort);
      await closed(s);
    },
    check: (w) => w.fins.length === 0 && rstsOf(w, w.sdir).length === 1 && w.rsts.length === 1,
  },
  {
    n: 23,
    id: 'refused',
    expect: { verdict: 'refused', endpoint: 'server' },
    description: 'connect to a port with no listener: SYN answered by RST+ACK',
    noListener: true,
    client: async (s) => { await closed(s); },
    check: (w) => w.syn.length >= 1 && rstsOf(w, w.sdir).length === 1 && w.synack.length === 0,
  },
  {
    n: 24,
    id: 'unanswered',
    expect: { verdict: 'unanswered', endpoint: null },
    description: 'connect to a port with no listener whose RSTs the server namespace black-holes (ip rule sport blackhole): the SYN and its retransmissions (1 s apart) get no reply; client gives up after 2.5 s',
    noListener: true,
    blackholeServerPort: true,
    client: async (s) => { await Promise.race([closed(s), sleep(2500)]); s.destroy(); },
    check: (w) => w.syn.length >= 2 && w.synack.length === 0 && w.rsts.length === 0 && w.fins.length === 0,
  },
  {
    n: 25,
    id: 'open',
    expect: { verdict: 'open', endpoint: null },
    description: 'request/response, then both sides stay idle until the capture ends',
    server: (s) => { s.on('data', () => s.write(RESPONSE)); },
    client: async (s) => { s.write(REQUEST); await once(s, 'data'); },
    check: (w) => w.fins.length === 0 && w.rsts.length === 0 && w.synack.length === 1,
  },
  {
    n: 26,
    id: 'simultaneous',
    expect: { verdict: 'simultaneous-close', endpoint: null },
    description: 'client sends a close time T; at T both sides write 40 bytes and end(); this port goes through a slow HTB class (32 kbit/s, 1-byte burst) so each FIN is queued behind the data segment and both FINs are in flight at once',
    slow: true,
    serverOpts: { allowHalfOpen: true },
    server: (s) => {
      s.once('data', (d) => {
        const at = Number(String(d).trim().slice(2));
        setTimeout(() => s.end(RESPONSE), Math.max(0, at - Date.now()));
      });
      s.on('data', () => {});
    },
    clientOpts: { allowHalfOpen: true },
    client: async (s) => {
      s.on('data', () => {});
      const at = Date.now() + 400;
      s.write(`T=${at}\n`);
      await sleep(Math.max(0, at - Date.now()));
      s.end(RESPONSE);
      await closed(s);
    },
    // both FINs present and neither FIN segment acknowledges the other FIN
    check: (w) => {
      const c = finsOf(w, w.cdir)[0];
      const s = finsOf(w, w.sdir)[0];
      if (!c || !s || w.rsts.length) return false;
      return !ackCovers(w.segAck(c.frame), s) && !ackCovers(w.segAck(s.frame), c);
    },
  },
  {
    n: 27,
    id: 'reset-no-socket',
    expect: { verdict: 'reset', endpoint: 'server', cause: 'no-socket' },
    description: 'request; the client namespace black-holes everything sent from the client port; the server\'s 40-byte response is never ACKed and its retransmissions time out (tcp_retries2=2: the server socket dies silently, no RST); the client lifts the black hole and writes again: the server kernel has no socket and answers with a bare RST',
    server: (s) => { s.once('data', () => setTimeout(() => s.write(RESPONSE), SHORT_MS)); },
    client: async (s) => {
      s.write(REQUEST);
      await sleep(100);
      blackholeSport(s.localPort);
      await once(s, 'data');
      await sleep(DEAD_PEER_MS);
      unblackholeSport(s.localPort);
      s.write(REQUEST);
      await Promise.race([closed(s), sleep(1000)]);
    },
    check: (w) => w.fins.length === 0 && w.rsts.length === 1 && rstsOf(w, w.sdir).length === 1 && w.rsts[0].ack_raw === null,
  },
  // ---------------------------------------------------------------- close semantics (run close-semantics)
  {
    n: 28,
    id: 'halfclose-long-client',
    expect: { verdict: 'orderly', endpoint: 'client', halfClose: true },
    description: `client sends its request and end()s at once (shutdown SHUT_WR); server (allowHalfOpen) answers with ${CHUNKS} 20-byte chunks 250 ms apart after that FIN (2 s, longer than the 1 s slow-close threshold), then end()s: a long half-close, not a slow close`,
    serverOpts: { allowHalfOpen: true },
    server: (s, ctx) => {
      s.on('data', () => {});
      s.on('end', () => {
        let k = 0;
        const t = setInterval(() => {
          if (k === CHUNKS) { clearInterval(t); s.end(); setTimeout(ctx.done, SHORT_MS); return; }
          s.write(`chunk ${String(k++).padStart(13, '0')}\n`);
        }, 250);
        s.on('close', () => clearInterval(t));
      });
    },
    serverAsync: true,
    client: async (s) => { s.on('data', () => {}); s.end(REQUEST); await closed(s); },
    check: (w) => {
      const c = finsOf(w, w.cdir)[0];
      const s = finsOf(w, w.sdir)[0];
      return firstFin(w)?.dir === w.cdir && !!s && w.rsts.length === 0
        && payloadBetween(w, w.sdir, c.frame, s.frame) >= CHUNKS && secs(s.time) - secs(c.time) >= 1.0;
    },
  },
  {
    n: 29,
    id: 'halfclose-long-server',
    expect: { verdict: 'orderly', endpoint: 'server', halfClose: true },
    description: `server sends a banner and end()s (half-close, keeps reading); client (allowHalfOpen) writes ${CHUNKS} 20-byte chunks 250 ms apart after that FIN (2 s, longer than the 1 s slow-close threshold), then end()s`,
    serverOpts: { allowHalfOpen: true },
    server: (s) => { s.end(RESPONSE); s.on('data', () => {}); },
    clientOpts: { allowHalfOpen: true },
    client: async (s) => {
      s.on('data', () => {});
      await once(s, 'end');
      let k = 0;
      await new Promise((r) => {
        const t = setInterval(() => {
          if (k === CHUNKS) { clearInterval(t); s.end(); r(); return; }
          s.write(`chunk ${String(k++).padStart(13, '0')}\n`);
        }, 250);
        s.on('close', () => { clearInterval(t); r(); });
      });
      await closed(s);
    },
    check: (w) => {
      const s = finsOf(w, w.sdir)[0];
      const c = finsOf(w, w.cdir)[0];
      return firstFin(w)?.dir === w.sdir && !!c && w.rsts.length === 0
        && payloadBetween(w, w.cdir, s.frame, c.frame) >= CHUNKS && secs(c.time) - secs(s.time) >= 1.0;
    },
  },
  {
    n: 30,
    id: 'keepalive-race-server',
    expect: { verdict: 'reset-after-close', endpoint: 'server' },
    description: `request/response; the server closes the idle connection (end()+destroy() 50 ms after the response); ${SHORT_MS} ms after that FIN the client (allowHalfOpen) sends a second request and its FIN (end(request2): two segments a few ms apart); the closed server socket answers the request with RST and the FIN with another: the race of an HTTP keep-alive client with a server's idle timeout. Both client segments are on the wire before the first RST because what the server sends from this port is shaped to 64 kbit/s (HTB) and a ${PAD_BYTES}-byte UDP datagram from the server port (not captured), sent ${SHORT_MS} ms after the FIN and awaited by the client before it writes, puts that class 50 ms in debt (the run disables tail loss probes, so nothing is retransmitted meanwhile)`,
    delaySender: 'server',
    server: (s) => {
      s.once('data', () => {
        s.write(RESPONSE);
        const peer = { address: s.remoteAddress, port: s.remotePort, local: { address: s.localAddress, port: s.localPort } };
        setTimeout(() => { s.end(); s.destroy(); setTimeout(() => sendPad(peer), SHORT_MS); }, 50);
      });
    },
    clientOpts: { allowHalfOpen: true },
    client: async (s) => {
      const pad = awaitPad(s.localAddress, s.localPort);
      s.on('data', () => {});
      s.write(REQUEST);
      await once(s, 'end');
      await pad;
      s.end(REQUEST);
      await Promise.race([closed(s), sleep(1000)]);
    },
    check: (w) => raceShape(w, w.sdir, w.cdir),
  },
  {
    n: 31,
    id: 'keepalive-race-client',
    expect: { verdict: 'reset-after-close', endpoint: 'client' },
    description: `mirror image of keepalive-race-server: request/response; the client closes (end()+destroy() 50 ms after the response); ${SHORT_MS} ms after that FIN the server (allowHalfOpen) sends 40 bytes and its FIN (end(data): two segments); the closed client socket answers both with RST. The client's port is shaped to 64 kbit/s and put 50 ms in debt by a ${PAD_BYTES}-byte UDP datagram from the client port (not captured, awaited by the server before it writes), so both server segments are on the wire before the first RST`,
    delaySender: 'client',
    serverOpts: { allowHalfOpen: true },
    server: (s, ctx) => {
      const pad = awaitPad(s.localAddress, s.localPort);
      s.once('data', () => s.write(RESPONSE));
      s.on('end', async () => { await pad; s.end(RESPONSE); setTimeout(ctx.done, 1000); });
    },
    serverAsync: true,
    client: async (s) => {
      s.on('data', () => {});
      s.write(REQUEST);
      await once(s, 'data');
      const peer = { address: s.remoteAddress, port: s.remotePort, local: { address: s.localAddress, port: s.localPort } };
      await sleep(50);
      s.end();
      s.destroy();
      await sleep(SHORT_MS);
      await sendPad(peer);
    },
    check: (w) => raceShape(w, w.cdir, w.sdir),
  },
];

/**
 * The keep-alive race: `closer` FINed first; afterwards the other side sent payload and its own FIN
 * (once each), both on the wire before the closer's first RST (which answers that payload, passive shape: ACK clear),
 * and the other side never reset.
 */
function raceShape(w, closer, other) {
  const closerFin = finsOf(w, closer)[0];
  const otherFin = finsOf(w, other)[0];
  const rst = rstsOf(w, closer)[0];
  if (!closerFin || !otherFin || !rst || firstFin(w) !== closerFin || rstsOf(w, other).length) return false;
  // one payload segment and one FIN after the closer's FIN, nothing retransmitted
  return payloadBetween(w, other, closerFin.frame, Infinity) === 1 && payloadBetween(w, other, closerFin.frame, rst.frame) === 1
    && finsOf(w, other).length === 1 && otherFin.frame < rst.frame && rst.after_own_fin && rst.ack_raw === null;
}

/** Payload-carrying segments sent in direction `dir` strictly between two frames. */
function payloadBetween(w, dir, after, before) {
  return w.segments.filter((g) => g.dir === dir && g.len > 0 && g.frame > after && g.frame < before).length;
}

const U32 = 0x1_0000_0000;
function ackCovers(ack, fin) {
  if (ack === null || ack === undefined) return false;
  const want = (fin.seq_raw + fin.len + 1) % U32;
  return ((ack - want + U32) % U32) < 0x8000_0000;
}

function secs(t) {
  return Number(t);
}

export const serverPort = (sc) => SERVER_PORT_BASE + sc.n;
export const clientPort = (sc) => CLIENT_PORT_BASE + sc.n;
export { sleep, swallow, closed };
export const SLOW_PORT = SERVER_PORT_BASE + SCENARIOS.find((s) => s.slow).n;
// Ports whose outgoing packets go through a slow HTB class of their own (64 kbit/s, 1-byte burst) in every
// namespace: after its UDP pad (sendPad), the side named by `delaySender` answers late, after the peer's
// next segments are on the wire.
export const DELAYED_SPORTS = SCENARIOS.filter((s) => s.delaySender).map((s) => (s.delaySender === 'server' ? serverPort(s) : clientPort(s)));
export const BLACKHOLED_SERVER_PORTS = SCENARIOS.filter((s) => s.blackholeServerPort).map(serverPort);
