/**
 * Scripted TCP conversations: two endpoints whose sequence and acknowledgment numbers are tracked, so a
 * test reads like the exchange it stages:
 *
 *   const c = conversation('10.0.0.1:40000', '10.0.0.2:80', { isnA: 0xffffff00 });
 *   c.syn(); c.synAck(); c.ack(); c.data('a', 100); c.fin('b'); c.ack('a'); c.fin('a'); c.ack('b');
 *
 * Side 'a' is the first endpoint (the client). Every call takes overrides for any packet field (seq, ack,
 * flags, ttl, payload, options ...) plus the time; state moves only as far as the highest sequence number
 * sent, so retransmissions and out-of-order sends do not disturb it. Sequence numbers wrap modulo 2^32.
 */
import { toEndpoint, type Endpoint } from './address.js';
import type { CapturedPacket } from './pcap-writer.js';
import { payloadBytes, tcp, type Payload, type TcpPacketSpec } from './tcp-packet.js';
import { parseTcpFlags, TCP_FLAG } from './tcp-segment.js';
import { durationToNanos, toNanos, type Duration, type Timestamp } from './timestamp.js';

export type Side = 'a' | 'b';

export interface ConversationOptions {
  /** Initial sequence numbers; default 1000000 and 2000000. */
  isnA?: number;
  isnB?: number;
  /** Time of the first packet; default 1700000000 s. */
  start?: Timestamp;
  /** Time between packets when a call gives none; default 1 ms. */
  gap?: Duration;
  /** Default 64 each. */
  ttlA?: number;
  ttlB?: number;
  /** Receive windows in bytes; default 64240 each. SYNs carry them as is, later segments scaled down by windowScale. */
  windowA?: number;
  windowB?: number;
  /** First IPv4 identification of each side; they count up per packet. */
  ipIdA?: number;
  ipIdB?: number;
  /** Put TCP timestamps on every packet (TSval counts milliseconds); default true. */
  timestamps?: boolean;
  /** SYN options; defaults 1460, 7, true. */
  mss?: number;
  windowScale?: number;
  sackPermitted?: boolean;
  /** Frames each IP packet, e.g. `(p) => ether(p, { vlans: [10] })`; default none (raw IP). */
  link?: (ipPacket: Uint8Array) => Uint8Array;
}

/** Any packet field, plus when it is sent and whether it moves the sender's state. */
export interface SegmentOverrides extends Partial<Omit<TcpPacketSpec, 'src' | 'dst'>> {
  /** Absolute time of this packet. */
  at?: Timestamp;
  /** Time since the previous packet of the conversation (default the conversation's gap). */
  after?: Duration;
  /** false: the packet does not change the sender's next sequence number or FIN state. */
  advance?: boolean;
}

export interface ConversationPacket extends CapturedPacket {
  ts: bigint;
  data: Uint8Array;
  from: Side;
  seq: number;
  ack: number;
  flags: number;
  payloadLength: number;
  /** What the packet was crafted from, for retransmit() and for assertions. */
  spec: TcpPacketSpec;
}

interface SideState {
  endpoint: Endpoint;
  isn: number;
  next: number;
  synSeq: number | undefined;
  finSeq: number | undefined;
  ttl: number;
  window: number;
  ipId: number;
  tsBase: number;
  /** Last TSval received from the peer, echoed in TSecr. */
  echo: number;
}

/** True when sequence number x is after y, modulo 2^32. */
export function seqAfter(x: number, y: number): boolean {
  return ((x - y) | 0) > 0;
}

const DROP_KEYS = new Set(['at', 'after', 'advance']);

export class Conversation {
  readonly packets: ConversationPacket[] = [];
  private readonly sides: Record<Side, SideState>;
  private clock: bigint;
  private readonly startNs: bigint;
  private readonly gap: bigint;

