import { BlockPool } from './block-pool.js';
import { EventLists } from './event-lists.js';
import { RstField, type IcmpEvent } from './evidence.js';
import { HISTORY_PACKED } from './history-letters.js';
import { C, CD, CHUNK_BITS, CHUNK_SLOTS, D, E, FLOAT_STRIDE, floatBase, INT_STRIDE, intBase } from './layout.js';
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

/**
 * Every tracked connection's state, struct-of-arrays in chunks of CHUNK_SLOTS slots: connection `slot`
 * owns ints [intBase(slot), +INT_STRIDE) of intsOf(slot), floats [floatBase(slot), +FLOAT_STRIDE) of
 * floatsOf(slot) and a ladder ring in laddersOf(slot). The flow stage hands out slots, lowest first,
 * and reuses them once a connection is judged; a chunk is allocated when one of its slots is first
 * opened. So memory follows the number of connections open at once, never the size of the capture,
 * growing never copies live state, and a packet's update touches a few cache lines and allocates
 * nothing. Evidence only closing connections need (the close part of the ladder, the FIN list) lives
 * in blocks of int32 pools, taken when the close begins and given back when the slot is reused; RST
 * and ICMP events, rarer still, are objects in per-slot lists.
 */
export class ConnectionStore {
  private readonly intChunks: Int32Array[] = [];
  private readonly floatChunks: Float64Array[] = [];
  /** Ladder head and ring, int32 fields (seconds relative to the connection's first packet). */
  private readonly ladderChunks: Int32Array[] = [];
  /** Slots the flow stage may hand out (chunks exist only for those used so far). */
  capacity = 0;
  /** Close part of the ladder: LADDER_CLOSE packets of LADDER_FIELDS (C.CloseBlock). */
  readonly closePool = new BlockPool(LADDER_CLOSE * LADDER_FIELDS);
  /** FIN events (FinField) of each connection: C.FinEvents, C.FinBlock. Most connections have 2. */
  readonly fins = new EventLists(FIN_FIELDS, 4, MAX_EVENTS);
  /** RST events (RstField): C.RstEvents, C.RstBlock. Most connections have none, some 1 or 2. */
  readonly resets = new EventLists(RstField.Count, 2, MAX_EVENTS);
  readonly icmp: IcmpEvent[][] = [];
  /** Zeek history letters beyond the ones packed in the int block (see history-letters.ts). */
  readonly historyOverflow = new Map<number, string>();

  /** The int chunk holding `slot` (its fields start at intBase(slot)). */
  intsOf(slot: number): Int32Array {
    return this.intChunks[slot >> CHUNK_BITS];
  }

  /** The float chunk holding `slot` (its fields start at floatBase(slot)). */
  floatsOf(slot: number): Float64Array {
    return this.floatChunks[slot >> CHUNK_BITS];
  }

  /** The ladder chunk holding `slot` (see ladder.ts). */
  laddersOf(slot: number): Int32Array {
    return this.ladderChunks[slot >> CHUNK_BITS];
  }

  /** Bytes of state allocated (chunks and pools), for the benchmark. */
  get bytes(): number {
    const chunk = CHUNK_SLOTS * (INT_STRIDE * 4 + FLOAT_STRIDE * 8 + (LADDER_HEAD + LADDER_RING) * LADDER_FIELDS * 4);
    return this.intChunks.length * chunk + this.closePool.data.byteLength + this.fins.bytes + this.resets.bytes;
  }

  /** Slots [0, capacity) may now be opened; their chunks are made on first use. */
  grow(capacity: number): void {
    if (capacity > this.capacity) this.capacity = capacity;
  }

  /** A new connection in `slot`: the previous occupant's blocks go back, every field to its initial value. */
  open(slot: number): void {
    if (slot >= this.capacity) throw new RangeError(`slot ${slot} beyond the store's capacity ${this.capacity}`);
    while (this.intChunks.length <= slot >> CHUNK_BITS) this.addChunk();
    this.release(slot);
    this.intsOf(slot).set(INT_TEMPLATE, intBase(slot));
    this.floatsOf(slot).set(FLOAT_TEMPLATE, floatBase(slot));
    // Most connections have no ICMP error: only touch the lists that were used.
    if (this.icmp[slot].length !== 0) this.icmp[slot].length = 0;
  }

