/**
 * A list of numbers that grows without garbage on the JS heap: its storage is a typed array (off the
 * heap) doubled when full. Per-connection figures kept for the whole run (stuck times, end times for
 * the charts) would otherwise be arrays whose growing copies survive young-generation collections,
 * which makes V8 grow its young generation to the maximum.
 */
export class NumberList {
  private data: Float64Array;
  length = 0;

  constructor(capacity = 256) {
    this.data = new Float64Array(capacity);
  }

  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }

  get(i: number): number {
    return this.data[i];
  }

  /** A copy of the numbers (structured clone sends it as one block). */
  toArray(): Float64Array {
    return this.data.slice(0, this.length);
  }

  pushAll(values: ArrayLike<number>): void {
    for (let i = 0; i < values.length; i++) this.push(values[i]);
  }
}
