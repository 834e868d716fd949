import { CHUNK_BITS, recordTemplate, StructStore } from '../layout/struct-store.js';
import { CloseBlocks } from './close-blocks.js';
import { CLOSE, CONN, CONN_BYTES_WITHOUT_ZEEK, LADDER_CLOSE, LADDER_CLOSE_INLINE, LadderField } from './connection-layout.js';
import { EventLists } from './event-lists.js';
import { RstField, type IcmpEvent } from './evidence.js';
import { HISTORY_PACKED } from './history-letters.js';
import { RecordCursor } from './record-cursor.js';
import { TcpState } from './tcp-state.js';

/** Numbers per FIN event in a connection's FIN list (see FinField). */
export const FIN_FIELDS = 8;
/** FIN and RST evidence kept per connection; beyond, events are counted only (a FIN or RST storm). */
export const MAX_EVENTS = 32;

export const enum FinField {
  Frame,
  From,
  /** Seconds since the connection's first whole second (int32 storage), nanoseconds. */
  Seconds,
  Nanos,
  Seq,
  Retransmission,
  AckFrame,
  AckByRst,
}

/** Initial values of a connection record: zero but for a few "none" markers. */
const TEMPLATE = recordTemplate(CONN.bytes, (v) => {
  for (const dir of [0, 1]) {
    v.u8[CONN.u8.state + dir] = TcpState.Unknown;
    v.i8[CONN.i8.windowScale + dir] = -1;
    v.u8[CONN.u8.ttlMin + dir] = 255;
    v.i32[CONN.i32.lastIpId + dir] = -1;
    v.i32[CONN.i32.zRxmitThreshold + dir] = 1;
    v.i32[CONN.i32.zZeroWindowThreshold + dir] = 1;
    v.f64[CONN.f64.lastPayloadTime + dir] = -Infinity;
  }
  v.i8[CONN.i8.synFrom] = -1;
  v.i8[CONN.i8.synAckFrom] = -1;
  v.i8[CONN.i8.zOrigDir] = -1;
  v.i32[CONN.i32.closeBlock] = -1;
});

/**
 * Every tracked connection's record (connection-layout.ts), in chunks of a StructStore under the flow
 * stage's entry number (`slot`), plus what only closing connections need: a close block (CLOSE's
 * fields and the close part of the ladder, close-blocks.ts) and the FIN and RST event lists in pools,
 * taken when the close begins and given back when the connection has been judged. ICMP errors and
 * overlong Zeek histories, rarer still, sit in maps. So memory follows the connections open at once,
 * never the size of the capture, and a packet's update touches a few cache lines of one record and
 * allocates nothing.
 *
 * Hot code reads a record through the views of its chunk: `k = slot >> CHUNK_BITS`, then e.g.
 * `store.i32[k][(store.byteBase(slot) >> 2) + CONN.i32.nextSeq + dir]`.
 */
export class ConnectionStore {
  readonly records: StructStore;
  readonly f64: Float64Array[];
  readonly i32: Int32Array[];
  readonly u16: Uint16Array[];
  readonly u8: Uint8Array[];
  readonly i8: Int8Array[];
  /** Slots the flow stage may hand out (chunks exist only for those used so far). */
  capacity = 0;
  /** Connections (so far) whose both sides sent something, and that carried an ACK at all. */
  twoWayConnections = 0;
  connectionsWithAck = 0;
  /** Close blocks (CONN.i32.closeBlock): CLOSE's fields, then the close part of the ladder. */
  readonly close = new CloseBlocks();
  /** FIN events (FinField) of each connection. Most connections have 2. */
  readonly fins = new EventLists(FIN_FIELDS, 2, MAX_EVENTS);
  /** RST events (RstField). Most connections have none, some 1 or 2. */
  readonly resets = new EventLists(RstField.Count, 2, MAX_EVENTS);
  /**
   * The close's ladder packets beyond the close block's LADDER_CLOSE_INLINE (ladder.ts): one block of
   * the rest, for the 11 % of closes that need it.
   */
  readonly ladderOverflow = new EventLists(LadderField.Count, LADDER_CLOSE - LADDER_CLOSE_INLINE, LADDER_CLOSE - LADDER_CLOSE_INLINE);
  /** ICMP errors quoting a connection's segments, by slot (most connections have none). */
  readonly icmp = new Map<number, IcmpEvent[]>();
  /** Zeek history letters beyond the ones packed in the record (see history-letters.ts). */
  readonly historyOverflow = new Map<number, string>();
  /**
   * The reused cursors of the tracker, the ladder and Zeek's replay (one each: they must not re-point
   * each other's). Here, not in their modules: a module-wide cursor kept the last analysed store, all
   * its chunks and pools (43 MB on the bench capture), alive after the analysis.
   */
  readonly trackerCursor = new RecordCursor();
  readonly ladderCursor = new RecordCursor();
  readonly zeekCursor = new RecordCursor();

  constructor(
    /**
     * Zeek's endpoint model is replayed (records get `history` and `connState`). Without it each record
     * ends before Zeek's fields (CONN_BYTES_WITHOUT_ZEEK), which no code then touches.
     */
    readonly zeekHistory = true,
  ) {
    this.records = zeekHistory ? new StructStore(CONN.bytes, TEMPLATE) : new StructStore(CONN_BYTES_WITHOUT_ZEEK, TEMPLATE.subarray(0, CONN_BYTES_WITHOUT_ZEEK));
    this.f64 = this.records.f64;
    this.i32 = this.records.i32;
    this.u16 = this.records.u16;
    this.u8 = this.records.u8;
    this.i8 = this.records.i8;
  }

