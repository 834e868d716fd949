/**
 * TIME_WAIT sockets from one local address to one remote ip:port: each holds one local port of that
 * 4-tuple family for TIME_WAIT's length, so a client that closes first and connects faster than ports
 * free up runs out of ephemeral ports (connect() fails with EADDRNOTAVAIL). The peak number held at
 * once, found with a sliding window over the times they entered TIME_WAIT (which arrive nearly in
 * order: connections are judged a few seconds after they close).
 *
 * A busy capture has tens of thousands of such pairs, most with a handful of entries in their window,
 * so pairs live in typed arrays (an open-addressing table of their keys, and per pair its counters and
 * a ring of RING entry times); only a pair whose window holds more spills to a JS array of its own.
 */
const RING = 4;
const EMPTY = 0;

export interface PressurePeak {
  /** The pair's key (see TimeWaitPressure.key). */
  key: number;
  peak: number;
  /** Capture time (seconds) of the peak. */
  at: number;
  /** Connections from local to remote that left a TIME_WAIT, and the span (seconds) they closed over. */
  connections: number;
  spanSeconds: number;
}

/** Pairs followed at most (memory): pairs are forgotten as their window empties, so only a flood of distinct ones hits this. */
const MAX_PAIRS = 65_536;

export class TimeWaitPressure {
  /** Open addressing: per place the pair's key halves and the pair's number + 1 (0: empty). */
  private placeHosts = new Int32Array(0);
  private placePort = new Int32Array(0);
  private placePair = new Int32Array(0);
  private mask = -1;
  /** Per pair. */
  private keyHosts = new Int32Array(0);
  private keyPort = new Int32Array(0);
  private connections = new Int32Array(0);
  private peak = new Int32Array(0);
  private held = new Int32Array(0);
  private peakAt = new Float64Array(0);
  private first = new Float64Array(0);
  private last = new Float64Array(0);
  /** The window's entry times, oldest first, while they fit in RING; else in `spilled`. */
  private ring = new Float64Array(0);
  private spillOf = new Int32Array(0);
  private readonly spilled: number[][] = [];
  private free: number[] = [];
  private pairs = 0;
  private count = 0;
  private nextPrune = -Infinity;

  constructor(
    /** How long TIME_WAIT lasts (the window). */
    private readonly windowSeconds: number,
    /** Pairs whose peak stays below this are forgotten once their window empties (memory). */
    private readonly keepAbove: number,
  ) {}

  /** One number for a local host and a remote host and port (host numbers below 2^13: 42 bits in all). */
  static key(localHost: number, remoteHost: number, remotePort: number): number {
    return (localHost * 8192 + remoteHost) * 65536 + remotePort;
  }

  /** Pairs followed now. */
  get size(): number {
    return this.count;
  }

  /**
   * `local` entered TIME_WAIT at `at` for a connection to `remote` (both in `key`): each is one
   * connection closed, so their count over their span is the connection rate that fills the ports.
   */
  timeWait(key: number, at: number): void {
    const p = this.pair(Math.floor(key / 65536), key % 65536);
    if (p < 0) return;
    this.connections[p]++;
    if (at < this.first[p]) this.first[p] = at;
    if (at > this.last[p]) this.last[p] = at;
    const held = this.insert(p, at);
    if (held > this.peak[p]) {
      this.peak[p] = held;
      this.peakAt[p] = this.newest(p);
    }
  }

  /**
   * Forgets pairs whose window has emptied by `now` without ever reaching `keepAbove`. Runs at most once
   * per window of capture time (a pass visits every pair).
   */
  prune(now: number): void {
    if (now < this.nextPrune) return;
    this.nextPrune = now + this.windowSeconds;
    const limit = now - this.windowSeconds;
    for (let p = 0; p < this.pairs; p++) {
      if (this.connections[p] === 0 || this.peak[p] >= this.keepAbove || this.newest(p) > limit) continue;
      this.forget(p);
    }
  }

  /** Pairs whose peak reached `threshold`, highest first. */
  peaks(threshold: number): PressurePeak[] {
    const out: PressurePeak[] = [];
    for (let p = 0; p < this.pairs; p++) {
      if (this.connections[p] === 0 || this.peak[p] < threshold) continue;
      out.push({
        key: this.keyHosts[p] * 65536 + this.keyPort[p],
        peak: this.peak[p],
        at: this.peakAt[p],
        connections: this.connections[p],
        spanSeconds: Math.max(0, this.last[p] - this.first[p]),
      });
    }
    return out.sort((a, b) => b.peak - a.peak || a.key - b.key);
  }

  /** Adds `at` to the pair's window (in time order), drops what left it; returns how many it holds. */
  private insert(p: number, at: number): number {
    const spill = this.spillOf[p];
    if (spill >= 0) return this.insertSpilled(this.spilled[spill], p, at);
    const r = p * RING;
    let n = this.held[p];
    if (n === RING) {
      // Full ring: the window holds more than RING entries, so it moves to an array of its own.
      const list = Array.from(this.ring.subarray(r, r + RING));
      const index = this.spilled.length;
      this.spilled.push(list);
      this.spillOf[p] = index;
      return this.insertSpilled(list, p, at);
    }
    let i = n;
    while (i > 0 && this.ring[r + i - 1] > at) {
      this.ring[r + i] = this.ring[r + i - 1];
      i--;
    }
    this.ring[r + i] = at;
    n++;
    const newest = this.ring[r + n - 1];
    let gone = 0;
    while (gone < n && this.ring[r + gone] <= newest - this.windowSeconds) gone++;
    if (gone > 0) {
      for (let j = gone; j < n; j++) this.ring[r + j - gone] = this.ring[r + j];
      n -= gone;
    }
    this.held[p] = n;
    return n;
  }

