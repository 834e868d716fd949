import { CHUNK_BITS, StructStore } from '../layout/struct-store.js';
import { CLOSE, CLOSE_BLOCK_INTS, CLOSE_FIELD_INTS } from './connection-layout.js';

/**
 * The close blocks of connections that began to close (CONN.i32.closeBlock): CLOSE's fields, then the
 * first packets of the ladder's close list (LADDER_CLOSE_INLINE), in chunks of a StructStore that are
 * made on first use and never copied, so a block's views stay valid while others are taken. Freed
 * blocks are reused first. Block 0 holds CLOSE's initial values for connections that have not begun
 * to close; it is never handed out, and never written.
 */
export class CloseBlocks {
  readonly records = new StructStore(CLOSE_BLOCK_INTS * 4);
  private readonly free: number[] = [];
  private top = 0;

  constructor() {
    this.take();
  }

  /** A block with CLOSE's initial values. */
  take(): number {
    const block = this.free.length > 0 ? (this.free.pop() as number) : this.top++;
    this.records.ensure(block);
    const I = this.i32(block);
    const i = this.base(block);
    I.fill(0, i, i + CLOSE_FIELD_INTS);
    I[i + CLOSE.i32.closeCount] = -1;
    return block;
  }

  release(block: number): void {
    this.free.push(block);
  }

  /** The int32 view holding `block`, and the block's base index in it (other types: byteBase). */
  i32(block: number): Int32Array {
    return this.records.i32[block >> CHUNK_BITS];
  }
  base(block: number): number {
    return this.records.byteBase(block) >> 2;
  }

  /** Bytes allocated. */
  get bytes(): number {
    return this.records.bytes;
  }
}
