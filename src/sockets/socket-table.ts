import { formatAddress } from '../decode/address-text.js';
import type { ConnectionView, EndpointView } from '../track/connection-view.js';
import { TCP_STATE_NAMES, TcpState } from '../track/tcp-state.js';
import type { JudgedConnection } from '../verdict/judged-connection.js';
import { OccupancyTimeline } from './occupancy-timeline.js';
import { LINUX_TIMERS, SOCKET_STATES, socketExpiry, type SocketState, type SocketTimers } from './socket-timers.js';
import { TimeWaitPressure } from './time-wait-pressure.js';

/** What the socket table is asked for (plain data: it goes to worker threads). */
export interface SocketSettings {
  timers: SocketTimers;
  /** List every socket (`--sockets`), not only the counts. */
  list: boolean;
  /** The ephemeral port range of the clients (`--port-range`, Linux's ip_local_port_range default). */
  portRange: [number, number];
  /** time-wait-pressure when TIME_WAIT sockets to one ip:port reach this share of the range. */
  pressureShare: number;
  /**
   * Sockets held at once (memory): with --max-connections connections open at once, their sockets and
   * those still in a timer after them fit; beyond (floods), sockets are counted in `untracked` only.
   */
  maxSockets: number;
}

export const DEFAULT_SOCKET_SETTINGS: SocketSettings = {
  timers: LINUX_TIMERS,
  list: false,
  portRange: [32768, 60999],
  pressureShare: 0.5,
  maxSockets: 400_000,
};

/** The states whose count through the capture is kept (what leaks and what piles up). */
export const TIMELINE_STATES = ['ESTABLISHED', 'CLOSE_WAIT', 'TIME_WAIT'] as const;
export type TimelineState = (typeof TIMELINE_STATES)[number];

export interface HostSocket {
  state: SocketState;
  /** `ip:port` of the host's end, and of the peer. */
  local: string;
  peer: string;
}

/** Capture seconds (epoch) of a moment; reports format it. */
export interface StatePeak {
  count: number;
  at: number | null;
}

export interface HostTimeline {
  /** Capture seconds of the first bucket's start, and a bucket's width. */
  start: number;
  bucketSeconds: number;
  /** Average sockets held in each bucket. */
  counts: Record<TimelineState, number[]>;
}

/** One host's socket table at the end of the capture, and its counts through it. */
export interface HostSockets {
  address: string;
  /** Sockets in each state when the capture ended (what `ss -tan` would have listed). */
  states: Record<SocketState, number>;
  peaks: Record<TimelineState, StatePeak>;
  timeline: HostTimeline | null;
  /** With `list`: every socket, as `ss -tan` lists them. */
  sockets?: HostSocket[];
}

export interface TimeWaitPressurePeak {
  /** The address holding the TIME_WAIT sockets, and the ip:port they all connected to. */
  host: string;
  peer: string;
  peak: number;
  at: number;
  /** Ports of the range (`--port-range`) and the share of them the peak held. */
  ports: number;
  share: number;
  connections: number;
  connectionsPerSecond: number | null;
}

/** How a socket in TIME_WAIT answered a SYN that reused its 4-tuple. */
export type ReuseOutcome = 'accepted' | 'ack' | 'rst' | 'none';

export interface TimeWaitReuse {
  /** `ip:port` of the TIME_WAIT holder, of the side reconnecting; the new connection's stream. */
  holder: string;
  peer: string;
  stream: number;
  /** Capture seconds of the new SYN, and how long the holder had been in TIME_WAIT then. */
  at: number;
  inTimeWaitSeconds: number;
  /** SYN/ACK (accepted, Linux when the SYN is newer), a bare ACK (tcp_timewait_state_process TCP_TW_ACK), a RST, or nothing. */
  outcome: ReuseOutcome;
}

/** A capture's socket table: plain data, merged across captures by the report. */
export interface CaptureSockets {
  /** The capture's end (seconds) the timers ran to, or null without packets. */
  end: number | null;
  hosts: HostSockets[];
  timeWaitPressure: TimeWaitPressurePeak[];
  /** SYNs reusing a 4-tuple one side still held in TIME_WAIT: counts by outcome, and the first few. */
  timeWaitReuse: { counts: Record<ReuseOutcome, number>; examples: TimeWaitReuse[] };
  /** Sockets left out of the table because it was full (maxSockets, or more than 8,192 addresses). */
  untracked: number;
}

