/**
 * Fixed-width integer reads by direct byte access. These are what the hot path uses instead of DataView or
 * Buffer methods: plain indexed loads on a Uint8Array are the fastest access V8 offers and never allocate.
 */
export function u32le(b: Uint8Array, p: number): number {
  return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
}

export function u32be(b: Uint8Array, p: number): number {
  return ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
}

export function u16le(b: Uint8Array, p: number): number {
  return b[p] | (b[p + 1] << 8);
}

export function u16be(b: Uint8Array, p: number): number {
  return (b[p] << 8) | b[p + 1];
}

/** A big-endian 32-bit field kept as its signed int32 bit pattern: V8 stores those unboxed (see TcpSegment). */
export function i32be(b: Uint8Array, p: number): number {
  return (b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3];
}
