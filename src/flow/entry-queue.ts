/**
 * A FIFO of table entries, each with a due time and tagged with the entry's generation, so a queued
 * reference to a flow whose entry has since been freed and reused is recognised as stale. Ring buffer in
 * typed arrays, grown by doubling.
 */
export class EntryQueue {
  private entries = new Int32Array(1024);
  private generations = new Int32Array(1024);
  private dues = new Float64Array(1024);
  private head = 0;
  length = 0;

  push(entry: number, generation: number, due: number): void {
    if (this.length === this.entries.length) this.grow();
    const i = (this.head + this.length) % this.entries.length;
    this.entries[i] = entry;
    this.generations[i] = generation;
    this.dues[i] = due;
    this.length++;
  }

  peekDue(): number {
    return this.dues[this.head];
  }

  peekEntry(): number {
    return this.entries[this.head];
  }

  peekGeneration(): number {
    return this.generations[this.head];
  }

  shift(): void {
    this.head = (this.head + 1) % this.entries.length;
    this.length--;
  }

  private grow(): void {
    const size = this.entries.length;
    const entries = new Int32Array(size * 2);
    const generations = new Int32Array(size * 2);
    const dues = new Float64Array(size * 2);
    for (let n = 0; n < this.length; n++) {
      entries[n] = this.entries[(this.head + n) % size];
      generations[n] = this.generations[(this.head + n) % size];
      dues[n] = this.dues[(this.head + n) % size];
    }
    this.entries = entries;
    this.generations = generations;
    this.dues = dues;
    this.head = 0;
  }
}
