import type { TcpSegment } from '../decode/segment.js';
import { addLatePacket, lateSentence } from '../verdict/late-traffic.js';
import type { ConnectionRecord } from '../verdict/types.js';

/**
 * How many of the latest judged connections keep their records open to packets that arrive after the
 * verdict. A quiet capture, like most incident captures, keeps each record until its stream can get no
 * more packets; a busy one judges thousands a second, so an older record is final then (late packets
 * of its stream are only counted). The window counts every judged connection, with a record or not,
 * so whether a record lists its late packets does not depend on which records the output asked for.
 * Its cost is in runs that make a record for every finding (JSON, CSV, ndjson): a held record outlives
 * the young generation and is rendered cold. On the bench capture (58,000 records) 256 costs about 5 %
 * there, 1,024 about 12 % (bench/README.md); the table's default job makes few records and pays nothing.
 */
export const DEFAULT_HELD_RECORDS = 256;

interface Held {
  record: ConnectionRecord;
  /** Flow direction (0: A->B) of the client's packets. */
  clientDir: number;
  precision: number;
  /** Hand the record on when let go (false: whoever asked for it holds it already). */
  deliver: boolean;
}

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
  private readonly held = new Map<number, Held>();
  /** Streams of the latest judged connections that can get late packets, oldest at `next` once full. */
  private readonly window: Int32Array;
  private next = 0;
  private filled = 0;

  constructor(
    private readonly capacity: number,
    private readonly deliver: (record: ConnectionRecord) => void,
    /** Called when a record that got late packets is let go, before it is delivered (joined runs recompute `sources`). */
    private readonly amended: (record: ConnectionRecord) => void = () => undefined,
  ) {
    this.window = new Int32Array(Math.max(capacity, 0));
  }

  get size(): number {
    return this.held.size;
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
    if (this.filled === this.capacity) this.forget(this.window[this.next]);
    else this.filled++;
    this.window[this.next] = stream;
    this.next = this.next + 1 === this.capacity ? 0 : this.next + 1;
    if (record !== null) this.held.set(stream, { record, clientDir, precision, deliver });
  }

  /** A packet routed to a judged stream (direction as the flow stage gives it). */
  late(stream: number, direction: number, seg: TcpSegment): void {
    const held = this.held.get(stream);
    if (held === undefined) return;
    addLatePacket(held.record, direction === held.clientDir ? 'client' : 'server', seg, held.precision);
  }

  /** The stream can get no more packets: its record is final. */
  forget(stream: number): void {
    const held = this.held.get(stream);
    if (held === undefined) return;
    this.held.delete(stream);
    this.letGo(held);
  }

  /** The input has ended: every held record is final, in the order they were judged. */
  flush(): void {
    const all = [...this.held.values()];
    this.held.clear();
    this.filled = 0;
    this.next = 0;
    for (const held of all) this.letGo(held);
  }

  private letGo(held: Held): void {
    const record = held.record;
    if (record.late !== null) {
      record.explanation += lateSentence(record);
      this.amended(record);
    }
    if (held.deliver) this.deliver(record);
  }
}
