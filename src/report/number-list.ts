/**
 * A list of numbers that grows without garbage on the JS heap: its storage is a typed array (off the
 * heap) doubled when full. Per-connection figures kept for the whole run (stuck times, end times for
 * the charts) would otherwise be arrays whose growing copies survive young-generation collections,
 * which makes V8 grow its young generation to the maximum. Float64 by default; small codes (a verdict's
 * index) take a byte each in a Uint8Array list.
 */
export class NumberList<T extends Float64Array | Uint8Array = Float64Array> {
  private data: T;
  length = 0;

  constructor(
    private readonly make: (capacity: number) => T = (capacity) => new Float64Array(capacity) as T,
    capacity = 256,
  ) {
    this.data = make(capacity);
  }

  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = this.make(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }

  get(i: number): number {
    return this.data[i];
  }

  /** A copy of the numbers (structured clone sends it as one block). */
  toArray(): T {
    return this.data.slice(0, this.length) as T;
  }

  pushAll(values: ArrayLike<number>): void {
    for (let i = 0; i < values.length; i++) this.push(values[i]);
  }
}