  private insertSpilled(list: number[], p: number, at: number): number {
    let i = list.length;
    list.push(at);
    while (i > 0 && list[i - 1] > at) {
      list[i] = list[i - 1];
      i--;
    }
    list[i] = at;
    const newest = list[list.length - 1];
    let gone = 0;
    while (gone < list.length && list[gone] <= newest - this.windowSeconds) gone++;
    if (gone > 0) list.splice(0, gone);
    this.held[p] = list.length;
    return list.length;
  }

  private newest(p: number): number {
    const spill = this.spillOf[p];
    if (spill >= 0) {
      const list = this.spilled[spill];
      return list.length > 0 ? list[list.length - 1] : this.last[p];
    }
    return this.held[p] > 0 ? this.ring[p * RING + this.held[p] - 1] : this.last[p];
  }

  /** The pair of (hosts, port), made on first sight; -1 once MAX_PAIRS are followed. */
  private pair(hosts: number, port: number): number {
    if (this.mask < 0) this.growPlaces();
    for (let s = place(hosts, port) & this.mask; ; s = (s + 1) & this.mask) {
      const found = this.placePair[s];
      if (found === EMPTY) break;
      if (this.placeHosts[s] === hosts && this.placePort[s] === port) return found - 1;
    }
    if (this.count >= MAX_PAIRS) return -1;
    if (2 * (this.count + 1) > this.mask + 1) this.growPlaces();
    const p = this.free.length > 0 ? (this.free.pop() as number) : this.newPair();
    this.keyHosts[p] = hosts;
    this.keyPort[p] = port;
    this.connections[p] = 0;
    this.peak[p] = 0;
    this.held[p] = 0;
    this.peakAt[p] = 0;
    this.first[p] = Infinity;
    this.last[p] = -Infinity;
    this.spillOf[p] = -1;
    this.setPlace(hosts, port, p);
    this.count++;
    return p;
  }

  private newPair(): number {
    if (this.pairs >= this.keyHosts.length) {
      const size = Math.max(1024, this.keyHosts.length * 2);
      this.keyHosts = grow32(this.keyHosts, size);
      this.keyPort = grow32(this.keyPort, size);
      this.connections = grow32(this.connections, size);
      this.peak = grow32(this.peak, size);
      this.held = grow32(this.held, size);
      this.spillOf = grow32(this.spillOf, size);
      this.peakAt = grow64(this.peakAt, size);
      this.first = grow64(this.first, size);
      this.last = grow64(this.last, size);
      this.ring = grow64(this.ring, size * RING);
    }
    return this.pairs++;
  }

  private forget(p: number): void {
    const mask = this.mask;
    let s = place(this.keyHosts[p], this.keyPort[p]) & mask;
    while (this.placePair[s] !== p + 1) s = (s + 1) & mask;
    this.placePair[s] = EMPTY;
    // Backward-shift deletion keeps every probe chain unbroken without tombstones.
    for (let i = (s + 1) & mask; this.placePair[i] !== EMPTY; i = (i + 1) & mask) {
      const home = place(this.placeHosts[i], this.placePort[i]) & mask;
      if (((s - home) & mask) <= ((i - home) & mask)) {
        this.placeHosts[s] = this.placeHosts[i];
        this.placePort[s] = this.placePort[i];
        this.placePair[s] = this.placePair[i];
        this.placePair[i] = EMPTY;
        s = i;
      }
    }
    const spill = this.spillOf[p];
    if (spill >= 0) this.spilled[spill] = [];
    this.connections[p] = 0;
    this.free.push(p);
    this.count--;
  }

  private setPlace(hosts: number, port: number, p: number): void {
    for (let s = place(hosts, port) & this.mask; ; s = (s + 1) & this.mask) {
      if (this.placePair[s] === EMPTY) {
        this.placeHosts[s] = hosts;
        this.placePort[s] = port;
        this.placePair[s] = p + 1;
        return;
      }
    }
  }

  private growPlaces(): void {
    const size = Math.max(2048, (this.mask + 1) * 2);
    const hosts = this.placeHosts;
    const ports = this.placePort;
    const pairs = this.placePair;
    this.placeHosts = new Int32Array(size);
    this.placePort = new Int32Array(size);
    this.placePair = new Int32Array(size);
    this.mask = size - 1;
    for (let s = 0; s < pairs.length; s++) if (pairs[s] !== EMPTY) this.setPlace(hosts[s], ports[s], pairs[s] - 1);
  }
}

function place(hosts: number, port: number): number {
  return Math.imul(hosts ^ Math.imul(port, 0x85ebca6b), 0x9e3779b1) >>> 8;
}

function grow32(a: Int32Array<ArrayBuffer>, size: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(size);
  b.set(a);
  return b;
}

function grow64(a: Float64Array<ArrayBuffer>, size: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(size);
  b.set(a);
  return b;
}
