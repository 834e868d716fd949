import type { ConnectionView, EndpointView } from '../track/connection-view.js';
import { TCP_STATE_NAMES, TcpState } from '../track/tcp-state.js';
import type { JudgedConnection } from '../verdict/judged-connection.js';
import { HostIndex } from './host-index.js';
import { OccupancyTimeline } from './occupancy-timeline.js';
import { PendingSockets } from './pending-sockets.js';
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

/** Hosts beyond this many get counts and sockets but no timeline (memory stays bounded). */
const MAX_TIMELINES = 256;
/** Addresses given a socket table at most (a SYN flood from spoofed sources has millions); the sockets of later ones are only counted (untracked). */
const MAX_HOSTS = 8_192;
/** Reuses listed by example (all are counted). */
const REUSE_EXAMPLES = 50;


/**
 * The socket table of one capture, built as connections are judged: each judged connection's two
 * sockets (each endpoint's, on its own address) go in with the state the tracker left them in and
 * the time their timer expires (socket-timers.ts); at the end of the capture, those still alive are
 * what `ss -tan` would have shown. Sockets whose timer has run out by the time of a later judgement
 * leave then (a heap by expiry), so memory follows the sockets alive at once (TIME_WAIT's minute of
 * them, at most two per connection --max-connections allows), and a new connection on the same 4-tuple
 * takes the earlier socket's place (a TIME_WAIT socket that accepts a new SYN is gone; how it answered
 * is counted). Also kept: each host's counts of ESTABLISHED, CLOSE_WAIT and TIME_WAIT through the
 * capture (fixed buckets), and TIME_WAIT pressure per local address and remote ip:port. Nothing here
 * makes a string per connection: addresses are numbered once (HostIndex).
 */
export class SocketTableBuilder {
  private readonly hosts = new HostIndex(MAX_HOSTS);
  private readonly timelines: (Record<TimelineState, OccupancyTimeline> | null)[] = [];
  private readonly pending: PendingSockets;
  private readonly pressure: TimeWaitPressure;
  private readonly reuses: TimeWaitReuse[] = [];
  private readonly reuseCounts: Record<ReuseOutcome, number> = { accepted: 0, ack: 0, rst: 0, none: 0 };
  private readonly leave = (slot: number): void => this.leaveAt(slot, this.pending.expiry[slot]);
  private origin = Number.NaN;
  private end: number | null = null;
  private untracked = 0;

  constructor(private readonly settings: SocketSettings = DEFAULT_SOCKET_SETTINGS) {
    this.pending = new PendingSockets(settings.maxSockets);
    this.pressure = new TimeWaitPressure(settings.timers.timeWaitSeconds, this.pressureThreshold());
  }

  /** The capture's first packet (capture seconds): timelines start there. */
  start(at: number): void {
    if (Number.isNaN(this.origin)) this.origin = at;
  }

  /**
   * A connection has been judged; `now` is the capture time of the judgement (its horizon), and
   * `reusedStream` the stream of an earlier connection on the same 4-tuple it took over, or -1.
   */
  add(conn: ConnectionView, judged: JudgedConnection, now: number, reusedStream: number): void {
    this.pending.expire(now, this.leave);
    const base = conn.firstSecond;
    const lastPacket = base + conn.lastTime;
    const end = Math.max(now, lastPacket);
    const synAt = base + conn.firstNanos * 1e-9;
    const hostA = this.hosts.of(judged.ipVersion, judged.a0, judged.a1, judged.a2, judged.a3);
    const hostB = this.hosts.of(judged.ipVersion, judged.b0, judged.b1, judged.b2, judged.b3);
    for (let dir = 0; dir < 2; dir++) {
      const endpoint = conn.ends[dir];
      const host = dir === 0 ? hostA : hostB;
      const peerHost = dir === 0 ? hostB : hostA;
      if (host < 0 || peerHost < 0) {
        if (endpoint.packets > 0) this.untracked++;
        continue;
      }
      const port = dir === 0 ? judged.aPort : judged.bPort;
      const peerPort = dir === 0 ? judged.bPort : judged.aPort;
      if (reusedStream >= 0) this.takeOver(reusedStream, host, port, endpoint, judged.stream, synAt);
      this.addIntervals(host, endpoint, base, end);
      const state = endpoint.state;
      const enteredAt = base + timerStart(state, endpoint);
      const expiry = socketExpiry(state, enteredAt, lastPacket, this.settings.timers);
      if (endpoint.wasTimeWait && dir === judged.clientDir) this.pressure.timeWait(TimeWaitPressure.key(host, peerHost, peerPort), base + endpoint.timeWaitTime);
      // A side the capture never saw has no socket to show (its state would be a guess).
      if (expiry > now && state !== TcpState.Unknown && endpoint.packets > 0) {
        if (this.pending.add(host, port, peerHost, peerPort, state, expiry, enteredAt, judged.stream, dir) < 0) this.untracked++;
      } else if (state === TcpState.TimeWait) {
        // TIME_WAIT already over: its interval is known now.
        this.timeline(host)?.TIME_WAIT.add(enteredAt, Math.min(expiry, endpoint.closedTime > endpoint.timeWaitTime ? base + endpoint.closedTime : Infinity));
      }
    }
    this.pressure.prune(now);
  }

