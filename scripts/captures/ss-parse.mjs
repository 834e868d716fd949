// Parser of `ss -tan` / `ss -tano` output (iproute2 ss, TCP sockets, numeric).
//
//   import { parseSs, stateCounts } from './ss-parse.mjs';
//   parseSs(text) -> [{ state, ssState, listen, recvQ, sendQ, local, peer, timer }]
//
// `state` is closetrace's spelling of the TCP state (TcpStateName in
// src/track/tcp-state.ts); `ssState` is the word ss printed. LISTEN sockets are
// kept with `listen: true`: a capture never shows a listener as such, so
// comparisons with closetrace exclude them. `timer` is null when ss printed
// none (always with plain `-tan`), else { name, remainingSeconds, retransmits,
// text } from the field `timer:(name,expire,retrans)` (text is the whole field); ss prints the expiry with its own
// compact format (print_ms_timer: "1min5sec", "59sec", "5.123ms" meaning
// 5.123 s, "200ms", "" for 0).
//
// Addresses are normalised to closetrace's `ip:port` / `[ipv6]:port` form: an
// IPv4-mapped IPv6 address ([::ffff:192.0.2.1]:80, a dual-stack socket) is
// written as the IPv4 address that is on the wire, a `%iface` scope suffix is
// moved to `localInterface` / `peerInterface`. Wildcards stay as ss printed
// them (0.0.0.0:*, [::]:*, *:*).
//
// Throws on a line it does not understand, naming the line number, so a
// changed ss output format cannot silently lose sockets.

/** ss state word -> closetrace state name. */
export const SS_STATES = Object.freeze({
  ESTAB: 'ESTABLISHED',
  'SYN-SENT': 'SYN_SENT',
  'SYN-RECV': 'SYN_RECEIVED',
  'FIN-WAIT-1': 'FIN_WAIT_1',
  'FIN-WAIT-2': 'FIN_WAIT_2',
  'TIME-WAIT': 'TIME_WAIT',
  // ss prints a TCP socket in TCP_CLOSE as UNCONN (sstate_name[SS_CLOSE])
  UNCONN: 'CLOSED',
  'CLOSE-WAIT': 'CLOSE_WAIT',
  'LAST-ACK': 'LAST_ACK',
  LISTEN: 'LISTEN',
  CLOSING: 'CLOSING',
});

const TIMER = /^timer:\(([a-z]+),([^,]*),(\d+)\)$/;

/**
 * Seconds of an ss timer expiry text (iproute2 ss.c print_ms_timer): minutes
 * "Nmin", then whole seconds "Nsec" or seconds with milliseconds "N.MMMms",
 * or milliseconds alone "MMMms"; an empty text is 0.
 */
export function timerSeconds(text) {
  const m = /^(?:(\d+)min)?(?:(\d+)sec|(\d+)\.(\d{3})ms|(\d+)ms)?$/.exec(text);
  if (m === null) throw new Error(`not an ss timer expiry: "${text}"`);
  const [, min, sec, secWithMs, msAfterSec, msOnly] = m;
  let s = 0;
  if (min !== undefined) s += Number(min) * 60;
  if (sec !== undefined) s += Number(sec);
  if (secWithMs !== undefined) s += Number(secWithMs) + Number(msAfterSec) / 1000;
  if (msOnly !== undefined) s += Number(msOnly) / 1000;
  return Math.round(s * 1000) / 1000;
}

/** Splits `addr:port` as ss prints it; returns { address, iface }. */
export function normaliseAddress(text) {
  const cut = text.lastIndexOf(':');
  if (cut <= 0) throw new Error(`not an ss address:port: "${text}"`);
  let host = text.slice(0, cut);
  const port = text.slice(cut + 1);
  if (!/^(\d+|\*)$/.test(port)) throw new Error(`not an ss port in "${text}"`);
  let iface = null;
  const bracketed = host.startsWith('[') && host.endsWith(']');
  if (bracketed) host = host.slice(1, -1);
  const pct = host.indexOf('%');
  if (pct >= 0) { iface = host.slice(pct + 1); host = host.slice(0, pct); }
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(host);
  if (mapped !== null) return { address: `${mapped[1]}:${port}`, iface };
  if (host.includes(':')) return { address: `[${host}]:${port}`, iface };
  return { address: `${host}:${port}`, iface };
}

/** Parses the whole output of `ss -tan` or `ss -tano` (with or without the header line). */
export function parseSs(text) {
  const sockets = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '') continue;
    if (/^State\s+Recv-Q\s+Send-Q\b/.test(line)) continue;
    // ss moves fields that do not fit the screen width to a continuation line (starts with blanks)
    if (/^\s/.test(line)) {
      const prev = sockets[sockets.length - 1];
      if (prev === undefined) throw new Error(`ss output line ${i + 1}: continuation without a socket line: "${line}"`);
      addExtras(prev, line.trim().split(/\s+/), i + 1);
      continue;
    }
    const f = line.trim().split(/\s+/);
    if (f.length < 5) throw new Error(`ss output line ${i + 1}: expected State Recv-Q Send-Q Local Peer: "${line}"`);
    const [ssState, recvQ, sendQ, localText, peerText, ...rest] = f;
    const state = SS_STATES[ssState];
    if (state === undefined) throw new Error(`ss output line ${i + 1}: unknown state "${ssState}"`);
    if (!/^\d+$/.test(recvQ) || !/^\d+$/.test(sendQ)) throw new Error(`ss output line ${i + 1}: queues are not numbers: "${line}"`);
    const local = normaliseAddress(localText);
    const peer = normaliseAddress(peerText);
    const socket = {
      state,
      ssState,
      listen: state === 'LISTEN',
      recvQ: Number(recvQ),
      sendQ: Number(sendQ),
      local: local.address,
      peer: peer.address,
      localInterface: local.iface,
      peerInterface: peer.iface,
      timer: null,
    };
    addExtras(socket, rest, i + 1);
    sockets.push(socket);
  }
  return sockets;
}

function addExtras(socket, fields, lineNumber) {
  for (const field of fields) {
    const m = TIMER.exec(field);
    if (m !== null) {
      if (socket.timer !== null) throw new Error(`ss output line ${lineNumber}: second timer field "${field}"`);
      socket.timer = { name: m[1], remainingSeconds: timerSeconds(m[2]), retransmits: Number(m[3]), text: field };
      continue;
    }
    // the Process column (ss -p) and anything else is not used by the comparison
    if (/^(users:|ino:|sk:|uid:|cgroup:|<->|-->|<--)/.test(field)) continue;
    throw new Error(`ss output line ${lineNumber}: unexpected field "${field}"`);
  }
}

/** Sockets per closetrace state name, LISTEN left out (a capture never shows it). */
export function stateCounts(sockets) {
  const counts = {};
  for (const s of sockets) {
    if (s.listen) continue;
    counts[s.state] = (counts[s.state] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
