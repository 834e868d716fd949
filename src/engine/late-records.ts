import type { TcpSegment } from '../decode/segment.js';
import { addLatePacket, lateSentence } from '../verdict/late-traffic.js';
import type { ConnectionRecord } from '../verdict/types.js';

/**
 * How many of the latest judged connections keep their records open to packets that arrive after the
 * verdict. A quiet capture, like most incident captures, keeps each record until its stream can get no
 * more packets; a busy one judges thousands a second, so an older record is final then (late packets
 * of its stream are only counted). The window counts every judged connection, with a record or not,
 * so whether a record lists its late packets does not depend on which records the output asked for.
 * Its cost is in runs that make a record for every finding (JSON, CSV, ndjson): a record held across
 * a scavenge of V8's young generation is copied, and promoted if held across two. On the bench capture
 * (58,000 records, 1,300 judged connections between scavenges) 256 costs nothing measurable; 1,024
 * doubled old space (+32 MB) and took 10 % more time.
 */
export const DEFAULT_HELD_RECORDS = 256;

/**
 * Between the verdict and the report: a connection's record is made when it is judged, but the flow
 * stage may still route packets to its stream (a RST answering a retransmission an hour later, a FIN
 * after the grace period: tshark keeps them in the stream). Records of judged streams that can still
 * get packets are held here, amended by each late packet, and handed on when the flow stage forgets the
 * stream, when the hold is full, or at the end. Records someone else already keeps (a listing that
 * built its rows' records) are amended in place the same way. Nothing here runs per packet except for
 * late ones.
 */
export class LateRecords {
  /**
   * The window, a ring in judging order (the oldest at `next` once full): each place holds a stream
   * and its record, or null. Plain arrays on purpose: records referenced from a Map's backing store
   * outlived V8's young generation (old space 8 -> 30 MB and 6 % more time on the bench's JSON job).
   */
  private readonly streams: Int32Array;
  private readonly records: (ConnectionRecord | null)[];
  /** Per place: flow direction of the client's packets, the record's time precision, deliver or not. */
  private readonly clientDirs: Uint8Array;
  private readonly precisions: Uint8Array;
  private readonly delivers: Uint8Array;
  private next = 0;
  private filled = 0;
  private holding = 0;

  constructor(
    private readonly capacity: number,
    private readonly deliver: (record: ConnectionRecord) => void,
    /** Called when a record that got late packets is let go, before it is delivered (joined runs recompute `sources`). */
    private readonly amended: (record: ConnectionRecord) => void = () => undefined,
  ) {
    const n = Math.max(capacity, 0);
    this.streams = new Int32Array(n).fill(-1);
    this.records = new Array<ConnectionRecord | null>(n).fill(null);
    this.clientDirs = new Uint8Array(n);
    this.precisions = new Uint8Array(n);
    this.delivers = new Uint8Array(n);
  }

  /** Records held now. */
  get size(): number {
    return this.holding;
  }

  /**
   * A connection just judged, with its record if one was made. `canGetLate`: its stream stays known to
   * the flow stage (a finished or evicted flow), so late packets may follow. `deliver`: hand the record
   * on (now or when let go).
   */
  offer(stream: number, record: ConnectionRecord | null, clientDir: number, precision: number, deliver: boolean, canGetLate: boolean): void {
    if (!canGetLate || stream < 0 || this.capacity <= 0) {
      if (deliver && record !== null) this.deliver(record);
      return;
    }
    const at = this.next;
    if (this.filled === this.capacity) this.letGo(at);
    else this.filled++;
    this.next = at + 1 === this.capacity ? 0 : at + 1;
    this.streams[at] = stream;
    if (record === null) return;
    this.records[at] = record;
    this.clientDirs[at] = clientDir;
    this.precisions[at] = precision;
    this.delivers[at] = deliver ? 1 : 0;
    this.holding++;
  }

  /** A packet routed to a judged stream (direction as the flow stage gives it). */
  late(stream: number, direction: number, seg: TcpSegment): void {
    const at = this.placeOf(stream);
    const record = at < 0 ? null : this.records[at];
    if (record === null) return;
    addLatePacket(record, direction === this.clientDirs[at] ? 'client' : 'server', seg, this.precisions[at]);
  }

  /** The stream can get no more packets: its record is final. */
  forget(stream: number): void {
    const at = this.placeOf(stream);
    if (at >= 0) this.letGo(at);
  }

  /** The input has ended: every held record is final, in the order they were judged. */
  flush(): void {
    const oldest = this.filled === this.capacity ? this.next : 0;
    for (let k = 0; k < this.filled; k++) this.letGo((oldest + k) % this.capacity);
    this.filled = 0;
    this.next = 0;
  }

  /** The place of a stream with a record, or -1. A scan: forgets come once per judged flow, late packets rarely. */
  private placeOf(stream: number): number {
    if (this.holding === 0) return -1;
    const streams = this.streams;
    for (let i = 0; i < this.filled; i++) if (streams[i] === stream && this.records[i] !== null) return i;
    return -1;
  }

  private letGo(at: number): void {
    const record = this.records[at];
    this.streams[at] = -1;
    if (record === null) return;
    this.records[at] = null;
    this.holding--;
    if (record.late !== null) {
      record.explanation += lateSentence(record);
      this.amended(record);
    }
    if (this.delivers[at] === 1) this.deliver(record);
  }
}
