import type { TcpSegment } from '../decode/segment.js';
import { T, type FlowTable } from './flow-table.js';
import type { StreamBases } from './stream-rules.js';

const KEY_WORDS = 10;
const FLAG_BASE0 = 1;
const FLAG_BASE1 = 2;
const FLAG_ALIVE = 32;
const FLAG_EVICTED = 64;
const INITIAL = 4096;

/** Int32 fields of a retired entry: one cache line each. */
const enum R {
  Key = 0,
  Hash = 10,
  Version,
  Stream,
  Base0,
  Base1,
  Flags,
  Stride = 16,
}

/** What the flow stage remembers of a flow that has been judged, for the packets that still trickle in. */
export interface RetiredFlow extends StreamBases {
  stream: number;
  evicted: boolean;
}

/**
 * Flows that have left the main table, kept compactly (64 bytes each, in one Int32Array) so that a late
 * packet of the same connection (a RST storm, a retransmission after the grace period) keeps its
 * tshark stream number instead of opening a new stream, while a new SYN still starts a new one. Entries
 * live in a ring in retirement order: the oldest goes first when the retention time or the cap is hit,
 * so memory is bounded whatever the capture size.
 */
export class RetiredTable {
  private ints = new Int32Array(INITIAL * R.Stride);
  private retiredAt = new Float64Array(INITIAL);
  private capacity = INITIAL;
  private head = 0;
  private count = 0;
  private slots = new Int32Array(INITIAL * 2).fill(-1);
  private slotMask = INITIAL * 2 - 1;
  /** Flow direction of the last hit (0: A->B). */
  direction = 0;
  private readonly hit: RetiredFlow = { stream: 0, base0Set: false, base0: 0, base1Set: false, base1: 0, evicted: false };

  constructor(
    private readonly maxEntries: number,
    private readonly retentionSeconds: number,
    /** A retired flow is forgotten (aged out, pushed out by the cap, or its 4-tuple reused): no more late packets will name its stream. */
    private readonly onForget: (stream: number) => void = () => undefined,
  ) {}

  get size(): number {
    return this.count;
  }

  /** Remembers a judged flow of the live table (entry i) before the entry is freed; false when it keeps none. */
  retire(table: FlowTable, entry: number, now: number, evicted: boolean): boolean {
    if (this.maxEntries <= 0) return false;
    if (this.count === this.maxEntries) this.dropOldest();
    if (this.count === this.capacity) this.grow();
    const i = (this.head + this.count) % this.capacity;
    const r = i * R.Stride;
    const k = entry * T.Stride;
    const from = table.ints;
    const ints = this.ints;
    for (let w = 0; w < KEY_WORDS; w++) ints[r + w] = from[k + T.Key + w];
    ints[r + R.Hash] = from[k + T.Hash];
    ints[r + R.Version] = from[k + T.Version];
    ints[r + R.Stream] = from[k + T.Stream];
    ints[r + R.Base0] = from[k + T.Base0];
    ints[r + R.Base1] = from[k + T.Base1];
    const baseSet = from[k + T.BaseSet];
    ints[r + R.Flags] = FLAG_ALIVE | (evicted ? FLAG_EVICTED : 0) | ((baseSet & 1) !== 0 ? FLAG_BASE0 : 0) | ((baseSet & 2) !== 0 ? FLAG_BASE1 : 0);
    this.retiredAt[i] = now;
    this.count++;
    this.place(i);
    return true;
  }

  /** Entry index for the segment's 4-tuple or -1; sets `direction`. */
  find(seg: TcpSegment, hash: number): number {
    const slots = this.slots;
    const mask = this.slotMask;
    const e = this.ints;
    for (let s = hash & mask; ; s = (s + 1) & mask) {
      const i = slots[s];
      if (i < 0) return -1;
      const k = i * R.Stride;
      if (e[k + R.Hash] !== hash || e[k + R.Version] !== seg.ipVersion) continue;
      if (e[k + 4] === seg.srcPort && e[k + 9] === seg.dstPort && e[k + 3] === seg.src3 && e[k + 8] === seg.dst3 &&
          e[k] === seg.src0 && e[k + 1] === seg.src1 && e[k + 2] === seg.src2 && e[k + 5] === seg.dst0 && e[k + 6] === seg.dst1 && e[k + 7] === seg.dst2) {
        this.direction = 0;
        return i;
      }
      if (e[k + 4] === seg.dstPort && e[k + 9] === seg.srcPort && e[k + 3] === seg.dst3 && e[k + 8] === seg.src3 &&
          e[k] === seg.dst0 && e[k + 1] === seg.dst1 && e[k + 2] === seg.dst2 && e[k + 5] === seg.src0 && e[k + 6] === seg.src1 && e[k + 7] === seg.src2) {
        this.direction = 1;
        return i;
      }
    }
  }

  /** The entry's facts (a reused object). */
  get(i: number): RetiredFlow {
    const e = this.ints;
    const k = i * R.Stride;
    const flags = e[k + R.Flags];
    const hit = this.hit;
    hit.stream = e[k + R.Stream];
    hit.base0Set = (flags & FLAG_BASE0) !== 0;
    hit.base0 = e[k + R.Base0];
    hit.base1Set = (flags & FLAG_BASE1) !== 0;
    hit.base1 = e[k + R.Base1];
    hit.evicted = (flags & FLAG_EVICTED) !== 0;
    return hit;
  }