/** Reuses listed by example (all are counted). */
const REUSE_EXAMPLES = 50;

/** Hosts beyond this many get counts and sockets but no timeline (memory stays bounded). */
const MAX_TIMELINES = 256;
/** Addresses given a socket table at most (a SYN flood from spoofed sources has millions); the sockets of later ones are only counted (untracked). */
const MAX_HOSTS = 8_192;
const PRUNE_EVERY = 4096;

interface Pending {
  host: number;
  port: number;
  peer: string;
  state: TcpState;
  expiry: number;
  /** When its timer started (TIME_WAIT: when it entered the state). */
  enteredAt: number;
}

/**
 * The socket table of one capture, built as connections are judged: each judged connection's two
 * sockets (each endpoint's, on its own address) go in with the state the tracker left them in and
 * the time their timer expires (socket-timers.ts); at the end of the capture, those still alive are
 * what `ss -tan` would have shown. Sockets whose timer has run out by the time of a later judgement
 * are dropped then, so memory follows the sockets alive at once (TIME_WAIT's minute of them), and a
 * later connection on the same 4-tuple replaces the earlier socket (a TIME_WAIT socket that accepts a
 * new SYN is gone). Also kept: each host's counts of ESTABLISHED, CLOSE_WAIT and TIME_WAIT through the
 * capture (fixed buckets), and TIME_WAIT pressure per local address and remote ip:port.
 */
export class SocketTableBuilder {
  private readonly hostIndex = new Map<string, number>();
  private readonly hosts: string[] = [];
  private readonly timelines: (Record<TimelineState, OccupancyTimeline> | null)[] = [];
  private readonly pending = new Map<string, Pending>();
  private readonly pressure: TimeWaitPressure;
  private readonly reuses: TimeWaitReuse[] = [];
  private readonly reuseCounts: Record<ReuseOutcome, number> = { accepted: 0, ack: 0, rst: 0, none: 0 };
  private origin = Number.NaN;
  private end: number | null = null;
  private untracked = 0;
  private added = 0;

  constructor(private readonly settings: SocketSettings = DEFAULT_SOCKET_SETTINGS) {
    this.pressure = new TimeWaitPressure(settings.timers.timeWaitSeconds, this.pressureThreshold());
  }

  /** The capture's first packet (capture seconds): timelines start there. */
  start(at: number): void {
    if (Number.isNaN(this.origin)) this.origin = at;
  }

  /** A connection has been judged; `now` is the capture time of the judgement (its horizon). */
  add(conn: ConnectionView, judged: JudgedConnection, now: number): void {
    const base = conn.firstSecond;
    const clientDir = judged.clientDir;
    const lastPacket = base + conn.lastTime;
    const end = Math.max(now, lastPacket);
    for (let dir = 0; dir < 2; dir++) {
      const endpoint = conn.ends[dir];
      const host = this.host(dir === 0 ? formatAddress(judged.ipVersion, judged.a0, judged.a1, judged.a2, judged.a3) : formatAddress(judged.ipVersion, judged.b0, judged.b1, judged.b2, judged.b3));
      if (host < 0) {
        if (endpoint.packets > 0) this.untracked++;
        continue;
      }
      const port = dir === 0 ? judged.aPort : judged.bPort;
      const peer = judged.addressOf(dir ^ 1);
      this.addIntervals(host, endpoint, base, end);
      const state = endpoint.state;
      const expiry = socketExpiry(state, base + timerStart(state, endpoint), lastPacket, this.settings.timers);
      const key = `${host} ${port} ${peer}`;
      const before = this.pending.get(key);
      const synAt = base + conn.firstNanos * 1e-9;
      if (before !== undefined && before.state === TcpState.TimeWait && before.expiry > synAt) this.reuse(before, endpoint, judged, synAt);
      // A newer connection on the same 4-tuple takes the place of the older socket.
      // A side the capture never saw has no socket to show (its state would be a guess).
      if (before !== undefined) this.leave(before, synAt);
      if (expiry > now && state !== TcpState.Unknown && endpoint.packets > 0) {
        if (this.pending.size < this.settings.maxSockets || before !== undefined) this.pending.set(key, { host, port, peer, state, expiry, enteredAt: base + timerStart(state, endpoint) });
        else this.untracked++;
      }
      else {
        this.pending.delete(key);
        // TIME_WAIT already over (or never a socket to keep): its interval is known now.
        if (state === TcpState.TimeWait) this.timeline(host)?.TIME_WAIT.add(base + endpoint.timeWaitTime, Math.min(expiry, base + (endpoint.closedTime > endpoint.timeWaitTime ? endpoint.closedTime : Infinity)));
      }
      if (endpoint.wasTimeWait && dir === clientDir) this.pressure.timeWait(this.hosts[host], peer, base + endpoint.timeWaitTime);
    }
    if (++this.added % PRUNE_EVERY === 0) this.prune(now);
  }

