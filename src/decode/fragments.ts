import { copySegment, newSegment, type TcpSegment } from './segment.js';

/** Datagrams being put together at once; beyond this the oldest is given up (as tshark would never complete it). */
const MAX_PENDING = 4096;
/**
 * Fragment bytes held by all unfinished datagrams together; beyond, the oldest datagrams are given up.
 * Linux's default ipfrag_high_thresh (4 MiB). closetrace keeps only the ranges, but the limit is what
 * bounds the ranges and datagrams kept, and the time spent on them, whatever a capture throws at it.
 */
export const MAX_PENDING_FRAGMENT_BYTES = 4 * 1024 * 1024;
/** No fragment may reach past this payload byte: an IP datagram is at most 64 KiB (Linux drops the rest). */
export const MAX_DATAGRAM_END = 65535;
/**
 * Fragments one datagram may take: enough for the largest datagram at the smallest IPv4 MTU (68 bytes,
 * 48 bytes of data a fragment: 1,366 fragments); 8-byte fragments by the thousand are an attack.
 */
export const MAX_FRAGMENTS_PER_DATAGRAM = 2048;
/** Leading payload bytes kept per datagram: enough for a TCP header split over tiny fragments. */
export const PREFIX_BYTES = 64;

const NO_PREFIX = new Uint8Array(0);

export interface Datagram {
  /** Byte ranges of the datagram's payload seen so far, sorted and disjoint: [start0, end0, start1, end1, ...]. */
  covered: number[];
  /** Payload length, known once the last fragment (no MF) arrived; -1 before. */
  total: number;
  /** The TCP header from the first fragment, waiting for the datagram to complete. */
  pending: TcpSegment | null;
  /** The TCP header sits directly in this datagram (not in a tunnel inside it), at this payload offset. */
  direct: boolean;
  tcpOffset: number;
  /** The first PREFIX_BYTES of the payload, assembled from whichever fragments carry them. */
  prefix: Uint8Array;
  /** Fragments taken and their bytes (duplicates included: they cost as much to receive). */
  fragments: number;
  bytes: number;
  /** Given up for breaking a per-datagram limit: its later fragments are dropped without being held. */
  dead: boolean;
}

/** What became of one fragment. */
export const enum FragmentFate {
  /** Held; the datagram is not complete yet. */
  Held,
  /** The datagram is complete with this fragment. */
  Completed,
  /** Not held: its datagram broke a limit (64 KiB, fragment count), now or before. */
  Dropped,
}

/**
 * Tracks IP fragments only far enough to know when a datagram is complete. Wireshark reassembles by
 * default and dissects TCP at the frame that completes the datagram, with the full datagram length;
 * tshark shows no TCP at all for a datagram that never completes. closetrace reads the TCP header from
 * the first fragment (or, when fragments are tiny, from the assembled first bytes), holds it, and
 * releases it at the completing frame with the length of the whole datagram, so frame numbers, stream
 * order and sequence space match tshark. Only fragmented datagrams allocate here.
 *
 * Hostile fragments cost bounded work and memory, with kernel-like limits (a datagram reaching past
 * 64 KiB or taking more than 2,048 fragments is given up and its later fragments dropped; beyond 4 MiB
 * of fragments or 4,096 datagrams pending, the oldest are given up). Within the limits results equal
 * tshark's, which has none. Each fragment costs O(log n) to place plus, out of order, a move of at most
 * 2 x 2,048 numbers: linear in the number of fragments.
 */
export class FragmentTracker {
  private readonly datagrams = new Map<string, Datagram>();
  private heldBytes = 0;
  /** The datagram add() last saw. */
  datagram: Datagram | null = null;
  /** Datagrams given up unfinished because of a limit (not counting those a capture simply leaves unfinished). */
  givenUp = 0;