  /** The table at `end` (the capture's last frame, or later when known). */
  finish(end: number | null): CaptureSockets {
    const at = end ?? -Infinity;
    this.end = end;
    this.pending.expire(at, this.leave);
    const names = this.hosts.names;
    const counts = names.map(() => emptyStates());
    const lists: HostSocket[][] = names.map(() => []);
    const p = this.pending;
    for (let slot = 0; slot < p.slots; slot++) {
      if (p.alive[slot] === 0) continue;
      this.leaveAt(slot, at);
      if (p.expiry[slot] <= at) continue;
      const host = p.host[slot];
      const name = TCP_STATE_NAMES[p.state[slot]] as SocketState;
      counts[host][name]++;
      if (this.settings.list) lists[host].push({ state: name, local: this.hosts.endpoint(host, p.port[slot]), peer: this.hosts.endpoint(p.peerHost[slot], p.peerPort[slot]) });
    }
    const hosts: HostSockets[] = names.map((address, i) => {
      const host: HostSockets = { address, states: counts[i], ...this.timelineOf(i, counts[i]) };
      if (this.settings.list) host.sockets = lists[i].sort(compareSockets);
      return host;
    });
    hosts.sort((a, b) => compareAddresses(a.address, b.address));
    const [low, high] = this.settings.portRange;
    const ports = high - low + 1;
    const timeWaitPressure = this.pressure.peaks(this.pressureThreshold()).map((peak) => {
      const remotePort = peak.key % 65536;
      const pairHosts = Math.floor(peak.key / 65536);
      return {
        host: names[Math.floor(pairHosts / 8192)],
        peer: this.hosts.endpoint(pairHosts % 8192, remotePort),
        peak: peak.peak,
        at: peak.at,
        ports,
        share: peak.peak / ports,
        connections: peak.connections,
        connectionsPerSecond: peak.spanSeconds > 0 ? peak.connections / peak.spanSeconds : null,
      };
    });
    return { end, hosts, timeWaitPressure, timeWaitReuse: { counts: { ...this.reuseCounts }, examples: [...this.reuses] }, untracked: this.untracked };
  }

  /**
   * The new connection `stream` on host:port took over the 4-tuple of `reusedStream`: the earlier
   * socket there is gone; if it was still in TIME_WAIT, how it answered the new SYN is counted.
   */
  private takeOver(reusedStream: number, host: number, port: number, answer: EndpointView, stream: number, synAt: number): void {
    const p = this.pending;
    for (let side = 0; side < 2; side++) {
      const slot = p.find(reusedStream, side);
      if (slot < 0 || p.host[slot] !== host || p.port[slot] !== port) continue;
      if (p.state[slot] === TcpState.TimeWait && p.expiry[slot] > synAt) this.reuse(slot, answer, stream, synAt);
      this.leaveAt(slot, synAt);
      p.remove(slot);
    }
  }

  /** A new connection's SYN reached a 4-tuple whose socket in `slot` was still in TIME_WAIT. */
  private reuse(slot: number, answer: EndpointView, stream: number, at: number): void {
    const p = this.pending;
    const flags = answer.firstFlags;
    const outcome: ReuseOutcome = (flags & 0x004) !== 0 ? 'rst' : (flags & 0x012) === 0x012 ? 'accepted' : (flags & 0x010) !== 0 ? 'ack' : 'none';
    this.reuseCounts[outcome]++;
    if (this.reuses.length < REUSE_EXAMPLES) {
      this.reuses.push({
        holder: this.hosts.endpoint(p.host[slot], p.port[slot]),
        peer: this.hosts.endpoint(p.peerHost[slot], p.peerPort[slot]),
        stream,
        at,
        inTimeWaitSeconds: Math.max(0, at - p.enteredAt[slot]),
        outcome,
      });
    }
  }

