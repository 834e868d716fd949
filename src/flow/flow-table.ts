import type { TcpSegment } from '../decode/segment.js';
import { flowHash } from './endpoint-hash.js';
import { Flow } from './flow.js';

const MIN_CAPACITY = 1024;

/**
 * Open-addressing hash table (linear probing, backward-shift deletion) from a TCP 4-tuple to its current
 * flow. Keys are compared field by field against the segment, so a lookup builds nothing. After a hit,
 * `direction` is 0 when the segment goes A->B and 1 when it goes B->A.
 */
export class FlowTable<T> {
  private slots: (Flow<T> | null)[];
  private mask: number;
  size = 0;
  direction = 0;

  constructor(initialCapacity = MIN_CAPACITY) {
    let capacity = MIN_CAPACITY;
    while (capacity < initialCapacity * 2) capacity *= 2;
    this.slots = new Array<Flow<T> | null>(capacity).fill(null);
    this.mask = capacity - 1;
  }

  static hashOf(seg: TcpSegment): number {
    return flowHash(
      seg.ipVersion,
      seg.src0,
      seg.src1,
      seg.src2,
      seg.src3,
      seg.srcPort,
      seg.dst0,
      seg.dst1,
      seg.dst2,
      seg.dst3,
      seg.dstPort,
    );
  }

  /** The flow for the segment's 4-tuple, or null; sets `direction` on a hit. */
  find(seg: TcpSegment, hash: number): Flow<T> | null {
    const slots = this.slots;
    const mask = this.mask;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const flow = slots[i];
      if (flow === null) return null;
      if (flow.hash !== hash || flow.ipVersion !== seg.ipVersion) continue;
      if (
        flow.aPort === seg.srcPort &&
        flow.bPort === seg.dstPort &&
        flow.a3 === seg.src3 &&
        flow.b3 === seg.dst3 &&
        flow.a0 === seg.src0 &&
        flow.a1 === seg.src1 &&
        flow.a2 === seg.src2 &&
        flow.b0 === seg.dst0 &&
        flow.b1 === seg.dst1 &&
        flow.b2 === seg.dst2
      ) {
        this.direction = 0;
        return flow;
      }
      if (
        flow.aPort === seg.dstPort &&
        flow.bPort === seg.srcPort &&
        flow.a3 === seg.dst3 &&
        flow.b3 === seg.src3 &&
        flow.a0 === seg.dst0 &&
        flow.a1 === seg.dst1 &&
        flow.a2 === seg.dst2 &&
        flow.b0 === seg.src0 &&
        flow.b1 === seg.src1 &&
        flow.b2 === seg.src2
      ) {
        this.direction = 1;
        return flow;
      }
    }
  }

  /** Fills the flow's key from the segment (A = the segment's source) and inserts it. */
  insert(flow: Flow<T>, seg: TcpSegment, hash: number): void {
    flow.ipVersion = seg.ipVersion;
    flow.a0 = seg.src0;
    flow.a1 = seg.src1;
    flow.a2 = seg.src2;
    flow.a3 = seg.src3;
    flow.aPort = seg.srcPort;
    flow.b0 = seg.dst0;
    flow.b1 = seg.dst1;
    flow.b2 = seg.dst2;
    flow.b3 = seg.dst3;
    flow.bPort = seg.dstPort;
    flow.hash = hash;
    if ((this.size + 1) * 2 > this.slots.length) this.grow();
    this.place(flow);
    this.size++;
  }

  /** Replaces the flow in `old`'s slot (port reuse: same key, new stream). */
  replace(old: Flow<T>, flow: Flow<T>): void {
    flow.ipVersion = old.ipVersion;
    flow.a0 = old.a0;
    flow.a1 = old.a1;
    flow.a2 = old.a2;
    flow.a3 = old.a3;
    flow.aPort = old.aPort;
    flow.b0 = old.b0;
    flow.b1 = old.b1;
    flow.b2 = old.b2;
    flow.b3 = old.b3;
    flow.bPort = old.bPort;
    flow.hash = old.hash;
    flow.slot = old.slot;
    this.slots[old.slot] = flow;
    old.slot = -1;
  }

  remove(flow: Flow<T>): void {
    const slots = this.slots;
    const mask = this.mask;
    let hole = flow.slot;
    if (hole < 0 || slots[hole] !== flow) return;
    slots[hole] = null;
    flow.slot = -1;
    this.size--;
    // Backward-shift deletion keeps every probe chain unbroken without tombstones.
    for (let i = (hole + 1) & mask; ; i = (i + 1) & mask) {
      const moving = slots[i];
      if (moving === null) return;
      const home = moving.hash & mask;
      const distanceNow = (i - home) & mask;
      const distanceToHole = (hole - home) & mask;
      if (distanceToHole <= distanceNow) {
        slots[hole] = moving;
        moving.slot = hole;
        slots[i] = null;
        hole = i;
      }
    }
  }

  private place(flow: Flow<T>): void {
    const slots = this.slots;
    const mask = this.mask;
    let i = flow.hash & mask;
    while (slots[i] !== null) i = (i + 1) & mask;
    slots[i] = flow;
    flow.slot = i;
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Array<Flow<T> | null>(old.length * 2).fill(null);
    this.mask = this.slots.length - 1;
    for (const flow of old) if (flow !== null) this.place(flow);
  }
}