  /**
   * Records one fragment (its data is bytes[dataStart, dataStart + length), all captured); its datagram
   * is then in `datagram`.
   */
  add(key: string, offset: number, length: number, more: boolean, bytes: Uint8Array, dataStart: number): FragmentFate {
    let d = this.datagrams.get(key);
    if (d === undefined) {
      if (this.datagrams.size >= MAX_PENDING) this.giveUpOldest();
      d = { covered: [], total: -1, pending: null, direct: false, tcpOffset: 0, prefix: new Uint8Array(PREFIX_BYTES), fragments: 0, bytes: 0, dead: false };
      this.datagrams.set(key, d);
    }
    this.datagram = d;
    if (d.dead) return FragmentFate.Dropped;
    const end = offset + length;
    if (end > MAX_DATAGRAM_END || d.fragments >= MAX_FRAGMENTS_PER_DATAGRAM) {
      this.kill(d);
      return FragmentFate.Dropped;
    }
    d.fragments++;
    d.bytes += length;
    this.heldBytes += length;
    if (!more) d.total = end;
    if (offset < PREFIX_BYTES) {
      const n = Math.min(length, PREFIX_BYTES - offset);
      d.prefix.set(bytes.subarray(dataStart, dataStart + n), offset);
    }
    insertRange(d.covered, offset, end);
    while (this.heldBytes > MAX_PENDING_FRAGMENT_BYTES && this.giveUpOldest(d));
    const complete = d.total >= 0 && d.covered.length === 2 && d.covered[0] === 0 && d.covered[1] >= d.total;
    return complete ? FragmentFate.Completed : FragmentFate.Held;
  }

  /** Keeps the first fragment's TCP header until the datagram completes. */
  hold(d: Datagram, seg: TcpSegment, direct: boolean, tcpOffset: number): void {
    const copy = newSegment();
    copySegment(seg, copy);
    d.pending = copy;
    d.direct = direct;
    d.tcpOffset = tcpOffset;
  }

  forget(key: string): void {
    const d = this.datagrams.get(key);
    if (d === undefined) return;
    this.heldBytes -= d.bytes;
    this.datagrams.delete(key);
  }

  /** Payload length of a TCP segment that fills the rest of a completed datagram. */
  static directPayload(d: Datagram, headerLength: number): number {
    return Math.max(0, d.total - d.tcpOffset - headerLength);
  }

  /** Frees what a datagram holds; it stays (dead) so its later fragments are recognised and dropped. */
  private kill(d: Datagram): void {
    this.heldBytes -= d.bytes;
    d.bytes = 0;
    d.covered = [];
    d.prefix = NO_PREFIX;
    d.pending = null;
    d.dead = true;
    this.givenUp++;
  }

  /** Gives up the oldest datagram other than `keep`; false when there is none. */
  private giveUpOldest(keep: Datagram | null = null): boolean {
    for (const [key, d] of this.datagrams) {
      if (d === keep) continue;
      this.heldBytes -= d.bytes;
      this.datagrams.delete(key);
      if (!d.dead) this.givenUp++;
      return true;
    }
    return false;
  }
}

/**
 * Adds [start, end) to the sorted, disjoint ranges, merging what it overlaps or touches. In-order
 * fragments extend the last range in place; others find their place by binary search and move at most
 * the ranges after it.
 */
export function insertRange(covered: number[], start: number, end: number): void {
  if (end <= start) return;
  const n = covered.length;
  if (n === 0 || start > covered[n - 1]) {
    covered.push(start, end);
    return;
  }
  if (start >= covered[n - 2]) {
    // Overlaps or touches only the last range (the usual in-order case).
    if (end > covered[n - 1]) covered[n - 1] = end;
    return;
  }
  // First range whose end reaches start (ranges before it end before start and stay).
  let lo = 0;
  let hi = n >> 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (covered[2 * mid + 1] < start) lo = mid + 1;
    else hi = mid;
  }
  const first = lo;
  // Ranges from `first` that start at or before end overlap or touch [start, end): merge them.
  let last = first;
  while (last < n >> 1 && covered[2 * last] <= end) last++;
  if (last === first) {
    covered.splice(2 * first, 0, start, end);
    return;
  }
  const mergedStart = Math.min(start, covered[2 * first]);
  const mergedEnd = Math.max(end, covered[2 * last - 1]);
  covered[2 * first] = mergedStart;
  covered[2 * first + 1] = mergedEnd;
  if (last - first > 1) covered.splice(2 * first + 2, 2 * (last - first - 1));
}

/**
 * The capture warning when reassembly limits cost anything (null otherwise): `dropped` fragment frames
 * (counted as ip-fragment-dropped) and `givenUp` datagrams abandoned unfinished.
 */
export function fragmentLimitWarning(dropped: number, givenUp: number): string | null {
  if (dropped === 0 && givenUp === 0) return null;
  return (
    `IP reassembly limits: ${dropped} fragments dropped, ${givenUp} datagrams given up unfinished ` +
    `(at most 64 KiB and ${MAX_FRAGMENTS_PER_DATAGRAM} fragments a datagram, ${MAX_PENDING} datagrams and 4 MiB of fragments pending, as Linux); ` +
    'TCP segments they carried are not in the report'
  );
}
