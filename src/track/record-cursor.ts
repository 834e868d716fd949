import { CHUNK_BITS } from '../layout/struct-store.js';
import { CONN } from './connection-layout.js';
import type { ConnectionStore } from './connection-store.js';

/**
 * One connection record's typed views and base indices, re-pointed at a slot once per packet (no
 * object per packet). A field is read as `view[base + CONN.<type>.<name> (+ dir)]`: `I` with `i` for
 * i32 fields, `H`/`h` u16, `B`/`b` u8, `S`/`b` i8 (same byte base), `D`/`d` f64. The fields of its
 * close block (CLOSE) are read the same way through `CI`/`ci`, `CH`/`ch`, `CB`/`cb`, `CD`/`cd`, pointed at
 * by closed() (reading) or closing() (writing; it takes the block on first need) once per packet, as
 * most packets never look at them. Before the connection began to close they show the template block 0
 * (close-blocks.ts), which must never be written.
 */
export class RecordCursor {
  I: Int32Array = new Int32Array(0);
  H: Uint16Array = new Uint16Array(0);
  B: Uint8Array = new Uint8Array(0);
  S: Int8Array = new Int8Array(0);
  D: Float64Array = new Float64Array(0);
  i = 0;
  h = 0;
  b = 0;
  d = 0;
  CI: Int32Array = new Int32Array(0);
  CH: Uint16Array = new Uint16Array(0);
  CB: Uint8Array = new Uint8Array(0);
  CD: Float64Array = new Float64Array(0);
  ci = 0;
  ch = 0;
  cb = 0;
  cd = 0;
  private store: ConnectionStore | null = null;
  private slot = 0;
  /** The close block the C* views point at (0: the template), or -2 when not pointed for this packet. */
  private pointed = -2;

  at(store: ConnectionStore, slot: number): this {
    const k = slot >> CHUNK_BITS;
    const base = store.byteBase(slot);
    this.I = store.i32[k];
    this.H = store.u16[k];
    this.B = store.u8[k];
    this.S = store.i8[k];
    this.D = store.f64[k];
    this.i = base >> 2;
    this.h = base >> 1;
    this.b = base;
    this.d = base >> 3;
    this.store = store;
    this.slot = slot;
    this.pointed = -2;
    return this;
  }

  /** Points the C* views at the connection's close block, or the template before it began to close. */
  closed(): this {
    const block = this.I[this.i + CONN.i32.closeBlock];
    if ((block < 0 ? 0 : block) !== this.pointed) this.pointClose(this.store as ConnectionStore, block);
    return this;
  }

  /** Makes sure the connection has its close block (taken from the pool on first need) and points at it. */
  closing(): this {
    const store = this.store as ConnectionStore;
    const block = this.I[this.i + CONN.i32.closeBlock];
    if (block < 0) this.pointClose(store, store.closeBlock(this.slot));
    else if (block !== this.pointed) this.pointClose(store, block);
    return this;
  }

  private pointClose(store: ConnectionStore, block: number): void {
    const records = store.close.records;
    const at = block < 0 ? 0 : block;
    const k = at >> CHUNK_BITS;
    const base = records.byteBase(at);
    this.pointed = at;
    this.CI = records.i32[k];
    this.CH = records.u16[k];
    this.CB = records.u8[k];
    this.CD = records.f64[k];
    this.ci = base >> 2;
    this.ch = base >> 1;
    this.cb = base;
    this.cd = base >> 3;
  }
}
