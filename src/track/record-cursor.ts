import { CHUNK_BITS } from '../layout/struct-store.js';
import type { ConnectionStore } from './connection-store.js';

/**
 * One connection record's typed views and base indices, re-pointed at a slot once per packet (no
 * object per packet). A field is read as `view[base + CONN.<type>.<name> (+ dir)]`: `I` with `i` for
 * i32 fields, `H`/`h` u16, `B`/`b` u8, `S`/`b` i8 (same byte base), `D`/`d` f64.
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
    return this;
  }
}
