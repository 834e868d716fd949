import { ExpiryWheel } from './expiry-wheel.js';
import { StreamSlots } from './stream-slots.js';

/**
 * Sockets that may still be in the table when the capture ends, in typed arrays (no object or string
 * per socket): each with its host and port, its peer's, its state, when its timer runs out (Infinity:
 * no timer) and when that timer started, and the stream and side it belongs to. A timing wheel orders
 * the ones with a timer by the second they expire so they leave in O(1); a socket can also be found by
 * its stream and side, for a new connection that takes over its 4-tuple. Capacity grows by doubling up
 * to `limit`.
 */
export class PendingSockets {
  host = new Int32Array(0);
  port = new Int32Array(0);
  peerHost = new Int32Array(0);
  peerPort = new Int32Array(0);
  state = new Uint8Array(0);
  alive = new Uint8Array(0);
  expiry = new Float64Array(0);
  enteredAt = new Float64Array(0);
  private stream = new Int32Array(0);
  private readonly wheel = new ExpiryWheel();
  private readonly expiryOf = (slot: number): number => this.expiry[slot];
  private readonly due = (slot: number): void => {
    if (this.alive[slot] !== 0) {
      this.leaving(slot);
      this.kill(slot);
    }
    this.free[this.freeCount++] = slot;
  };
  private leaving: (slot: number) => void = () => undefined;
  private free = new Int32Array(0);
  private freeCount = 0;
  private top = 0;
  private live = 0;
  /** stream * 2 + side -> slot, for sockets of numbered streams. */
  private readonly byStream = new StreamSlots();

  constructor(private readonly limit: number) {}

  /** Sockets held. */
  get size(): number {
    return this.live;
  }

  /** Slots used so far (iterate 0..slots, skipping dead ones). */
  get slots(): number {
    return this.top;
  }

  /** Adds a socket; returns its slot, or -1 when `limit` are held already. */
  add(host: number, port: number, peerHost: number, peerPort: number, state: number, expiry: number, enteredAt: number, stream: number, side: number): number {
    let slot: number;
    if (this.freeCount > 0) slot = this.free[--this.freeCount];
    else {
      if (this.top >= this.limit) return -1;
      if (this.top >= this.host.length) this.grow();
      slot = this.top++;
    }
    this.host[slot] = host;
    this.port[slot] = port;
    this.peerHost[slot] = peerHost;
    this.peerPort[slot] = peerPort;
    this.state[slot] = state;
    this.alive[slot] = 1;
    this.expiry[slot] = expiry;
    this.enteredAt[slot] = enteredAt;
    this.stream[slot] = stream;
    this.live++;
    if (stream >= 0) this.byStream.set(stream * 2 + side, slot);
    if (expiry !== Infinity) this.wheel.add(slot, expiry);
    return slot;
  }

  /** The living socket of `stream`'s side `side`, or -1. */
  find(stream: number, side: number): number {
    if (stream < 0) return -1;
    const slot = this.byStream.get(stream * 2 + side);
    return slot < 0 || this.alive[slot] === 0 ? -1 : slot;
  }

  /** Takes a socket out (a new connection took its 4-tuple); its slot is freed when its heap entry leaves. */
  remove(slot: number): void {
    if (this.alive[slot] === 0) return;
    this.kill(slot);
    if (this.expiry[slot] === Infinity) this.free[this.freeCount++] = slot;
  }

  /** Takes out every socket whose timer ran out by `now`, calling `leave` for each (with its slot). */
  expire(now: number, leave: (slot: number) => void): void {
    this.leaving = leave;
    this.wheel.expire(now, this.expiryOf, this.due);
  }

  private kill(slot: number): void {
    this.alive[slot] = 0;
    this.live--;
    const stream = this.stream[slot];
    if (stream >= 0) {
      this.byStream.delete(stream * 2, slot);
      this.byStream.delete(stream * 2 + 1, slot);
    }
  }

  private grow(): void {
    const size = Math.min(this.limit, Math.max(1024, this.host.length * 2));
    const grow32 = (a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> => {
      const b = new Int32Array(size);
      b.set(a);
      return b;
    };
    const grow8 = (a: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> => {
      const b = new Uint8Array(size);
      b.set(a);
      return b;
    };
    const grow64 = (a: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> => {
      const b = new Float64Array(size);
      b.set(a);
      return b;
    };
    this.host = grow32(this.host);
    this.port = grow32(this.port);
    this.peerHost = grow32(this.peerHost);
    this.peerPort = grow32(this.peerPort);
    this.state = grow8(this.state);
    this.alive = grow8(this.alive);
    this.expiry = grow64(this.expiry);
    this.enteredAt = grow64(this.enteredAt);
    this.stream = grow32(this.stream);
    this.free = grow32(this.free);
    this.wheel.grow(size);
  }
}