  /** Stores an entry's base sequence numbers (they keep evolving with late packets, as in tshark). */
  setBases(i: number, bases: StreamBases): void {
    const e = this.ints;
    const k = i * R.Stride;
    e[k + R.Base0] = bases.base0;
    e[k + R.Base1] = bases.base1;
    e[k + R.Flags] = (e[k + R.Flags] & ~(FLAG_BASE0 | FLAG_BASE1)) | (bases.base0Set ? FLAG_BASE0 : 0) | (bases.base1Set ? FLAG_BASE1 : 0);
  }

  /** A late packet arrived: move the entry to the young end of the ring so retention counts from now. */
  touch(i: number, now: number): void {
    const newest = (this.head + this.count - 1) % this.capacity;
    if (i === newest) {
      this.retiredAt[i] = now;
      return;
    }
    let at = i;
    if (this.count === this.capacity) {
      if (this.capacity < this.maxEntries) {
        // Growing unrolls the ring to start at 0, so the entry's index becomes its age rank.
        const rank = (i - this.head + this.capacity) % this.capacity;
        this.grow();
        at = rank;
      } else if (at === this.head) {
        // A full ring at its cap: turning it one place makes the oldest entry the newest.
        this.retiredAt[at] = now;
        this.head = (this.head + 1) % this.capacity;
        return;
      } else {
        // At the cap the oldest entry makes room: the ring is never copied to do it.
        this.dropOldest();
      }
    }
    const j = (this.head + this.count) % this.capacity;
    this.ints.copyWithin(j * R.Stride, at * R.Stride, at * R.Stride + R.Stride);
    this.retiredAt[j] = now;
    this.unlink(at);
    this.count++;
    this.place(j);
  }

  /** Forgets an entry (its 4-tuple now belongs to a new flow). */
  remove(i: number): void {
    if ((this.ints[i * R.Stride + R.Flags] & FLAG_ALIVE) === 0) return;
    this.onForget(this.ints[i * R.Stride + R.Stream]);
    this.unlink(i);
  }

  /** Takes an entry out of the index (it is gone, or moved to another place in the ring). */
  private unlink(i: number): void {
    const k = i * R.Stride + R.Flags;
    if ((this.ints[k] & FLAG_ALIVE) === 0) return;
    this.unplace(i);
    this.ints[k] = 0;
  }

  /** Drops entries retired longer ago than the retention time. */
  expire(now: number): void {
    const limit = now - this.retentionSeconds;
    while (this.count > 0) {
      const i = this.head;
      if ((this.ints[i * R.Stride + R.Flags] & FLAG_ALIVE) !== 0 && this.retiredAt[i] >= limit) return;
      this.dropOldest();
    }
  }

  private dropOldest(): void {
    const i = this.head;
    if ((this.ints[i * R.Stride + R.Flags] & FLAG_ALIVE) !== 0) {
      this.onForget(this.ints[i * R.Stride + R.Stream]);
      this.unplace(i);
    }
    this.ints[i * R.Stride + R.Flags] = 0;
    this.head = (this.head + 1) % this.capacity;
    this.count--;
  }

  private place(i: number): void {
    const mask = this.slotMask;
    let s = this.ints[i * R.Stride + R.Hash] & mask;
    while (this.slots[s] >= 0) s = (s + 1) & mask;
    this.slots[s] = i;
  }

  /** Backward-shift deletion from the slot array. */
  private unplace(i: number): void {
    const slots = this.slots;
    const mask = this.slotMask;
    let hole = this.ints[i * R.Stride + R.Hash] & mask;
    while (slots[hole] !== i) hole = (hole + 1) & mask;
    slots[hole] = -1;
    for (let s = (hole + 1) & mask; ; s = (s + 1) & mask) {
      const moving = slots[s];
      if (moving < 0) return;
      const home = this.ints[moving * R.Stride + R.Hash] & mask;
      if (((hole - home) & mask) <= ((s - home) & mask)) {
        slots[hole] = moving;
        slots[s] = -1;
        hole = s;
      }
    }
  }

  /** Doubles the ring (unrolled into age order) and rebuilds the slots. */
  private grow(): void {
    const capacity = Math.min(this.capacity * 2, Math.max(this.maxEntries, INITIAL));
    const ints = new Int32Array(capacity * R.Stride);
    const retiredAt = new Float64Array(capacity);
    // The ring in age order is at most two runs: head..end of the array, then 0..the rest.
    const first = Math.min(this.count, this.capacity - this.head);
    ints.set(this.ints.subarray(this.head * R.Stride, (this.head + first) * R.Stride), 0);
    ints.set(this.ints.subarray(0, (this.count - first) * R.Stride), first * R.Stride);
    retiredAt.set(this.retiredAt.subarray(this.head, this.head + first), 0);
    retiredAt.set(this.retiredAt.subarray(0, this.count - first), first);
    this.ints = ints;
    this.retiredAt = retiredAt;
    this.capacity = capacity;
    this.head = 0;
    let slotCount = 1;
    while (slotCount < capacity * 2) slotCount *= 2;
    this.slots = new Int32Array(slotCount).fill(-1);
    this.slotMask = slotCount - 1;
    for (let i = 0; i < this.count; i++) if ((this.ints[i * R.Stride + R.Flags] & FLAG_ALIVE) !== 0) this.place(i);
  }
}