  constructor(a: string | Endpoint, b: string | Endpoint, private readonly options: ConversationOptions = {}) {
    const side = (endpoint: Endpoint, isn: number, ttl: number, window: number, ipId: number, tsBase: number): SideState => ({
      endpoint,
      isn: isn >>> 0,
      next: isn >>> 0,
      synSeq: undefined,
      finSeq: undefined,
      ttl,
      window,
      ipId,
      tsBase,
      echo: 0,
    });
    this.sides = {
      a: side(toEndpoint(a), options.isnA ?? 1_000_000, options.ttlA ?? 64, options.windowA ?? 64240, options.ipIdA ?? 0x1000, 100_000),
      b: side(toEndpoint(b), options.isnB ?? 2_000_000, options.ttlB ?? 64, options.windowB ?? 64240, options.ipIdB ?? 0x8000, 900_000),
    };
    this.startNs = toNanos(options.start ?? 1_700_000_000);
    this.clock = this.startNs;
    this.gap = durationToNanos(options.gap ?? 0.001);
  }

  /** Time of the last packet (or the start). */
  get now(): bigint {
    return this.clock;
  }

  isn(side: Side): number {
    return this.sides[side].isn;
  }

  /** The sequence number `side` sends next. */
  nextSeq(side: Side): number {
    return this.sides[side].next;
  }

  endpoint(side: Side): Endpoint {
    return this.sides[side].endpoint;
  }

  /** Any segment; flags default to a bare ACK. */
  send(from: Side, o: SegmentOverrides = {}): ConversationPacket {
    return this.emit(from, 'A', undefined, undefined, o);
  }

  /** SYN from a (or again: a retransmission with the same sequence number). */
  syn(o: SegmentOverrides = {}): ConversationPacket {
    return this.emit('a', 'S', this.sides.a.synSeq, undefined, o);
  }

  synAck(o: SegmentOverrides = {}): ConversationPacket {
    return this.emit('b', 'SA', this.sides.b.synSeq, undefined, o);
  }

  ack(from: Side = 'a', o: SegmentOverrides = {}): ConversationPacket {
    return this.emit(from, 'A', undefined, undefined, o);
  }

  /** Data with PSH+ACK. */
  data(from: Side, payload: Payload, o: SegmentOverrides = {}): ConversationPacket {
    return this.emit(from, 'PA', undefined, payload, o);
  }

  /**
   * FIN+ACK, with data when `o.payload` is given. A second call retransmits: the FIN lands on the first
   * FIN's sequence number (so with the same payload it is the same segment).
   */
  fin(from: Side, o: SegmentOverrides = {}): ConversationPacket {
    const s = this.sides[from];
    const seq = s.finSeq === undefined ? undefined : s.finSeq - payloadBytes(o.payload).length;
    return this.emit(from, 'FA', seq, undefined, o);
  }

  /** Abortive reset, RST+ACK at the sender's next sequence number (Linux's close() with unread data). */
  rst(from: Side, o: SegmentOverrides = {}): ConversationPacket {
    return this.emit(from, 'RA', undefined, undefined, o);
  }

  /** b refuses a's SYN: RST+ACK with sequence 0 acknowledging the SYN, no options (as a stack without a socket sends it). */
  refuse(o: SegmentOverrides = {}): ConversationPacket {
    return this.emit('b', 'RA', 0, undefined, { ts: null, ...o });
  }

  /** Keep-alive probe: an ACK one below the next sequence number, no data unless `o.payload` (often 1). */
  keepalive(from: Side, o: SegmentOverrides = {}): ConversationPacket {
    const seq = (this.sides[from].next - 1) >>> 0;
    return this.emit(from, 'A', seq, undefined, { advance: false, ...o });
  }

  /** Sends `packet` again (same seq, ack, flags, payload) with a new time, IP id and TSval. */
  retransmit(packet: ConversationPacket, o: SegmentOverrides = {}): ConversationPacket {
    const { src: _s, dst: _d, ipId: _i, ts: _t, ...spec } = packet.spec;
    return this.emit(packet.from, spec.flags ?? 'A', spec.seq, spec.payload, { ...spec, ...o });
  }