  /** A pending socket leaves the table at `at`: a TIME_WAIT one ends its interval on the timeline. */
  private leaveAt(slot: number, at: number): void {
    const p = this.pending;
    if (p.state[slot] === TcpState.TimeWait) this.timeline(p.host[slot])?.TIME_WAIT.add(p.enteredAt[slot], Math.min(at, p.expiry[slot]));
  }

  private pressureThreshold(): number {
    const [low, high] = this.settings.portRange;
    return Math.max(1, Math.ceil((high - low + 1) * this.settings.pressureShare));
  }

  /** ESTABLISHED and CLOSE_WAIT as the endpoint went through them (and a TIME_WAIT cut short), into its host's timeline. */
  private addIntervals(host: number, e: EndpointView, base: number, end: number): void {
    if (!e.wasEstablished && !e.wasCloseWait && !e.wasTimeWait) return;
    const t = this.timeline(host);
    if (t === null) return;
    if (e.wasEstablished) t.ESTABLISHED.add(base + e.establishedTime, e.establishedEnd > 0 ? base + e.establishedEnd : end);
    if (e.wasCloseWait) t.CLOSE_WAIT.add(base + e.closeWaitTime, e.closeWaitEnd > 0 ? base + e.closeWaitEnd : end);
    // A TIME_WAIT cut short (a RST, a reopening SYN) is over; one still running is added when it ends (leaveAt()).
    if (e.wasTimeWait && e.state !== TcpState.TimeWait) t.TIME_WAIT.add(base + e.timeWaitTime, base + Math.max(e.closedTime, e.timeWaitTime));
  }

  /** The host's timelines, made on first use (null beyond MAX_TIMELINES hosts). */
  private timeline(host: number): Record<TimelineState, OccupancyTimeline> | null {
    while (this.timelines.length <= host) this.timelines.push(null);
    let t = this.timelines[host];
    if (t === null && host < MAX_TIMELINES) {
      const origin = Number.isNaN(this.origin) ? 0 : this.origin;
      t = { ESTABLISHED: new OccupancyTimeline(origin), CLOSE_WAIT: new OccupancyTimeline(origin), TIME_WAIT: new OccupancyTimeline(origin) };
      this.timelines[host] = t;
    }
    return t;
  }

  private timelineOf(host: number, final: Record<SocketState, number>): Pick<HostSockets, 'peaks' | 'timeline'> {
    const t = host < this.timelines.length ? this.timelines[host] : null;
    const peaks = { ESTABLISHED: noPeak(), CLOSE_WAIT: noPeak(), TIME_WAIT: noPeak() };
    if (t === null) return { peaks, timeline: null };
    const width = Math.max(t.ESTABLISHED.width, t.CLOSE_WAIT.width, t.TIME_WAIT.width);
    const counts = {} as Record<TimelineState, number[]>;
    for (const state of TIMELINE_STATES) {
      const timeline = t[state];
      const f = timeline.figures(this.end ?? Infinity);
      // Timelines of one host share an origin; a narrower one is summed into the widest's buckets.
      counts[state] = rebucket(f.averages, timeline.width, width);
      // Sampled at bucket boundaries: the count at the capture's end is a moment too.
      if (final[state] > f.peak && this.end !== null) peaks[state] = { count: final[state], at: this.end };
      else peaks[state] = f.peak > 0 ? { count: f.peak, at: timeline.origin + f.peakBucket * timeline.width } : noPeak();
    }
    return { peaks, timeline: { start: t.ESTABLISHED.origin, bucketSeconds: width, counts } };
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

function compareSockets(a: HostSocket, b: HostSocket): number {
  return a.state < b.state ? -1 : a.state > b.state ? 1 : a.local < b.local ? -1 : a.local > b.local ? 1 : a.peer < b.peer ? -1 : a.peer > b.peer ? 1 : 0;
}

/** IPv4 before IPv6, then numerically (dotted quads compared by value). */
export function compareAddresses(a: string, b: string): number {
  const v4a = !a.includes(':');
  const v4b = !b.includes(':');
  if (v4a !== v4b) return v4a ? -1 : 1;
  if (v4a) return dottedQuadValue(a) - dottedQuadValue(b);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A dotted quad's 32-bit value, read without splitting (sorting thousands of hosts compares often). */
function dottedQuadValue(address: string): number {
  let value = 0;
  let part = 0;
  for (let i = 0; i < address.length; i++) {
    const c = address.charCodeAt(i);
    if (c === 46) {
      value = value * 256 + part;
      part = 0;
    } else part = part * 10 + (c - 48);
  }
  return value * 256 + part;
}
