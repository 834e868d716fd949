import { copySegment, newSegment, type TcpSegment } from './segment.js';

/** Datagrams being put together at once; beyond this the oldest is given up (as tshark would never complete it). */
const MAX_PENDING = 4096;
/** Leading payload bytes kept per datagram: enough for a TCP header split over tiny fragments. */
export const PREFIX_BYTES = 64;

export interface Datagram {
  /** Byte ranges of the datagram's payload seen so far, sorted and merged: [start0, end0, start1, end1, ...]. */
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
}

/**
 * Tracks IP fragments only far enough to know when a datagram is complete. Wireshark reassembles by
 * default and dissects TCP at the frame that completes the datagram, with the full datagram length;
 * tshark shows no TCP at all for a datagram that never completes. closetrace reads the TCP header from
 * the first fragment (or, when fragments are tiny, from the assembled first bytes), holds it, and
 * releases it at the completing frame with the length of the whole datagram, so frame numbers, stream
 * order and sequence space match tshark. Only fragmented datagrams allocate here.
 */
export class FragmentTracker {
  private readonly datagrams = new Map<string, Datagram>();

  /**
   * Records one fragment (its data is bytes[dataStart, dataStart + length), all captured); returns the
   * datagram and whether it is now complete.
   */
  add(key: string, offset: number, length: number, more: boolean, bytes: Uint8Array, dataStart: number): { datagram: Datagram; complete: boolean } {
    let d = this.datagrams.get(key);
    if (d === undefined) {
      if (this.datagrams.size >= MAX_PENDING) {
        const oldest = this.datagrams.keys().next();
        if (!oldest.done) this.datagrams.delete(oldest.value);
      }
      d = { covered: [], total: -1, pending: null, direct: false, tcpOffset: 0, prefix: new Uint8Array(PREFIX_BYTES) };
      this.datagrams.set(key, d);
    }
    if (!more) d.total = offset + length;
    if (offset < PREFIX_BYTES) {
      const n = Math.min(length, PREFIX_BYTES - offset);
      d.prefix.set(bytes.subarray(dataStart, dataStart + n), offset);
    }
    insertRange(d.covered, offset, offset + length);
    const complete = d.total >= 0 && d.covered.length === 2 && d.covered[0] === 0 && d.covered[1] >= d.total;
    return { datagram: d, complete };
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
    this.datagrams.delete(key);
  }

  /** Payload length of a TCP segment that fills the rest of a completed datagram. */
  static directPayload(d: Datagram, headerLength: number): number {
    return Math.max(0, d.total - d.tcpOffset - headerLength);
  }
}

function insertRange(covered: number[], start: number, end: number): void {
  if (end <= start) return;
  const merged: number[] = [];
  let placed = false;
  for (let i = 0; i < covered.length; i += 2) {
    const s = covered[i];
    const e = covered[i + 1];
    if (e < start) merged.push(s, e);
    else if (s > end) {
      if (!placed) {
        merged.push(start, end);
        placed = true;
      }
      merged.push(s, e);
    } else {
      start = Math.min(start, s);
      end = Math.max(end, e);
    }
  }
  if (!placed) merged.push(start, end);
  covered.length = 0;
  covered.push(...merged);
}
