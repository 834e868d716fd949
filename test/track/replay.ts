/**
 * Drives the tracker directly, without a capture: segments are filled in by hand (direction, flags,
 * seq, ack, length, time, frame) and replayed into one connection of a ConnectionStore, whose state
 * is read back through a ConnectionView. Sequence and acknowledgment numbers are written out in the
 * tests on purpose: the rules under test are about them.
 */
import { ACK, FIN, newSegment, PSH, RST, SegmentKind, SYN, type TcpSegment } from '../../src/decode/segment.js';
import { CHUNK_BITS } from '../../src/layout/struct-store.js';
import { CONN } from '../../src/track/connection-layout.js';
import { ConnectionStore } from '../../src/track/connection-store.js';
import { ConnectionView, type Instant } from '../../src/track/connection-view.js';
import { TCP_STATE_NAMES, type TcpStateName } from '../../src/track/tcp-state.js';
import { replaySegment } from '../../src/track/tracker.js';

/** Flow directions: A sent the connection's first frame (the client in most tests), B is its peer. */
export const A = 0;
export const B = 1;

/** Whole second the replayed connection starts in; `at` values are seconds after it. */
export const START_SECOND = 1_700_000_000;

const PORTS = [40000, 8080];
const FLAG_LETTERS: Record<string, number> = { S: SYN, A: ACK, F: FIN, R: RST, P: PSH };

export interface SegmentSpec {
  seq: number;
  ack?: number;
  /** Payload bytes. */
  len?: number;
  /** Seconds after START_SECOND; default 10 ms after the previous segment. */
  at?: number;
  /** Default: the previous frame + 1. */
  frame?: number;
  /** Raw window field (default 502); -1: the snap length cut the header before it. */
  window?: number;
  /** Bytes of TCP options (default 12, a timestamp option). */
  options?: number;
  ttl?: number;
  /** IPv4 ID (default: each side counts up from its own base, as a Linux socket does). */
  ipId?: number;
  /** Window-scale shift on a SYN (default none). */
  windowScale?: number;
}

/** One connection being replayed, segment by segment, in capture order. */
export class Replay {
  readonly store = new ConnectionStore();
  readonly slot = 0;
  frame = 0;
  /** Time of the latest segment, seconds after START_SECOND. */
  time = 0;
  /** What replaySegment() answered for the latest segment: the connection is over. */
  over = false;
  private readonly seg = newSegment();
  private readonly view = new ConnectionView();
  private readonly ipIds = [0x1000, 0x8000];
  private tsVal = 1000;

  constructor() {
    this.store.grow(1);
    this.store.open(this.slot);
  }

  /**
   * Replays a segment from `dir` with `flags` as letters (S SYN, A ACK, F FIN, R RST, P PSH: 'SA' is a
   * SYN/ACK, 'FA' a FIN/ACK, 'R' a bare RST); answers replaySegment()'s "over".
   */
  send(dir: number, flags: string, spec: SegmentSpec): boolean {
    const seg = this.seg;
    this.fill(seg, dir, flags, spec);
    seg.ipId = spec.ipId ?? this.ipIds[dir]++;
    seg.tsVal = this.tsVal++;
    return this.replay(seg, dir);
  }

  /** The latest segment captured a second time, `after` seconds later (a SPAN port's duplicate). */
  again(after = 0.0001): boolean {
    const seg = this.seg;
    seg.frame = ++this.frame;
    const at = this.time + after;
    seg.seconds = START_SECOND + Math.floor(at);
    seg.nanos = Math.round((at - Math.floor(at)) * 1e9);
    this.time = at;
    return this.replay(seg, seg.srcPort === PORTS[A] ? A : B);
  }

  /** An ICMP error (IPv4 type 3) quoting a segment that `about` sent with `flags`. */
  icmp(about: number, flags: string, code: number, spec: SegmentSpec): boolean {
    const seg = newSegment();
    this.fill(seg, about, flags, spec);
    seg.kind = SegmentKind.Quoted;
    seg.icmpType = 3;
    seg.icmpCode = code;
    seg.icmpFrom = '10.0.0.2';
    return this.replay(seg, about);
  }

  /** The connection as the verdict stage reads it (re-bound on every call: lists are read afresh). */
  get conn(): ConnectionView {
    return this.view.bind(this.store, this.slot);
  }

  /** The RFC 9293 state of one side, by its `ss` name. */
  state(dir: number): TcpStateName {
    return TCP_STATE_NAMES[this.conn.ends[dir].state];
  }

  /** Both sides' states, A first. */
  states(): [TcpStateName, TcpStateName] {
    return [this.state(A), this.state(B)];
  }

  /** A u16 field of one side that no view exposes (e.g. the raw window, the keepalive count), read from the record. */
  u16(field: keyof typeof CONN.u16, dir: number): number {
    return this.store.u16[this.slot >> CHUNK_BITS][(this.store.byteBase(this.slot) >> 1) + CONN.u16[field] + dir];
  }

  /** `at` (seconds after START_SECOND) as a capture instant, e.g. for judge()'s horizon. */
  instant(at: number): Instant {
    const whole = Math.floor(at);
    return { seconds: START_SECOND + whole, nanos: Math.round((at - whole) * 1e9) };
  }

  private fill(seg: TcpSegment, dir: number, flags: string, spec: SegmentSpec): void {
    let bits = 0;
    for (const letter of flags) {
      const bit = FLAG_LETTERS[letter];
      if (bit === undefined) throw new Error(`unknown flag letter ${letter} in ${flags}`);
      bits |= bit;
    }
    const at = spec.at ?? this.time + 0.01;
    const options = spec.options ?? 12;
    seg.kind = SegmentKind.Normal;
    seg.frame = spec.frame ?? this.frame + 1;
    this.frame = Math.max(this.frame, seg.frame);
    this.time = Math.max(this.time, at);
    seg.seconds = START_SECOND + Math.floor(at);
    seg.nanos = Math.round((at - Math.floor(at)) * 1e9);
    seg.ipVersion = 4;
    seg.src3 = dir === A ? 0x0a000001 : 0x0a000002;
    seg.dst3 = dir === A ? 0x0a000002 : 0x0a000001;
    seg.srcPort = PORTS[dir];
    seg.dstPort = PORTS[dir ^ 1];
    seg.seq = spec.seq | 0;
    seg.ack = (bits & ACK) !== 0 ? (spec.ack ?? 0) | 0 : 0;
    seg.flags = bits;
    seg.headerLength = 20 + options;
    seg.optionsLength = options;
    seg.window = spec.window ?? 502;
    seg.payloadLength = spec.len ?? 0;
    seg.capturedPayloadLength = seg.payloadLength;
    seg.ttl = spec.ttl ?? 64;
    seg.hasTimestamp = options >= 12;
    seg.windowScale = (bits & SYN) !== 0 ? (spec.windowScale ?? -1) : -1;
    seg.headerCut = seg.window < 0;
  }

  private replay(seg: TcpSegment, dir: number): boolean {
    this.over = replaySegment(this.store, this.slot, dir, seg);
    return this.over;
  }
}

/**
 * The three-way handshake, frames 1-3: A's ISN is 100 and B's 500, so afterwards A sends from 101 and
 * B from 501, and both are ESTABLISHED.
 */
export function established(): Replay {
  const w = new Replay();
  w.send(A, 'S', { seq: 100 });
  w.send(B, 'SA', { seq: 500, ack: 101 });
  w.send(A, 'A', { seq: 101, ack: 501 });
  return w;
}