  /**
   * The capture so far looks one-directional: no connection was seen both ways, yet some carried ACKs
   * (so their peers exist). A lone SYN in such a capture says nothing about whether it was answered.
   */
  get oneWay(): boolean {
    return this.twoWayConnections === 0 && this.connectionsWithAck > 0;
  }

  /** Byte offset of a slot's record within its chunk (a view's base index is this / element size). */
  byteBase(slot: number): number {
    return this.records.byteBase(slot);
  }

  /** Bytes of state allocated (records and pools), for the benchmark. */
  get bytes(): number {
    return this.records.bytes + this.close.bytes + this.fins.bytes + this.resets.bytes + this.ladderOverflow.bytes;
  }

  /** Slots [0, capacity) may now be opened; their chunks are made on first use. */
  grow(capacity: number): void {
    if (capacity > this.capacity) this.capacity = capacity;
  }

  /** A new connection in `slot`: the previous occupant's blocks go back, every field to its initial value. */
  open(slot: number): void {
    if (slot >= this.capacity) throw new RangeError(`slot ${slot} beyond the store's capacity ${this.capacity}`);
    this.records.ensure(slot);
    this.release(slot);
    this.records.reset(slot);
    if (this.icmp.size !== 0) this.icmp.delete(slot);
  }

  /**
   * Gives back the slot's evidence blocks once its connection has been judged (or when the slot is
   * reused), so the pools hold the evidence of live connections only. The slot's own fields stay
   * readable until it is opened again.
   */
  release(slot: number): void {
    const k = slot >> CHUNK_BITS;
    if (k >= this.i32.length) return;
    const I = this.i32[k];
    const i = this.byteBase(slot) >> 2;
    const block = I[i + CONN.i32.closeBlock];
    if (block >= 0) {
      const C = this.close.i32(block);
      const c = this.close.base(block);
      this.fins.release(C[c + CLOSE.i32.finEvents], C[c + CLOSE.i32.finBlock]);
      this.resets.release(C[c + CLOSE.i32.rstEvents], C[c + CLOSE.i32.rstBlock]);
      this.ladderOverflow.release(C[c + CLOSE.i32.closeCount] - LADDER_CLOSE_INLINE, C[c + CLOSE.i32.closeOverflow]);
      this.close.release(block);
    }
    I[i + CONN.i32.closeBlock] = -1;
    if (this.zeekHistory) {
      if (I[i + CONN.i32.zHistoryLength] > HISTORY_PACKED) this.historyOverflow.delete(slot);
      I[i + CONN.i32.zHistoryLength] = 0;
    }
  }

  /** The close block of `slot` (in `close`), taken on first use with CLOSE's initial values. */
  closeBlock(slot: number): number {
    const I = this.i32[slot >> CHUNK_BITS];
    const o = (this.byteBase(slot) >> 2) + CONN.i32.closeBlock;
    const block = I[o];
    if (block >= 0) return block;
    return (I[o] = this.close.take());
  }

  /** The close block `slot` reads: its own, or the template block 0 before it began to close. */
  closeOf(slot: number): number {
    const block = this.i32[slot >> CHUNK_BITS][(this.byteBase(slot) >> 2) + CONN.i32.closeBlock];
    return block < 0 ? 0 : block;
  }

  /**
   * Appends a FIN event (up to MAX_EVENTS; later ones are only counted, in finSegments). The events are at
   * fins.data(n)[first + i * FIN_FIELDS + field], n and first being the close block's finEvents and finBlock.
   */
  addFin(slot: number, frame: number, dir: number, time: number, seq: number, retransmission: boolean, ackFrame: number): void {
    const closeBlock = this.closeBlock(slot);
    const C = this.close.i32(closeBlock);
    const c = this.close.base(closeBlock);
    const n = C[c + CLOSE.i32.finEvents];
    if (n >= MAX_EVENTS) return;
    const block = this.fins.append(n, C[c + CLOSE.i32.finBlock]);
    C[c + CLOSE.i32.finBlock] = block;
    C[c + CLOSE.i32.finEvents] = n + 1;
    const data = this.fins.data(n + 1);
    const o = block + n * FIN_FIELDS;
    const seconds = Math.floor(time);
    data[o + FinField.Frame] = frame;
    data[o + FinField.From] = dir;
    data[o + FinField.Seconds] = seconds;
    data[o + FinField.Nanos] = Math.min(999_999_999, Math.round((time - seconds) * 1e9));
    data[o + FinField.Seq] = seq;
    data[o + FinField.Retransmission] = retransmission ? 1 : 0;
    data[o + FinField.AckFrame] = ackFrame;
    data[o + FinField.AckByRst] = 0;
  }

  /**
   * Room for a new RST event of `slot`: the offset in resets.data(n) where its RstField fields go (n the
   * close block's rstEvents, now counting it), or -1 when MAX_EVENTS are recorded already (the rest are
   * only counted, in rstSegments).
   */
  addReset(slot: number): number {
    const closeBlock = this.closeBlock(slot);
    const C = this.close.i32(closeBlock);
    const c = this.close.base(closeBlock);
    const n = C[c + CLOSE.i32.rstEvents];
    if (n >= MAX_EVENTS) return -1;
    const block = this.resets.append(n, C[c + CLOSE.i32.rstBlock]);
    C[c + CLOSE.i32.rstBlock] = block;
    C[c + CLOSE.i32.rstEvents] = n + 1;
    return block + n * RstField.Count;
  }

  /** Records an ICMP error about one of the connection's segments (at most MAX_EVENTS). */
  addIcmp(slot: number, event: IcmpEvent): void {
    const list = this.icmp.get(slot);
    if (list === undefined) this.icmp.set(slot, [event]);
    else if (list.length < MAX_EVENTS) list.push(event);
  }
}