  /**
   * Gives back the slot's evidence blocks once its connection has been judged (or when the slot is
   * reused), so the pools hold the evidence of live connections only. The slot's own fields stay
   * readable until it is opened again.
   */
  release(slot: number): void {
    if (slot >> CHUNK_BITS >= this.intChunks.length) return;
    const c = intBase(slot);
    const I = this.intsOf(slot);
    if (I[c + C.CloseBlock] >= 0) this.closePool.release(I[c + C.CloseBlock]);
    this.fins.release(I[c + C.FinEvents], I[c + C.FinBlock]);
    this.resets.release(I[c + C.RstEvents], I[c + C.RstBlock]);
    if (I[c + C.ZHistoryLength] > HISTORY_PACKED) this.historyOverflow.delete(slot);
    I[c + C.CloseBlock] = -1;
    I[c + C.CloseCount] = -1;
    I[c + C.FinEvents] = 0;
    I[c + C.RstEvents] = 0;
    I[c + C.ZHistoryLength] = 0;
  }

  private addChunk(): void {
    const ints = new Int32Array(CHUNK_SLOTS * INT_STRIDE);
    // Slots never opened hold no blocks (open() gives back the previous occupant's).
    for (let i = 0; i < CHUNK_SLOTS; i++) ints.set(INT_TEMPLATE, i * INT_STRIDE);
    this.intChunks.push(ints);
    this.floatChunks.push(new Float64Array(CHUNK_SLOTS * FLOAT_STRIDE));
    this.ladderChunks.push(new Int32Array(CHUNK_SLOTS * (LADDER_HEAD + LADDER_RING) * LADDER_FIELDS));
    for (let i = 0; i < CHUNK_SLOTS; i++) this.icmp.push([]);
  }

  /** Start of the close-ladder block of `slot`, taken on first use (read closePool.data afterwards). */
  closeBlock(slot: number): number {
    const I = this.intsOf(slot);
    const c = intBase(slot);
    const block = I[c + C.CloseBlock];
    if (block >= 0) return block;
    return (I[c + C.CloseBlock] = this.closePool.alloc());
  }

  /** Appends a FIN event (up to MAX_EVENTS; later ones are only counted, in C.FinSegments). */
  addFin(slot: number, frame: number, dir: number, seconds: number, nanos: number, seq: number, retransmission: boolean): void {
    const c = intBase(slot);
    const I = this.intsOf(slot);
    const n = I[c + C.FinEvents];
    if (n >= MAX_EVENTS) return;
    const block = this.fins.append(n, I[c + C.FinBlock]);
    I[c + C.FinBlock] = block;
    I[c + C.FinEvents] = n + 1;
    const data = this.fins.data(n + 1);
    const o = block + n * FIN_FIELDS;
    data[o + FinField.Frame] = frame;
    data[o + FinField.From] = dir;
    data[o + FinField.Seconds] = seconds - this.floatsOf(slot)[floatBase(slot) + CD.FirstSeconds];
    data[o + FinField.Nanos] = nanos;
    data[o + FinField.Seq] = seq;
    data[o + FinField.Retransmission] = retransmission ? 1 : 0;
    data[o + FinField.AckFrame] = 0;
    data[o + FinField.AckByRst] = 0;
  }

  /** Number of FIN events of `slot`; their fields are at finData(slot)[finBlock(slot) + i * FIN_FIELDS + field]. */
  finCount(slot: number): number {
    return this.intsOf(slot)[intBase(slot) + C.FinEvents];
  }
  finData(slot: number): Int32Array {
    return this.fins.data(this.finCount(slot));
  }
  finBlock(slot: number): number {
    return this.intsOf(slot)[intBase(slot) + C.FinBlock];
  }

  /**
   * Room for a new RST event of `slot`: the offset in rstData(slot) where its RstField fields go, or -1
   * when MAX_EVENTS are recorded already (the rest are only counted, in C.RstSegments).
   */
  addReset(slot: number): number {
    const c = intBase(slot);
    const I = this.intsOf(slot);
    const n = I[c + C.RstEvents];
    if (n >= MAX_EVENTS) return -1;
    const block = this.resets.append(n, I[c + C.RstBlock]);
    I[c + C.RstBlock] = block;
    I[c + C.RstEvents] = n + 1;
    return block + n * RstField.Count;
  }

  /** Number of RST events of `slot`; their fields are at rstData(slot)[rstBlock(slot) + i * RstField.Count + field]. */
  rstCount(slot: number): number {
    return this.intsOf(slot)[intBase(slot) + C.RstEvents];
  }
  rstData(slot: number): Int32Array {
    return this.resets.data(this.rstCount(slot));
  }
  rstBlock(slot: number): number {
    return this.intsOf(slot)[intBase(slot) + C.RstBlock];
  }
}
