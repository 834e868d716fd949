import { FIN_FIELDS, FinField, type ConnectionStore } from './connection-store.js';
import { RstField, type FinEvent, type IcmpEvent, type RstEvent } from './evidence.js';
import { resetEvent } from './reset-shape.js';
import { ladderPackets, type LadderPacket } from './ladder.js';
import {
  C,
  CD,
  D,
  E,
  F_ACK_KNOWN,
  F_ACKED_PEER_FIN,
  F_FIN,
  F_FIN_ACKED,
  F_FIN_CARRIED_ACK,
  F_SEQ_KNOWN,
  F_SYN,
  F_SYN_ACK,
  floatBase,
  intBase,
} from './layout.js';
import type { TcpState } from './tcp-state.js';
import { historyText } from './history-letters.js';
import { zeekConnState } from './zeek-history.js';

/**
 * One side of a judged connection, read through to the tracker's store (see layout.ts for each field).
 * A view is re-pointed at each connection as it ends, so the verdict stage reads state without copying
 * it; it is valid only while that connection is being judged.
 */
export class EndpointView {
  private I: Int32Array = new Int32Array(0);
  private F: Float64Array = new Float64Array(0);
  private e = 0;
  private f = 0;

  bind(ints: Int32Array, floats: Float64Array, e: number, f: number): void {
    this.I = ints;
    this.F = floats;
    this.e = e;
    this.f = f;
  }

  private flag(bit: number): boolean {
    return (this.I[this.e + E.Flags] & bit) !== 0;
  }

  get state(): TcpState {
    return this.I[this.e + E.State] as TcpState;
  }
  get packets(): number {
    return this.I[this.e + E.Packets];
  }
  get lastFrame(): number {
    return this.I[this.e + E.LastFrame];
  }
  get synSeen(): boolean {
    return this.flag(F_SYN);
  }
  get synAckSeen(): boolean {
    return this.flag(F_SYN_ACK);
  }
  get isn(): number {
    return this.I[this.e + E.Isn];
  }
  get synFrame(): number {
    return this.I[this.e + E.SynFrame];
  }
  get seqKnown(): boolean {
    return this.flag(F_SEQ_KNOWN);
  }
  get nextSeq(): number {
    return this.I[this.e + E.NextSeq];
  }
  get firstSeq(): number {
    return this.I[this.e + E.FirstSeq];
  }
  get ackKnown(): boolean {
    return this.flag(F_ACK_KNOWN);
  }
  get highestAck(): number {
    return this.I[this.e + E.HighestAck];
  }
  get payloadBytes(): number {
    return this.F[this.f + D.PayloadBytes];
  }
  get payloadPackets(): number {
    return this.I[this.e + E.PayloadPackets];
  }
  get finSeen(): boolean {
    return this.flag(F_FIN);
  }
  get finFrame(): number {
    return this.I[this.e + E.FinFrame];
  }
  get finTime(): number {
    return this.F[this.f + D.FinTime];
  }
  get finSeconds(): number {
    return this.F[this.f + D.FinSeconds];
  }
  get finNanos(): number {
    return this.F[this.f + D.FinNanos];
  }
  get finCopies(): number {
    return this.I[this.e + E.FinCopies];
  }
  get finCarriedAck(): boolean {
    return this.flag(F_FIN_CARRIED_ACK);
  }
  get finAcked(): boolean {
    return this.flag(F_FIN_ACKED);
  }
  get finAckFrame(): number {
    return this.I[this.e + E.FinAckFrame];
  }
  get ackedPeerFin(): boolean {
    return this.flag(F_ACKED_PEER_FIN);
  }
  get ackedPeerFinFrame(): number {
    return this.I[this.e + E.AckedPeerFinFrame];
  }
  get ackedPeerFinTime(): number {
    return this.F[this.f + D.AckedPeerFinTime];
  }
  get ackedPeerFinSeconds(): number {
    return this.F[this.f + D.AckedPeerFinSeconds];
  }
  get ackedPeerFinNanos(): number {
    return this.F[this.f + D.AckedPeerFinNanos];
  }
  get payloadAfterAckingPeerFin(): number {
    return this.F[this.f + D.PayloadAfterAckingPeerFin];
  }
  get lastPayloadAfterAckingPeerFinFrame(): number {
    return this.I[this.e + E.LastPayloadAfterAckingPeerFinFrame];
  }
  get payloadAfterPeerFin(): number {
    return this.F[this.f + D.PayloadAfterPeerFin];
  }
  get ttlMin(): number {
    return this.I[this.e + E.TtlMin];
  }
  get ttlMax(): number {
    return this.I[this.e + E.TtlMax];
  }
  get ttlSamples(): number {
    return this.I[this.e + E.TtlSamples];
  }
  get ipIdSteps(): number {
    return this.I[this.e + E.IpIdSteps];
  }
  get ipIdJumps(): number {
    return this.I[this.e + E.IpIdJumps];
  }
}

