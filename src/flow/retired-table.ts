import type { TcpSegment } from '../decode/segment.js';
import { T, type FlowTable } from './flow-table.js';
import type { StreamBases } from './stream-rules.js';

const KEY_WORDS = 10;
const FLAG_BASE0 = 1;
const FLAG_BASE1 = 2;
const FLAG_ALIVE = 32;
const FLAG_EVICTED = 64;
const INITIAL = 4096;

/** What the flow stage remembers of a flow that has been judged, for the packets that still trickle in. */
export interface RetiredFlow extends StreamBases {
  stream: number;
  evicted: boolean;
}

/**
 * Flows that have left the main table, kept compactly (about 64 bytes each, in typed arrays) so that a
 * late packet of the same connection (a RST storm, a retransmission after the grace period) keeps its
 * tshark stream number instead of opening a new stream, while a new SYN still starts a new one. Entries
 * live in a ring in retirement order: the oldest goes first when the retention time or the cap is hit,
 * so memory is bounded whatever the capture size.
 */
export class RetiredTable {
  private keys = new Int32Array(INITIAL * KEY_WORDS);
  private hashes = new Int32Array(INITIAL);
  private streams = new Int32Array(INITIAL);
  private isn0 = new Int32Array(INITIAL);
  private isn1 = new Int32Array(INITIAL);
  private flags = new Uint8Array(INITIAL);
  private versions = new Uint8Array(INITIAL);
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
  ) {}

  get size(): number {
    return this.count;
  }

  /** Remembers a judged flow of the live table (entry i) before the entry is freed. */
  retire(table: FlowTable, entry: number, now: number, evicted: boolean): void {
    if (this.maxEntries <= 0) return;
    if (this.count === this.maxEntries) this.dropOldest();
    if (this.count === this.capacity) this.grow();
    const i = (this.head + this.count) % this.capacity;
    const k = entry * T.Stride;
    this.keys.set(table.ints.subarray(k + T.Key, k + T.Key + KEY_WORDS), i * KEY_WORDS);
    this.hashes[i] = table.ints[k + T.Hash];
    this.streams[i] = table.ints[k + T.Stream];
    this.versions[i] = table.ints[k + T.Version];
    this.retiredAt[i] = now;
    this.isn0[i] = table.ints[k + T.Base0];
    this.isn1[i] = table.ints[k + T.Base1];
    const baseSet = table.ints[k + T.BaseSet];
    this.flags[i] = FLAG_ALIVE | (evicted ? FLAG_EVICTED : 0) | ((baseSet & 1) !== 0 ? FLAG_BASE0 : 0) | ((baseSet & 2) !== 0 ? FLAG_BASE1 : 0);
    this.count++;
    this.place(i);
  }

  /** Entry index for the segment's 4-tuple or -1; sets `direction`. */
  find(seg: TcpSegment, hash: number): number {
    const slots = this.slots;
    const mask = this.slotMask;
    const keys = this.keys;
    for (let s = hash & mask; ; s = (s + 1) & mask) {
      const i = slots[s];
      if (i < 0) return -1;
      if (this.hashes[i] !== hash || this.versions[i] !== seg.ipVersion) continue;
      const k = i * KEY_WORDS;
      if (keys[k + 4] === seg.srcPort && keys[k + 9] === seg.dstPort && keys[k + 3] === seg.src3 && keys[k + 8] === seg.dst3 &&
          keys[k] === seg.src0 && keys[k + 1] === seg.src1 && keys[k + 2] === seg.src2 && keys[k + 5] === seg.dst0 && keys[k + 6] === seg.dst1 && keys[k + 7] === seg.dst2) {
        this.direction = 0;
        return i;
      }
      if (keys[k + 4] === seg.dstPort && keys[k + 9] === seg.srcPort && keys[k + 3] === seg.dst3 && keys[k + 8] === seg.src3 &&
          keys[k] === seg.dst0 && keys[k + 1] === seg.dst1 && keys[k + 2] === seg.dst2 && keys[k + 5] === seg.src0 && keys[k + 6] === seg.src1 && keys[k + 7] === seg.src2) {
        this.direction = 1;
        return i;
      }
    }
  }

  /** The entry's facts (a reused object). */
  get(i: number): RetiredFlow {
    const f = this.flags[i];
    const hit = this.hit;
    hit.stream = this.streams[i];
    hit.base0Set = (f & FLAG_BASE0) !== 0;
    hit.base0 = this.isn0[i];
    hit.base1Set = (f & FLAG_BASE1) !== 0;
    hit.base1 = this.isn1[i];
    hit.evicted = (f & FLAG_EVICTED) !== 0;
    return hit;
  }

  /** Stores an entry's base sequence numbers (they keep evolving with late packets, as in tshark). */
  setBases(i: number, bases: StreamBases): void {
    this.isn0[i] = bases.base0;
    this.isn1[i] = bases.base1;
    this.flags[i] = (this.flags[i] & ~(FLAG_BASE0 | FLAG_BASE1)) | (bases.base0Set ? FLAG_BASE0 : 0) | (bases.base1Set ? FLAG_BASE1 : 0);
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
      // Growing unrolls the ring to start at 0, so the entry's index becomes its age rank.
      const rank = (i - this.head + this.capacity) % this.capacity;
      this.grow();
      at = rank;
      if (this.count === this.capacity) {
        // At the cap the oldest entry makes room (unless it is the one being touched).
        if (at === this.head) {
          this.retiredAt[at] = now;
          return;
        }
        this.dropOldest();
      }
    }
    const j = (this.head + this.count) % this.capacity;
    this.keys.copyWithin(j * KEY_WORDS, at * KEY_WORDS, at * KEY_WORDS + KEY_WORDS);
    this.hashes[j] = this.hashes[at];
    this.streams[j] = this.streams[at];
    this.isn0[j] = this.isn0[at];
    this.isn1[j] = this.isn1[at];
    this.flags[j] = this.flags[at];
    this.versions[j] = this.versions[at];
    this.retiredAt[j] = now;
    this.remove(at);
    this.count++;
    this.place(j);
  }

  /** Forgets an entry (its 4-tuple now belongs to a new flow). */
  remove(i: number): void {
    if ((this.flags[i] & FLAG_ALIVE) === 0) return;
    this.unplace(i);
    this.flags[i] = 0;
  }

  /** Drops entries retired longer ago than the retention time. */
  expire(now: number): void {
    const limit = now - this.retentionSeconds;
    while (this.count > 0) {
      const i = this.head;
      if ((this.flags[i] & FLAG_ALIVE) !== 0 && this.retiredAt[i] >= limit) return;
      this.dropOldest();
    }
  }

  private dropOldest(): void {
    const i = this.head;
    if ((this.flags[i] & FLAG_ALIVE) !== 0) this.unplace(i);
    this.flags[i] = 0;
    this.head = (this.head + 1) % this.capacity;
    this.count--;
  }

  private place(i: number): void {
    const mask = this.slotMask;
    let s = this.hashes[i] & mask;
    while (this.slots[s] >= 0) s = (s + 1) & mask;
    this.slots[s] = i;
  }

  /** Backward-shift deletion from the slot array. */
  private unplace(i: number): void {
    const slots = this.slots;
    const mask = this.slotMask;
    let hole = this.hashes[i] & mask;
    while (slots[hole] !== i) hole = (hole + 1) & mask;
    slots[hole] = -1;
    for (let s = (hole + 1) & mask; ; s = (s + 1) & mask) {
      const moving = slots[s];
      if (moving < 0) return;
      const home = this.hashes[moving] & mask;
      if (((hole - home) & mask) <= ((s - home) & mask)) {
        slots[hole] = moving;
        slots[s] = -1;
        hole = s;
      }
    }
  }

  /** Doubles the ring (unrolled into order) and rebuilds the slots. */
  private grow(): void {
    const capacity = Math.min(this.capacity * 2, Math.max(this.maxEntries, INITIAL));
    const order: number[] = [];
    for (let n = 0; n < this.count; n++) order.push((this.head + n) % this.capacity);
    const keys = new Int32Array(capacity * KEY_WORDS);
    const hashes = new Int32Array(capacity);
    const streams = new Int32Array(capacity);
    const isn0 = new Int32Array(capacity);
    const isn1 = new Int32Array(capacity);
    const flags = new Uint8Array(capacity);
    const versions = new Uint8Array(capacity);
    const retiredAt = new Float64Array(capacity);
    order.forEach((from, to) => {
      keys.set(this.keys.subarray(from * KEY_WORDS, from * KEY_WORDS + KEY_WORDS), to * KEY_WORDS);
      hashes[to] = this.hashes[from];
      streams[to] = this.streams[from];
      isn0[to] = this.isn0[from];
      isn1[to] = this.isn1[from];
      flags[to] = this.flags[from];
      versions[to] = this.versions[from];
      retiredAt[to] = this.retiredAt[from];
    });
    this.keys = keys;
    this.hashes = hashes;
    this.streams = streams;
    this.isn0 = isn0;
    this.isn1 = isn1;
    this.flags = flags;
    this.versions = versions;
    this.retiredAt = retiredAt;
    this.capacity = capacity;
    this.head = 0;
    let slotCount = 1;
    while (slotCount < capacity * 2) slotCount *= 2;
    this.slots = new Int32Array(slotCount).fill(-1);
    this.slotMask = slotCount - 1;
    for (let i = 0; i < this.count; i++) if ((this.flags[i] & FLAG_ALIVE) !== 0) this.place(i);
  }
}
