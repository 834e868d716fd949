/**
 * Records laid out like C structs over typed arrays, declared once by name. A layout is a list of
 * groups of named fields, each with a type and a count (one value, or one per endpoint of a TCP
 * connection: `pair`, A's value then B's, side by side). defineStruct() computes every field's offset:
 * groups in the order given (the first group, the fields every packet touches, lands in the record's
 * first cache line), inside a group the widest types first so nothing needs padding; each group starts
 * 8-byte aligned. Code reads a field through the view of its own type at `base + field` (+ 1 for
 * endpoint B), with `field` taken from the layout's per-type map: a field of another type is not in
 * that map, so the compiler rejects reading it through the wrong view, and no offset is ever written
 * by hand. `placements` lists where everything went, for tests and for the docs.
 */

/** Element types a field can have, by the typed array that reads it. */
export type FieldType = 'f64' | 'i32' | 'u16' | 'u8' | 'i8';

export interface FieldSpec {
  readonly type: FieldType;
  /** One value per endpoint (A, then B right after it), or `count` values (a small fixed array). */
  readonly pair?: boolean;
  readonly count?: number;
}

export interface StructGroup {
  /** What the group holds (for placements and docs). */
  readonly name: string;
  readonly fields: Readonly<Record<string, FieldSpec>>;
}

/** Where a field went: offsets in bytes from the start of the record. */
export interface FieldPlacement {
  readonly name: string;
  readonly group: string;
  readonly type: FieldType;
  readonly byteOffset: number;
  readonly byteLength: number;
  /** Index of the field in its type's view, relative to the record's base index for that view. */
  readonly index: number;
}

const SIZE: Record<FieldType, number> = { f64: 8, i32: 4, u16: 2, u8: 1, i8: 1 };

type Fields<G extends readonly StructGroup[]> = G[number]['fields'];
type AllFields<G extends readonly StructGroup[]> = UnionToIntersection<Fields<G>>;
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
type OfType<F, T extends FieldType> = { readonly [K in keyof F as F[K] extends { readonly type: T } ? K : never]: number };

export interface StructLayout<G extends readonly StructGroup[]> {
  /** Record size in bytes (a multiple of 8). */
  readonly bytes: number;
  readonly f64: OfType<AllFields<G>, 'f64'>;
  readonly i32: OfType<AllFields<G>, 'i32'>;
  readonly u16: OfType<AllFields<G>, 'u16'>;
  readonly u8: OfType<AllFields<G>, 'u8'>;
  readonly i8: OfType<AllFields<G>, 'i8'>;
  readonly placements: readonly FieldPlacement[];
}

/** Computes a layout (see the file comment). Throws on a duplicate name or a bad count. */
export function defineStruct<const G extends readonly StructGroup[]>(groups: G): StructLayout<G> {
  const maps: Record<FieldType, Record<string, number>> = { f64: {}, i32: {}, u16: {}, u8: {}, i8: {} };
  const placements: FieldPlacement[] = [];
  const seen = new Set<string>();
  let offset = 0;
  for (const group of groups) {
    offset = align(offset, 8);
    const entries = Object.entries(group.fields).map(([name, spec], order) => ({ name, spec, order }));
    // Widest first keeps every field aligned to its own size without padding; ties keep declaration order.
    entries.sort((x, y) => SIZE[y.spec.type] - SIZE[x.spec.type] || x.order - y.order);
    for (const { name, spec } of entries) {
      if (seen.has(name)) throw new Error(`field ${name} declared twice`);
      seen.add(name);
      const count = spec.pair === true ? 2 : (spec.count ?? 1);
      if (!Number.isInteger(count) || count < 1) throw new Error(`field ${name}: bad count ${count}`);
      const size = SIZE[spec.type];
      offset = align(offset, size);
      const index = offset / size;
      maps[spec.type][name] = index;
      placements.push({ name, group: group.name, type: spec.type, byteOffset: offset, byteLength: size * count, index });
      offset += size * count;
    }
  }
  const bytes = align(offset, 8);
  return Object.freeze({
    bytes,
    f64: constantMap(maps.f64),
    i32: constantMap(maps.i32),
    u16: constantMap(maps.u16),
    u8: constantMap(maps.u8),
    i8: constantMap(maps.i8),
    placements: Object.freeze(placements),
  }) as unknown as StructLayout<G>;
}

/**
 * A frozen copy made in one go: an object that grew property by property can fall into V8's
 * dictionary mode, where every `CONN.i32.x` in the hot path would be a hash lookup instead of a
 * constant the compiler folds in.
 */
function constantMap(map: Record<string, number>): Readonly<Record<string, number>> {
  return Object.freeze(Object.fromEntries(Object.entries(map)));
}

function align(offset: number, to: number): number {
  return Math.ceil(offset / to) * to;
}
