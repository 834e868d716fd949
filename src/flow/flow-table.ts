import type { TcpSegment } from '../decode/segment.js';
import { flowHash } from './endpoint-hash.js';
import type { FlowInfo } from './flow.js';

/** Entry status. */
export const FREE = 0;
export const OPEN = 1;
export const FINISHED = 2;

/** Int32 fields of a table entry, contiguous so one lookup and update touch one or two cache lines. */
export const enum T {
  /** A's address words and port, then B's (keys[0..9]). */
  Key = 0,
  Hash = 10,
  Version,
  Status,
  Stream,
  FirstFrame,
  LastFrame,
  Packets,
  /** tshark's base sequence of A and of B, and which of them are set (bit 0: A, bit 1: B). */
  Base0,
  Base1,
  BaseSet,
  /** Bumped each time the entry is reused, so queued references to its previous flow go stale. */
  Generation,
  /** 1 while the flow is nothing but SYNs without ACK from A (a connect() nobody has answered yet). */
  SynOnly,
  Stride = 24,
}

const INITIAL_ENTRIES = 1024;

/**
 * The live flows: entry `i` owns ints [i * T.Stride, +T.Stride) (its 4-tuple, stream number, frame range,
 * packet count, tshark base sequences) and lastSeen[i]. An open-addressing index (linear probing,
 * backward-shift deletion) maps hashes to entries; lookups compare numbers, never build a key. Entries
 * are recycled through a free list, so memory only grows with the number of flows held at once. The
 * tracker keeps each connection's state under the same entry number.
 */
export class FlowTable {
  capacity = 0;
  size = 0;
  ints = new Int32Array(0);
  lastSeen = new Float64Array(0);
  /** Direction of the last hit of find(): 0 when the segment goes A->B, 1 when B->A. */
  direction = 0;

  private index = new Int32Array(0);
  private mask = 0;
  private free = new Int32Array(0);
  private freeCount = 0;

  constructor(private readonly onGrow: (capacity: number) => void) {
    this.grow(INITIAL_ENTRIES);
  }

  static hashOf(seg: TcpSegment): number {
    return flowHash(seg.ipVersion, seg.src0, seg.src1, seg.src2, seg.src3, seg.srcPort, seg.dst0, seg.dst1, seg.dst2, seg.dst3, seg.dstPort);
  }

  /** The entry holding the segment's 4-tuple, or -1; sets `direction` on a hit. */
  find(seg: TcpSegment, hash: number): number {
    const index = this.index;
    const e = this.ints;
    const mask = this.mask;
    for (let s = hash & mask; ; s = (s + 1) & mask) {
      const i = index[s];
      if (i < 0) return -1;
      const k = i * T.Stride;
      if (e[k + T.Hash] !== hash || e[k + T.Version] !== seg.ipVersion) continue;
      if (
        e[k + 4] === seg.srcPort &&
        e[k + 9] === seg.dstPort &&
        e[k + 3] === seg.src3 &&
        e[k + 8] === seg.dst3 &&
        e[k] === seg.src0 &&
        e[k + 1] === seg.src1 &&
        e[k + 2] === seg.src2 &&
        e[k + 5] === seg.dst0 &&
        e[k + 6] === seg.dst1 &&
        e[k + 7] === seg.dst2
      ) {
        this.direction = 0;
        return i;
      }
      if (
        e[k + 4] === seg.dstPort &&
        e[k + 9] === seg.srcPort &&
        e[k + 3] === seg.dst3 &&
        e[k + 8] === seg.src3 &&
        e[k] === seg.dst0 &&
        e[k + 1] === seg.dst1 &&
        e[k + 2] === seg.dst2 &&
        e[k + 5] === seg.src0 &&
        e[k + 6] === seg.src1 &&
        e[k + 7] === seg.src2
      ) {
        this.direction = 1;
        return i;
      }
    }
  }