  /** A new connection's SYN reached a 4-tuple whose `holder` socket was still in TIME_WAIT. */
  private reuse(holder: Pending, answer: EndpointView, judged: JudgedConnection, at: number): void {
    const flags = answer.firstFlags;
    const outcome: ReuseOutcome = (flags & 0x004) !== 0 ? 'rst' : (flags & 0x012) === 0x012 ? 'accepted' : (flags & 0x010) !== 0 ? 'ack' : 'none';
    this.reuseCounts[outcome]++;
    if (this.reuses.length < REUSE_EXAMPLES) {
      this.reuses.push({ holder: endpointText(this.hosts[holder.host], holder.port), peer: holder.peer, stream: judged.stream, at, inTimeWaitSeconds: Math.max(0, at - holder.enteredAt), outcome });
    }
  }

  /** The table at `end` (the capture's last frame, or later when known). */
  finish(end: number | null): CaptureSockets {
    const at = end ?? -Infinity;
    this.end = end;
    const counts = this.hosts.map(() => emptyStates());
    const lists: HostSocket[][] = this.hosts.map(() => []);
    for (const s of this.pending.values()) {
      this.leave(s, at);
      if (s.expiry <= at) continue;
      const name = TCP_STATE_NAMES[s.state] as SocketState;
      counts[s.host][name]++;
      if (this.settings.list) lists[s.host].push({ state: name, local: endpointText(this.hosts[s.host], s.port), peer: s.peer });
    }
    const hosts: HostSockets[] = this.hosts.map((address, i) => {
      const host: HostSockets = { address, states: counts[i], ...this.timelineOf(i, counts[i]) };
      if (this.settings.list) host.sockets = lists[i].sort(compareSockets);
      return host;
    });
    hosts.sort((a, b) => compareAddresses(a.address, b.address));
    const [low, high] = this.settings.portRange;
    const ports = high - low + 1;
    const timeWaitPressure = this.pressure.peaks(this.pressureThreshold()).map((p) => ({
      host: p.local,
      peer: p.remote,
      peak: p.peak,
      at: p.at,
      ports,
      share: p.peak / ports,
      connections: p.connections,
      connectionsPerSecond: p.spanSeconds > 0 ? p.connections / p.spanSeconds : null,
    }));
    return { end, hosts, timeWaitPressure, timeWaitReuse: { counts: { ...this.reuseCounts }, examples: [...this.reuses] }, untracked: this.untracked };
  }

  private pressureThreshold(): number {
    const [low, high] = this.settings.portRange;
    return Math.max(1, Math.ceil((high - low + 1) * this.settings.pressureShare));
  }

  /** The index of an address, made on first sight; -1 once MAX_HOSTS addresses are known. */
  private host(address: string): number {
    let i = this.hostIndex.get(address);
    if (i === undefined) {
      if (this.hosts.length >= MAX_HOSTS) return -1;
      i = this.hosts.length;
      this.hostIndex.set(address, i);
      this.hosts.push(address);
      this.timelines.push(null);
    }
    return i;
  }

  /** ESTABLISHED, CLOSE_WAIT and TIME_WAIT as the endpoint went through them, into its host's timeline. */
  private addIntervals(host: number, e: EndpointView, base: number, end: number): void {
    if (!e.wasEstablished && !e.wasCloseWait && !e.wasTimeWait) return;
    const t = this.timeline(host);
    if (t === null) return;
    if (e.wasEstablished) t.ESTABLISHED.add(base + e.establishedTime, e.establishedEnd > 0 ? base + e.establishedEnd : end);
    if (e.wasCloseWait) t.CLOSE_WAIT.add(base + e.closeWaitTime, e.closeWaitEnd > 0 ? base + e.closeWaitEnd : end);
    // A TIME_WAIT cut short (a RST, a reopening SYN) is over; one still running is added when it ends (leave()).
    if (e.wasTimeWait && e.state !== TcpState.TimeWait) t.TIME_WAIT.add(base + e.timeWaitTime, base + Math.max(e.closedTime, e.timeWaitTime));
  }