// Most connections have no RST, many no FIN: one shared empty list each (never modified).
const NO_RESETS: RstEvent[] = [];
const NO_FINS: FinEvent[] = [];

/**
 * A judged connection as the verdict stage reads it: the tracker's state for one slot, read through
 * (no copy), re-pointed by bind() at each connection as it ends. Indexes into `ends` are flow
 * directions: 0 = endpoint A (the source of the first frame), 1 = B. Lists are built on first use.
 */
export class ConnectionView {
  readonly ends: [EndpointView, EndpointView] = [new EndpointView(), new EndpointView()];
  private store: ConnectionStore | null = null;
  private slot = 0;
  private ints: Int32Array = new Int32Array(0);
  private floats: Float64Array = new Float64Array(0);
  private c = 0;
  private cf = 0;
  private finList: FinEvent[] | null = null;
  private resetList: RstEvent[] | null = null;

  bind(store: ConnectionStore, slot: number): this {
    this.store = store;
    this.slot = slot;
    this.ints = store.intsOf(slot);
    this.floats = store.floatsOf(slot);
    this.c = intBase(slot);
    this.cf = floatBase(slot);
    this.ends[0].bind(this.ints, this.floats, this.c, this.cf);
    this.ends[1].bind(this.ints, this.floats, this.c + 1, this.cf + 1);
    this.finList = null;
    this.resetList = null;
    return this;
  }

  private get bound(): ConnectionStore {
    if (this.store === null) throw new Error('ConnectionView used before bind()');
    return this.store;
  }

  get firstSeconds(): number {
    return this.floats[this.cf + CD.FirstSeconds];
  }
  get firstNanos(): number {
    return this.floats[this.cf + CD.FirstNanos];
  }
  get lastSeconds(): number {
    return this.floats[this.cf + CD.LastSeconds];
  }
  get lastNanos(): number {
    return this.floats[this.cf + CD.LastNanos];
  }
  get packets(): number {
    return this.ints[this.c + C.Packets];
  }
  get synFrom(): number {
    return this.ints[this.c + C.SynFrom];
  }
  get synAckFrom(): number {
    return this.ints[this.c + C.SynAckFrom];
  }
  get finSegments(): number {
    return this.ints[this.c + C.FinSegments];
  }
  get finsCrossed(): boolean {
    return this.ints[this.c + C.FinsCrossed] !== 0;
  }
  /** The RSTs seen, in capture order (up to MAX_EVENTS). */
  get resets(): RstEvent[] {
    if (this.resetList !== null) return this.resetList;
    const store = this.bound;
    if (store.rstCount(this.slot) === 0) return NO_RESETS;
    const R = store.rstData(this.slot);
    const first = store.rstBlock(this.slot);
    const end = first + store.rstCount(this.slot) * RstField.Count;
    const firstSeconds = this.firstSeconds;
    const list: RstEvent[] = [];
    for (let o = first; o < end; o += RstField.Count) list.push(resetEvent(R, o, firstSeconds));
    this.resetList = list;
    return list;
  }
  get icmp(): IcmpEvent[] {
    return this.bound.icmp[this.slot];
  }
  /** Every FIN segment, retransmissions included, in capture order. */
  get fins(): FinEvent[] {
    if (this.finList !== null) return this.finList;
    if (this.bound.finCount(this.slot) === 0) return NO_FINS;
    const store = this.bound;
    const flat = store.finData(this.slot);
    const first = store.finBlock(this.slot);
    const end = first + store.finCount(this.slot) * FIN_FIELDS;
    const firstSeconds = this.firstSeconds;
    const list: FinEvent[] = [];
    for (let o = first; o < end; o += FIN_FIELDS) {
      list.push({
        frame: flat[o + FinField.Frame],
        from: flat[o + FinField.From],
        seconds: firstSeconds + flat[o + FinField.Seconds],
        nanos: flat[o + FinField.Nanos],
        seq: flat[o + FinField.Seq],
        retransmission: flat[o + FinField.Retransmission] !== 0,
        ackFrame: flat[o + FinField.AckFrame],
        ackByRst: flat[o + FinField.AckByRst] !== 0,
      });
    }
    this.finList = list;
    return list;
  }
  /** Zeek conn.log history and conn_state. */
  get history(): string {
    return historyText(this.bound, this.slot);
  }
  get connState(): string {
    return zeekConnState(this.bound, this.slot);
  }
  /** Packets for a ladder diagram of the close, in frame order. */
  get ladder(): LadderPacket[] {
    return ladderPackets(this.bound, this.slot);
  }
}

/** What the verdict stage needs of a connection (a ConnectionView satisfies it). */
export type ConnectionSnapshot = ConnectionView;
export type EndpointSnapshot = EndpointView;