  /** Takes a free entry for the segment's 4-tuple (A = the segment's source) and indexes it. */
  insert(seg: TcpSegment, hash: number): number {
    if (this.freeCount === 0) this.grow(this.capacity * 2);
    const i = this.free[--this.freeCount];
    const k = i * T.Stride;
    this.setKey(i, seg);
    this.ints[k + T.Hash] = hash;
    this.ints[k + T.Version] = seg.ipVersion;
    this.ints[k + T.Generation]++;
    this.place(i);
    this.size++;
    return i;
  }

  /** Makes the segment's source endpoint A of entry i (a reused 4-tuple starts a stream from its SYN). */
  setKey(i: number, seg: TcpSegment): void {
    const e = this.ints;
    const k = i * T.Stride;
    e[k] = seg.src0;
    e[k + 1] = seg.src1;
    e[k + 2] = seg.src2;
    e[k + 3] = seg.src3;
    e[k + 4] = seg.srcPort;
    e[k + 5] = seg.dst0;
    e[k + 6] = seg.dst1;
    e[k + 7] = seg.dst2;
    e[k + 8] = seg.dst3;
    e[k + 9] = seg.dstPort;
  }

  get(i: number, field: T): number {
    return this.ints[i * T.Stride + field];
  }

  set(i: number, field: T, value: number): void {
    this.ints[i * T.Stride + field] = value;
  }

  /** Removes entry i from the index and frees it. */
  remove(i: number): void {
    const index = this.index;
    const e = this.ints;
    const mask = this.mask;
    let hole = e[i * T.Stride + T.Hash] & mask;
    while (index[hole] !== i) hole = (hole + 1) & mask;
    index[hole] = -1;
    // Backward-shift deletion keeps every probe chain unbroken without tombstones.
    for (let s = (hole + 1) & mask; ; s = (s + 1) & mask) {
      const moving = index[s];
      if (moving < 0) break;
      const home = e[moving * T.Stride + T.Hash] & mask;
      if (((hole - home) & mask) <= ((s - home) & mask)) {
        index[hole] = moving;
        index[s] = -1;
        hole = s;
      }
    }
    e[i * T.Stride + T.Status] = FREE;
    this.free[this.freeCount++] = i;
    this.size--;
  }

  /** Copies entry i's identity into `out`. */
  describe(i: number, out: FlowInfo): FlowInfo {
    const e = this.ints;
    const k = i * T.Stride;
    out.stream = e[k + T.Stream];
    out.ipVersion = e[k + T.Version];
    out.a0 = e[k];
    out.a1 = e[k + 1];
    out.a2 = e[k + 2];
    out.a3 = e[k + 3];
    out.aPort = e[k + 4];
    out.b0 = e[k + 5];
    out.b1 = e[k + 6];
    out.b2 = e[k + 7];
    out.b3 = e[k + 8];
    out.bPort = e[k + 9];
    out.firstFrame = e[k + T.FirstFrame];
    out.lastFrame = e[k + T.LastFrame];
    out.packets = e[k + T.Packets];
    return out;
  }

  private place(i: number): void {
    const mask = this.mask;
    let s = this.ints[i * T.Stride + T.Hash] & mask;
    while (this.index[s] >= 0) s = (s + 1) & mask;
    this.index[s] = i;
  }

  private grow(capacity: number): void {
    const old = this.capacity;
    const ints = new Int32Array(capacity * T.Stride);
    ints.set(this.ints);
    this.ints = ints;
    const lastSeen = new Float64Array(capacity);
    lastSeen.set(this.lastSeen);
    this.lastSeen = lastSeen;
    const free = new Int32Array(capacity);
    free.set(this.free.subarray(0, this.freeCount));
    // Hand out low entries first so a small capture touches little memory.
    for (let i = capacity - 1; i >= old; i--) free[this.freeCount++] = i;
    this.free = free;
    this.capacity = capacity;
    // The index stays at most half full.
    this.index = new Int32Array(capacity * 2).fill(-1);
    this.mask = capacity * 2 - 1;
    for (let i = 0; i < old; i++) if (ints[i * T.Stride + T.Status] !== FREE) this.place(i);
    this.onGrow(capacity);
  }
}
