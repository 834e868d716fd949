/**
 * Which pending socket belongs to each numbered stream's side: an open-addressing table of int32 pairs
 * (key = stream * 2 + side, value = slot + 1; 0 marks an empty place), linear probing, backward-shift
 * deletion, doubled when half full. A Map would do the same with a boxed entry per socket.
 */
export class StreamSlots {
  private table = new Int32Array(2 * 1024);
  private mask = 1023;
  private count = 0;

  get(key: number): number {
    const t = this.table;
    for (let s = hash(key) & this.mask; ; s = (s + 1) & this.mask) {
      const value = t[2 * s + 1];
      if (value === 0) return -1;
      if (t[2 * s] === key) return value - 1;
    }
  }

  set(key: number, slot: number): void {
    if (2 * (this.count + 1) > this.mask + 1) this.grow();
    const t = this.table;
    for (let s = hash(key) & this.mask; ; s = (s + 1) & this.mask) {
      if (t[2 * s + 1] === 0) {
        t[2 * s] = key;
        t[2 * s + 1] = slot + 1;
        this.count++;
        return;
      }
      if (t[2 * s] === key) {
        t[2 * s + 1] = slot + 1;
        return;
      }
    }
  }

  /** Removes `key` if it maps to `slot`. */
  delete(key: number, slot: number): void {
    const t = this.table;
    const mask = this.mask;
    let s = hash(key) & mask;
    for (; ; s = (s + 1) & mask) {
      const value = t[2 * s + 1];
      if (value === 0) return;
      if (t[2 * s] === key) {
        if (value !== slot + 1) return;
        break;
      }
    }
    t[2 * s + 1] = 0;
    this.count--;
    // Backward-shift deletion keeps every probe chain unbroken without tombstones.
    let hole = s;
    for (let i = (s + 1) & mask; t[2 * i + 1] !== 0; i = (i + 1) & mask) {
      const home = hash(t[2 * i]) & mask;
      if (((hole - home) & mask) <= ((i - home) & mask)) {
        t[2 * hole] = t[2 * i];
        t[2 * hole + 1] = t[2 * i + 1];
        t[2 * i + 1] = 0;
        hole = i;
      }
    }
  }

  private grow(): void {
    const old = this.table;
    this.table = new Int32Array(old.length * 2);
    this.mask = old.length - 1;
    this.count = 0;
    for (let s = 0; s < old.length / 2; s++) if (old[2 * s + 1] !== 0) this.set(old[2 * s], old[2 * s + 1] - 1);
  }
}

function hash(key: number): number {
  return Math.imul(key, 0x9e3779b1) >>> 12;
}
