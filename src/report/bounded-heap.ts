/**
 * The best `capacity` items offered so far, ranked by their keys under `compare` (negative: the first
 * key is better), in O(log capacity) per offer: a binary max-heap whose root is the worst item kept, so
 * a newcomer is compared with it alone. Memory is the capacity, however many items are offered.
 */
export class BoundedHeap<T, K> {
  private readonly items: T[] = [];

  constructor(
    readonly capacity: number,
    private readonly keyOf: (item: T) => K,
    private readonly compareKeys: (a: K, b: K) => number,
  ) {}

  private compare(a: T, b: T): number {
    return this.compareKeys(this.keyOf(a), this.keyOf(b));
  }

  get size(): number {
    return this.items.length;
  }

  /** True when an item with this key would be kept if offered now. */
  accepts(key: K): boolean {
    if (this.capacity <= 0) return false;
    return this.items.length < this.capacity || this.compareKeys(key, this.keyOf(this.items[0])) < 0;
  }

  /** Keeps `item` if it is among the best; returns whether it was kept. */
  offer(item: T): boolean {
    if (!this.accepts(this.keyOf(item))) return false;
    const items = this.items;
    if (items.length < this.capacity) {
      items.push(item);
      this.up(items.length - 1);
    } else {
      items[0] = item;
      this.down(0);
    }
    return true;
  }

  /** The kept items, best first. */
  sorted(): T[] {
    return [...this.items].sort((a, b) => this.compare(a, b));
  }

  private up(i: number): void {
    const items = this.items;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.compare(items[i], items[parent]) <= 0) return;
      [items[i], items[parent]] = [items[parent], items[i]];
      i = parent;
    }
  }

  private down(i: number): void {
    const items = this.items;
    const n = items.length;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let worst = i;
      if (left < n && this.compare(items[left], items[worst]) > 0) worst = left;
      if (right < n && this.compare(items[right], items[worst]) > 0) worst = right;
      if (worst === i) return;
      [items[i], items[worst]] = [items[worst], items[i]];
      i = worst;
    }
  }
}