  /** The host's timelines, made on first use (null beyond MAX_TIMELINES hosts). */
  private timeline(host: number): Record<TimelineState, OccupancyTimeline> | null {
    let t = this.timelines[host];
    if (t === null && host < MAX_TIMELINES) {
      const origin = Number.isNaN(this.origin) ? 0 : this.origin;
      t = { ESTABLISHED: new OccupancyTimeline(origin), CLOSE_WAIT: new OccupancyTimeline(origin), TIME_WAIT: new OccupancyTimeline(origin) };
      this.timelines[host] = t;
    }
    return t;
  }

  /** A pending socket leaves the table at `at` (its timer ran out, or a new connection took its 4-tuple). */
  private leave(s: Pending, at: number): void {
    if (s.state === TcpState.TimeWait) this.timeline(s.host)?.TIME_WAIT.add(s.enteredAt, Math.min(at, s.expiry));
  }

  private timelineOf(host: number, final: Record<SocketState, number>): Pick<HostSockets, 'peaks' | 'timeline'> {
    const t = this.timelines[host];
    const peaks = { ESTABLISHED: noPeak(), CLOSE_WAIT: noPeak(), TIME_WAIT: noPeak() };
    if (t === null) return { peaks, timeline: null };
    const width = Math.max(t.ESTABLISHED.width, t.CLOSE_WAIT.width, t.TIME_WAIT.width);
    const counts = {} as Record<TimelineState, number[]>;
    for (const state of TIMELINE_STATES) {
      const timeline = t[state];
      const f = timeline.figures();
      // Timelines of one host share an origin; a narrower one is summed into the widest's buckets.
      counts[state] = rebucket(f.averages, timeline.width, width);
      // Sampled at bucket boundaries: the count at the capture's end is a moment too.
      if (final[state] > f.peak && this.end !== null) peaks[state] = { count: final[state], at: this.end };
      else peaks[state] = f.peak > 0 ? { count: f.peak, at: timeline.origin + f.peakBucket * timeline.width } : noPeak();
    }
    return { peaks, timeline: { start: t.ESTABLISHED.origin, bucketSeconds: width, counts } };
  }

  private prune(now: number): void {
    for (const [key, s] of this.pending) {
      if (s.expiry > now) continue;
      this.leave(s, s.expiry);
      this.pending.delete(key);
    }
    this.pressure.prune(now);
  }
}

/** When the timer of a socket left in `state` started (seconds since the connection's first second). */
function timerStart(state: TcpState, e: EndpointView): number {
  switch (state) {
    case TcpState.TimeWait:
      return e.timeWaitTime;
    case TcpState.FinWait1:
    case TcpState.Closing:
    case TcpState.LastAck:
      return e.finTime;
    default:
      return 0;
  }
}

function emptyStates(): Record<SocketState, number> {
  const states = {} as Record<SocketState, number>;
  for (const s of SOCKET_STATES) states[s] = 0;
  return states;
}

function noPeak(): StatePeak {
  return { count: 0, at: null };
}

/** Averages of `from`-wide buckets summed into `to`-wide ones (to is a power-of-two multiple). */
function rebucket(values: number[], from: number, to: number): number[] {
  if (from === to) return values;
  const ratio = Math.round(to / from);
  const out: number[] = [];
  for (let i = 0; i < values.length; i += ratio) {
    let sum = 0;
    for (let j = i; j < Math.min(values.length, i + ratio); j++) sum += values[j];
    out.push(Math.round((sum / ratio) * 10) / 10);
  }
  return out;
}

function endpointText(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

function compareSockets(a: HostSocket, b: HostSocket): number {
  return a.state < b.state ? -1 : a.state > b.state ? 1 : a.local < b.local ? -1 : a.local > b.local ? 1 : a.peer < b.peer ? -1 : a.peer > b.peer ? 1 : 0;
}

/** IPv4 before IPv6, then numerically (dotted quads compared by value). */
export function compareAddresses(a: string, b: string): number {
  const v4a = !a.includes(':');
  const v4b = !b.includes(':');
  if (v4a !== v4b) return v4a ? -1 : 1;
  if (v4a) {
    const x = a.split('.').map(Number);
    const y = b.split('.').map(Number);
    for (let i = 0; i < 4; i++) if (x[i] !== y[i]) return x[i] - y[i];
    return 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}
