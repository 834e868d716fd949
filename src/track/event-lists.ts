import { BlockPool } from './block-pool.js';

/**
 * Per-connection lists of fixed-size int32 events (FINs, RSTs) in pooled blocks: a list of n events
 * lives in a block of its size class (the first class holds `firstEvents`, each next one twice as
 * many, up to `maxEvents`), and moves up a class when it fills. The connection keeps only the count
 * and the block offset (two ints of its block), so no object or array is made per event or per
 * connection, and the pools grow with the lists held at once.
 */
export class EventLists {
  private readonly pools: BlockPool[] = [];

  constructor(
    /** Int32 fields per event. */
    readonly fields: number,
    private readonly firstEvents: number,
    readonly maxEvents: number,
  ) {
    for (let k = 0; k <= this.classOf(maxEvents); k++) this.pools.push(new BlockPool((firstEvents << k) * fields));
  }

  /** Size class of a list of `events` events. */
  private classOf(events: number): number {
    return events <= this.firstEvents ? 0 : 32 - Math.clz32(((events - 1) / this.firstEvents) | 0);
  }

  /**
   * Room for event number `count` of the list now in `block` (any value when count is 0): returns the
   * list's block, moved to a larger class when needed. The event then goes at
   * data(count + 1)[block + count * fields]. The caller checks count < maxEvents.
   */
  append(count: number, block: number): number {
    if (count === 0) return this.pools[0].alloc();
    const from = this.classOf(count);
    const to = this.classOf(count + 1);
    if (from === to) return block;
    const source = this.pools[from];
    const target = this.pools[to];
    const moved = target.alloc();
    target.data.set(source.data.subarray(block, block + count * this.fields), moved);
    source.release(block);
    return moved;
  }

  /** The array holding a list of `count` events (replaced when its pool grows: read it after append). */
  data(count: number): Int32Array {
    return this.pools[this.classOf(count)].data;
  }

  release(count: number, block: number): void {
    if (count > 0) this.pools[this.classOf(count)].release(block);
  }

  /** Lists held (blocks handed out over all size classes). */
  get used(): number {
    return this.pools.reduce((n, p) => n + p.used, 0);
  }

  get bytes(): number {
    return this.pools.reduce((n, p) => n + p.data.byteLength, 0);
  }
}
