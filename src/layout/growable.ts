/**
 * Typed arrays that grow where they are. Doubling a plain typed array copies it and leaves the old
 * copy allocated until V8's next full garbage collection, which a run that allocates little on the JS
 * heap rarely triggers (on the bench capture, dead copies came to 27 MB at the peak). On its first
 * growth past 64 KiB an array here becomes a length-tracking view of a resizable ArrayBuffer that reserves address
 * space up to the structure's bound; later growths resize it in place, its pages are committed only
 * when first written, and it is unmapped when dropped. Arrays start plain and stay so up to 64 KiB, so
 * a small capture never reserves anything. Element access through such views costs more than through plain ones, so they
 * hold what is touched once per connection (sockets, evidence pools), never per-packet state.
 */
type GrowableArray = Int32Array<ArrayBuffer> | Float64Array<ArrayBuffer> | Uint8Array<ArrayBuffer>;
type GrowableConstructor<A extends GrowableArray> = { new (buffer: ArrayBuffer): A; readonly BYTES_PER_ELEMENT: number };

/** The most address space one buffer reserves (beyond it, growing copies). */
const MAX_RESERVED_BYTES = 1 << 30;
/** Arrays up to this size stay plain: copying them costs next to nothing, reserving would cost more. */
const PLAIN_BYTES = 1 << 16;

/**
 * The array with room for `length` elements (zeros after the old ones; never shrinks): resized in
 * place when it already is a resizable view with room, else copied once into one that reserves room
 * for `maxLength` elements (the structure's bound; twice `length` if that is more).
 */
export function grown<A extends GrowableArray>(array: A, length: number, maxLength: number): A {
  const size = array.BYTES_PER_ELEMENT;
  const bytes = length * size;
  const buffer = array.buffer;
  if (bytes <= buffer.byteLength) return array;
  if (buffer.resizable && bytes <= buffer.maxByteLength) {
    buffer.resize(bytes);
    return array;
  }
  const type = array.constructor as GrowableConstructor<A>;
  const reserve = Math.max(bytes, Math.min(Math.max(maxLength * size, 2 * bytes), MAX_RESERVED_BYTES));
  const copy = new type(bytes <= PLAIN_BYTES ? new ArrayBuffer(bytes) : new ArrayBuffer(bytes, { maxByteLength: reserve }));
  copy.set(array);
  return copy;
}
