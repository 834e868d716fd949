/**
 * Fixed-size int32 blocks handed out from one growing Int32Array, for per-connection evidence that
 * only some connections need (the close part of a ladder, the FIN list). A block is an offset into
 * `data`; freed blocks go on a stack and are reused first, so the array grows with the number of
 * blocks held at once and no garbage is made per connection. `data` is replaced when it grows: read it
 * again after any alloc().
 */
export class BlockPool {
  data: Int32Array;
  private free: Int32Array;
  private freeCount = 0;
  /** Offset of the first never-used block. */
  private top = 0;

  constructor(
    readonly blockInts: number,
    initialBlocks = 256,
  ) {
    this.data = new Int32Array(blockInts * initialBlocks);
    this.free = new Int32Array(initialBlocks);
  }

  /** Blocks currently handed out. */
  get used(): number {
    return this.top / this.blockInts - this.freeCount;
  }

  /** A block's offset; its contents are whatever its previous owner left. */
  alloc(): number {
    if (this.freeCount > 0) return this.free[--this.freeCount];
    if (this.top + this.blockInts > this.data.length) {
      const data = new Int32Array(this.data.length * 2);
      data.set(this.data);
      this.data = data;
    }
    const offset = this.top;
    this.top += this.blockInts;
    return offset;
  }

  release(offset: number): void {
    if (this.freeCount === this.free.length) {
      const free = new Int32Array(this.free.length * 2);
      free.set(this.free);
      this.free = free;
    }
    this.free[this.freeCount++] = offset;
  }
}
