/**
 * Fixed-size records (see struct-layout.ts) in chunks of CHUNK_SLOTS: record `slot` lives in chunk
 * `slot >> CHUNK_BITS` at byte `(slot & CHUNK_MASK) * stride`, read through that chunk's views of each
 * type. A chunk is made when one of its slots is first used, so memory follows the records held at
 * once, growing never copies live records (a doubled flat array would need both copies at once), and
 * a record's fields sit in a few contiguous cache lines.
 */
export const CHUNK_BITS = 10;
export const CHUNK_SLOTS = 1 << CHUNK_BITS;
export const CHUNK_MASK = CHUNK_SLOTS - 1;

export class StructStore {
  readonly f64: Float64Array[] = [];
  readonly i32: Int32Array[] = [];
  readonly u16: Uint16Array[] = [];
  readonly u8: Uint8Array[] = [];
  readonly i8: Int8Array[] = [];

  constructor(
    /** Bytes per record (a multiple of 8). */
    readonly stride: number,
    /** Bytes written into every record of a new chunk (the fields' initial values), or null for zeros. */
    private readonly template: Uint8Array | null = null,
  ) {
    if (stride % 8 !== 0 || stride <= 0) throw new RangeError(`stride ${stride} is not a positive multiple of 8`);
  }

  /** Records the store can hold without making a chunk. */
  get capacity(): number {
    return this.i32.length * CHUNK_SLOTS;
  }

  /** Bytes allocated. */
  get bytes(): number {
    return this.i32.length * CHUNK_SLOTS * this.stride;
  }

  /** Makes the chunk holding `slot`, and any before it, if they do not exist yet. */
  ensure(slot: number): void {
    while (this.i32.length <= slot >> CHUNK_BITS) this.addChunk();
  }

  /** Byte offset of a record within its chunk: divide by a type's size for that view's base index. */
  byteBase(slot: number): number {
    return (slot & CHUNK_MASK) * this.stride;
  }

  /** Writes the template (or zeros) over one record. */
  reset(slot: number): void {
    const bytes = this.u8[slot >> CHUNK_BITS];
    const base = this.byteBase(slot);
    if (this.template === null) bytes.fill(0, base, base + this.stride);
    else bytes.set(this.template, base);
  }

  private addChunk(): void {
    const buffer = new ArrayBuffer(CHUNK_SLOTS * this.stride);
    const u8 = new Uint8Array(buffer);
    if (this.template !== null) {
      // Doubling copies: log2(CHUNK_SLOTS) calls instead of one per record.
      u8.set(this.template, 0);
      for (let filled = this.stride; filled < buffer.byteLength; filled *= 2) u8.copyWithin(filled, 0, Math.min(filled, buffer.byteLength - filled));
    }
    this.f64.push(new Float64Array(buffer));
    this.i32.push(new Int32Array(buffer));
    this.u16.push(new Uint16Array(buffer));
    this.u8.push(u8);
    this.i8.push(new Int8Array(buffer));
  }
}

/** Builds the initial bytes of a record: `init` sets fields through views of one record. */
export function recordTemplate(stride: number, init: (views: { f64: Float64Array; i32: Int32Array; u16: Uint16Array; u8: Uint8Array; i8: Int8Array }) => void): Uint8Array {
  const buffer = new ArrayBuffer(stride);
  init({ f64: new Float64Array(buffer), i32: new Int32Array(buffer), u16: new Uint16Array(buffer), u8: new Uint8Array(buffer), i8: new Int8Array(buffer) });
  return new Uint8Array(buffer);
}