  private emit(
    from: Side,
    defaultFlags: string | number,
    defaultSeq: number | undefined,
    defaultPayload: Payload | undefined,
    o: SegmentOverrides,
  ): ConversationPacket {
    const me = this.sides[from];
    const peer = this.sides[from === 'a' ? 'b' : 'a'];
    if (o.at !== undefined) this.clock = toNanos(o.at);
    else if (o.after !== undefined) this.clock += durationToNanos(o.after);
    else if (this.packets.length > 0) this.clock += this.gap;

    const flags = parseTcpFlags(o.flags ?? defaultFlags);
    const syn = (flags & TCP_FLAG.SYN) !== 0;
    const hasAck = (flags & TCP_FLAG.ACK) !== 0;
    const rstOnly = (flags & TCP_FLAG.RST) !== 0 && !hasAck;
    const payload = payloadBytes(o.payload ?? defaultPayload);
    const seq = (o.seq ?? defaultSeq ?? me.next) >>> 0;
    const ack = (o.ack ?? (hasAck ? peer.next : 0)) >>> 0;
    const tsVal = (me.tsBase + Number((this.clock - this.startNs) / 1_000_000n)) >>> 0;
    const useTs = (this.options.timestamps ?? true) && !rstOnly;
    const ts: [number, number] | null = useTs ? [tsVal, syn && !hasAck ? 0 : me.echo] : null;

    const spec: TcpPacketSpec = {
      src: me.endpoint,
      dst: peer.endpoint,
      seq,
      ack,
      flags,
      window: syn ? me.window : Math.max(1, me.window >> (this.options.windowScale ?? 7)),
      ttl: me.ttl,
      ipId: me.ipId,
      ts,
      payload,
      ...(syn ? { mss: this.options.mss ?? 1460, windowScale: this.options.windowScale ?? 7, sackPermitted: this.options.sackPermitted ?? true } : {}),
    };
    for (const [key, value] of Object.entries(o)) {
      if (value !== undefined && !DROP_KEYS.has(key)) (spec as unknown as Record<string, unknown>)[key] = value;
    }
    spec.flags = flags;
    spec.seq = seq;
    spec.ack = ack;
    spec.payload = payload;
    if (o.ipId === undefined) me.ipId = (me.ipId + 1) & 0xffff;

    const ip = tcp(spec);
    const fin = (flags & TCP_FLAG.FIN) !== 0;
    if (o.advance !== false) {
      const end = (seq + payload.length + (syn ? 1 : 0) + (fin ? 1 : 0)) >>> 0;
      if (end !== seq && seqAfter(end, me.next)) me.next = end;
      if (syn && me.synSeq === undefined) me.synSeq = seq;
      if (fin && me.finSeq === undefined) me.finSeq = (seq + payload.length) >>> 0;
    }
    if (spec.ts) peer.echo = spec.ts[0];

    const packet: ConversationPacket = {
      ts: this.clock,
      data: this.options.link ? this.options.link(ip) : ip,
      from,
      seq,
      ack,
      flags,
      payloadLength: payload.length,
      spec,
    };
    this.packets.push(packet);
    return packet;
  }
}

export function conversation(a: string | Endpoint, b: string | Endpoint, options: ConversationOptions = {}): Conversation {
  return new Conversation(a, b, options);
}

/** Packets of several conversations in time order (stable: equal times keep their list order). */
export function mergeByTime<P extends CapturedPacket>(...lists: P[][]): P[] {
  const all = lists.flat().map((p, i) => ({ p, i, t: toNanos(p.ts) }));
  all.sort((x, y) => (x.t < y.t ? -1 : x.t > y.t ? 1 : x.i - y.i));
  return all.map((e) => e.p);
}
