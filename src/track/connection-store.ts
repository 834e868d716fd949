import { BlockPool } from './block-pool.js';
import type { IcmpEvent, RstEvent } from './evidence.js';
import { HISTORY_PACKED } from './history-letters.js';
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
/** FIN events in the smallest FIN block; each larger size class doubles it, up to MAX_EVENTS. */
const FIN_BLOCK_EVENTS = 4;

export const enum FinField {
  Frame,
  From,
  /** Seconds relative to the connection's first packet (int32 storage), nanoseconds. */
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
  t[C.CloseBlock] = -1;
  return t;
})();

const FLOAT_TEMPLATE = (() => {
  const t = new Float64Array(FLOAT_STRIDE);
  for (const base of [0, 1]) {
    t[base + D.LastPayloadTime] = -Infinity;
  }
  return t;
})();

/** Size class of a FIN list holding `events` events (0: 4 events, 1: 8, 2: 16, 3: 32). */
function finClass(events: number): number {
  return events <= FIN_BLOCK_EVENTS ? 0 : 31 - Math.clz32(events - 1) - 1;
}

/**
 * Every tracked connection's state, struct-of-arrays: connection `slot` owns ints
 * [slot * INT_STRIDE, +INT_STRIDE), floats [slot * FLOAT_STRIDE, +FLOAT_STRIDE) and a ladder ring.
 * The flow stage hands out slots and reuses them once a connection is judged, so the arrays grow with
 * the number of connections open at once, never with the size of the capture, and a packet's update
 * touches a few cache lines and allocates nothing. Evidence only closing connections need (the close
 * part of the ladder, the FIN list) lives in blocks of int32 pools, taken when the close begins and
 * given back when the slot is reused; RST and ICMP events, rarer still, are objects in per-slot lists.
 */
export class ConnectionStore {
  ints = new Int32Array(0);
  floats = new Float64Array(0);
  /** Ladder head and ring, int32 fields (seconds relative to the connection's first packet). */
  ladder = new Int32Array(0);
  capacity = 0;
  /** Close part of the ladder: LADDER_CLOSE packets of LADDER_FIELDS (C.CloseBlock). */
  readonly closePool = new BlockPool(LADDER_CLOSE * LADDER_FIELDS);
  /** FIN lists by size class: 4, 8, 16 and 32 events of FIN_FIELDS (C.FinEvents, C.FinBlock). */
  readonly finPools: readonly BlockPool[] = [0, 1, 2, 3].map((k) => new BlockPool((FIN_BLOCK_EVENTS << k) * FIN_FIELDS));
  readonly resets: RstEvent[][] = [];
  readonly icmp: IcmpEvent[][] = [];
  /** Zeek history letters beyond the ones packed in the int block (see history-letters.ts). */
  readonly historyOverflow = new Map<number, string>();

  /** Makes room for slots [0, capacity), keeping the state of the existing ones. */
  grow(capacity: number): void {
    if (capacity <= this.capacity) return;
    const ints = new Int32Array(capacity * INT_STRIDE);
    ints.set(this.ints);
    // New slots hold no blocks yet (open() gives back the previous occupant's).
    for (let slot = this.capacity; slot < capacity; slot++) ints.set(INT_TEMPLATE, slot * INT_STRIDE);
    const floats = new Float64Array(capacity * FLOAT_STRIDE);
    floats.set(this.floats);
    const ladder = new Int32Array(capacity * (LADDER_HEAD + LADDER_RING) * LADDER_FIELDS);
    ladder.set(this.ladder);
    this.ints = ints;
    this.floats = floats;
    this.ladder = ladder;
    for (let slot = this.capacity; slot < capacity; slot++) {
      this.resets.push([]);
      this.icmp.push([]);
    }
    this.capacity = capacity;
  }

  /** A new connection in `slot`: the previous occupant's blocks go back, every field to its initial value. */
  open(slot: number): void {
    const c = slot * INT_STRIDE;
    const I = this.ints;
    if (I[c + C.CloseBlock] >= 0) this.closePool.release(I[c + C.CloseBlock]);
    const finEvents = I[c + C.FinEvents];
    if (finEvents > 0) this.finPools[finClass(finEvents)].release(I[c + C.FinBlock]);
    if (I[c + C.ZHistoryLength] > HISTORY_PACKED) this.historyOverflow.delete(slot);
    I.set(INT_TEMPLATE, c);
    this.floats.set(FLOAT_TEMPLATE, slot * FLOAT_STRIDE);
    // Most connections leave these lists empty: only touch the ones that were used.
    if (this.resets[slot].length !== 0) this.resets[slot].length = 0;
    if (this.icmp[slot].length !== 0) this.icmp[slot].length = 0;
  }

  /** Start of the close-ladder block of `slot`, taken on first use (read closePool.data afterwards). */
  closeBlock(slot: number): number {
    const c = slot * INT_STRIDE;
    const block = this.ints[c + C.CloseBlock];
    if (block >= 0) return block;
    return (this.ints[c + C.CloseBlock] = this.closePool.alloc());
  }

  /**
   * Appends a FIN event (up to MAX_EVENTS), moving the list to the next size class when its block is
   * full. Returns false when the list is full.
   */
  addFin(slot: number, frame: number, dir: number, seconds: number, nanos: number, seq: number, retransmission: boolean): boolean {
    const c = slot * INT_STRIDE;
    const I = this.ints;
    const n = I[c + C.FinEvents];
    if (n >= MAX_EVENTS) return false;
    let block = I[c + C.FinBlock];
    const cls = finClass(n + 1);
    if (n === 0) block = this.finPools[0].alloc();
    else if (cls !== finClass(n)) {
      const from = this.finPools[cls - 1];
      const to = this.finPools[cls];
      const moved = to.alloc();
      to.data.set(from.data.subarray(block, block + n * FIN_FIELDS), moved);
      from.release(block);
      block = moved;
    }
    I[c + C.FinBlock] = block;
    I[c + C.FinEvents] = n + 1;
    const data = this.finPools[cls].data;
    const o = block + n * FIN_FIELDS;
    data[o + FinField.Frame] = frame;
    data[o + FinField.From] = dir;
    data[o + FinField.Seconds] = seconds - this.floats[slot * FLOAT_STRIDE + CD.FirstSeconds];
    data[o + FinField.Nanos] = nanos;
    data[o + FinField.Seq] = seq;
    data[o + FinField.Retransmission] = retransmission ? 1 : 0;
    data[o + FinField.AckFrame] = 0;
    data[o + FinField.AckByRst] = 0;
    return true;
  }

  /** Number of FIN events of `slot`; their fields are at finData(slot)[finBlock(slot) + i * FIN_FIELDS + field]. */
  finCount(slot: number): number {
    return this.ints[slot * INT_STRIDE + C.FinEvents];
  }
  finData(slot: number): Int32Array {
    return this.finPools[finClass(this.ints[slot * INT_STRIDE + C.FinEvents])].data;
  }
  finBlock(slot: number): number {
    return this.ints[slot * INT_STRIDE + C.FinBlock];
  }
}
