import type { IcmpEvent, RstEvent } from './evidence.js';
import { C, CD, D, E, FLOAT_STRIDE, INT_STRIDE } from './layout.js';
import { TcpState } from './tcp-state.js';

/**
 * Packets kept per connection for its ladder diagram: the first ones (the handshake), a ring of the
 * latest ones before the close, and the close itself (see ladder.ts); fields per recorded packet.
 */
export const LADDER_HEAD = 2;
export const LADDER_RING = 6;
export const LADDER_CLOSE = 12;
export const LADDER_FIELDS = 7;
/** Numbers per FIN event in a connection's FIN list (see FinField). */
export const FIN_FIELDS = 8;
/** FIN and RST evidence kept per connection; beyond, events are counted only (a FIN or RST storm). */
export const MAX_EVENTS = 32;

export const enum FinField {
  Frame,
  From,
  Seconds,
  Nanos,
  Seq,
  Retransmission,
  AckFrame,
  AckByRst,
}

/** Initial values of one connection's blocks: mostly zero, a few "none" markers. */
const INT_TEMPLATE = (() => {
  const t = new Int32Array(INT_STRIDE);
  for (const base of [0, 1]) {
    t[base + E.State] = TcpState.Unknown;
    t[base + E.WindowScale] = -1;
    t[base + E.TtlMin] = 256;
    t[base + E.TtlMax] = -1;
    t[base + E.LastIpId] = -1;
    t[base + E.ZRxmitThreshold] = 1;
    t[base + E.ZZeroWindowThreshold] = 1;
  }
  t[C.SynFrom] = -1;
  t[C.SynAckFrom] = -1;
  t[C.ZOrigDir] = -1;
  t[C.CloseCount] = -1;
  return t;
})();

const FLOAT_TEMPLATE = (() => {
  const t = new Float64Array(FLOAT_STRIDE);
  for (const base of [0, 1]) {
    t[base + D.LastPayloadTime] = -Infinity;
  }
  return t;
})();

/**
 * Every tracked connection's state, struct-of-arrays: connection `slot` owns ints
 * [slot * INT_STRIDE, +INT_STRIDE), floats [slot * FLOAT_STRIDE, +FLOAT_STRIDE) and a ladder ring.
 * The flow stage hands out slots and reuses them once a connection is judged, so the arrays grow with
 * the number of connections open at once, never with the size of the capture, and a packet's update
 * touches a few cache lines and allocates nothing. Rarely used evidence (FIN, RST, ICMP events, the
 * close part of the ladder, Zeek's history string) lives in per-slot side arrays reused across
 * connections.
 */
export class ConnectionStore {
  ints = new Int32Array(0);
  floats = new Float64Array(0);
  /** Ladder head and ring, int32 fields (seconds relative to the connection's first packet). */
  ladder = new Int32Array(0);
  capacity = 0;
  readonly fins: number[][] = [];
  readonly resets: RstEvent[][] = [];
  readonly icmp: IcmpEvent[][] = [];
  readonly closeLadder: number[][] = [];
  readonly history: string[] = [];

  /** Makes room for slots [0, capacity), keeping the state of the existing ones. */
  grow(capacity: number): void {
    if (capacity <= this.capacity) return;
    const ints = new Int32Array(capacity * INT_STRIDE);
    ints.set(this.ints);
    const floats = new Float64Array(capacity * FLOAT_STRIDE);
    floats.set(this.floats);
    const ladder = new Int32Array(capacity * (LADDER_HEAD + LADDER_RING) * LADDER_FIELDS);
    ladder.set(this.ladder);
    this.ints = ints;
    this.floats = floats;
    this.ladder = ladder;
    for (let slot = this.capacity; slot < capacity; slot++) {
      this.fins.push([]);
      this.resets.push([]);
      this.icmp.push([]);
      this.closeLadder.push([]);
      this.history.push('');
    }
    this.capacity = capacity;
  }

  /** A new connection in `slot`: every field back to its initial value. */
  open(slot: number): void {
    this.ints.set(INT_TEMPLATE, slot * INT_STRIDE);
    this.floats.set(FLOAT_TEMPLATE, slot * FLOAT_STRIDE);
    // Most connections leave some lists empty: only touch the ones that were used.
    if (this.fins[slot].length !== 0) this.fins[slot].length = 0;
    if (this.resets[slot].length !== 0) this.resets[slot].length = 0;
    if (this.icmp[slot].length !== 0) this.icmp[slot].length = 0;
    if (this.closeLadder[slot].length !== 0) this.closeLadder[slot].length = 0;
    this.history[slot] = '';
  }
}
