import { CHUNK_BITS } from '../layout/struct-store.js';
import { CLOSE, CONN, EndpointFact as Fact } from './connection-layout.js';
import { FIN_FIELDS, FinField, type ConnectionStore } from './connection-store.js';
import { RstField, type FinEvent, type IcmpEvent, type RstEvent } from './evidence.js';
import { historyText } from './history-letters.js';
import { ladderPackets, type LadderPacket } from './ladder.js';
import { resetEvent } from './reset-shape.js';
import type { TcpState } from './tcp-state.js';
import { zeekConnState } from './zeek-history.js';

const I32 = CONN.i32;
const U16 = CONN.u16;
const U8 = CONN.u8;
const I8 = CONN.i8;
const F64 = CONN.f64;
const C32 = CLOSE.i32;
const CU16 = CLOSE.u16;
const CU8 = CLOSE.u8;
const CF64 = CLOSE.f64;

/** A capture instant: whole seconds since 1970 and nanoseconds. */
export interface Instant {
  seconds: number;
  nanos: number;
}

/**
 * One side of a judged connection, read through to the tracker's record (connection-layout.ts says
 * what each field means). Times are seconds since the connection's first whole second (ConnectionView
 * turns them into instants). A view is re-pointed at each connection as it ends, so the verdict stage
 * reads state without copying it; it is valid only while that connection is being judged.
 */
export class EndpointView {
  private I: Int32Array = new Int32Array(0);
  private H: Uint16Array = new Uint16Array(0);
  private B: Uint8Array = new Uint8Array(0);
  private S: Int8Array = new Int8Array(0);
  private D: Float64Array = new Float64Array(0);
  private i = 0;
  private h = 0;
  private b = 0;
  private d = 0;
  /** Its fields of the connection's close block (CLOSE; the template block before any close). */
  private CI: Int32Array = new Int32Array(0);
  private CH: Uint16Array = new Uint16Array(0);
  private CD: Float64Array = new Float64Array(0);
  private ci = 0;
  private ch = 0;
  private cd = 0;

  /** `block`: the connection's close block (store.closeOf(slot)). */
  bind(store: ConnectionStore, slot: number, dir: number, block: number): void {
    const k = slot >> CHUNK_BITS;
    const base = store.byteBase(slot);
    this.I = store.i32[k];
    this.H = store.u16[k];
    this.B = store.u8[k];
    this.S = store.i8[k];
    this.D = store.f64[k];
    this.i = (base >> 2) + dir;
    this.h = (base >> 1) + dir;
    this.b = base + dir;
    this.d = (base >> 3) + dir;
    const close = store.close.records;
    const c = close.byteBase(block);
    this.CI = close.i32[block >> CHUNK_BITS];
    this.CH = close.u16[block >> CHUNK_BITS];
    this.CD = close.f64[block >> CHUNK_BITS];
    this.ci = (c >> 2) + dir;
    this.ch = (c >> 1) + dir;
    this.cd = (c >> 3) + dir;
  }

  private fact(bit: Fact): boolean {
    return (this.H[this.h + U16.flags] & bit) !== 0;
  }

  /** Its inferred RFC 9293 state when the connection was judged. */
  get state(): TcpState {
    return this.B[this.b + U8.state] as TcpState;
  }
  /** Segments it sent (a side never seen sent none). */
  get packets(): number {
    return this.I[this.i + I32.sent];
  }
  get lastFrame(): number {
    return this.I[this.i + I32.lastFrame];
  }
  /** TCP flags of the first segment it sent (0 if none). */
  get firstFlags(): number {
    return this.H[this.h + U16.firstFlags];
  }
  get synSeen(): boolean {
    return this.fact(Fact.SentSyn);
  }
  get synAckSeen(): boolean {
    return this.fact(Fact.SentSynAck);
  }
  get isn(): number {
    return this.I[this.i + I32.isn];
  }
  get synFrame(): number {
    return this.I[this.i + I32.synFrame];
  }
  get seqKnown(): boolean {
    return this.fact(Fact.SeqKnown);
  }
  get nextSeq(): number {
    return this.I[this.i + I32.nextSeq];
  }
  get firstSeq(): number {
    return this.I[this.i + I32.firstSeq];
  }
  get ackKnown(): boolean {
    return this.fact(Fact.AckKnown);
  }
  get highestAck(): number {
    return this.I[this.i + I32.highestAck];
  }
  /** Did it send anything with the ACK flag (proof that it heard the peer)? */
  get sentAck(): boolean {
    return this.fact(Fact.AckKnown);
  }
  get payloadBytes(): number {
    return this.D[this.d + F64.payloadBytes];
  }
  get payloadPackets(): number {
    return this.I[this.i + I32.payloadPackets];
  }
  get lastPayloadTime(): number {
    return this.D[this.d + F64.lastPayloadTime];
  }
  /** It sent a FIN, seen or inferred. */
  get finSeen(): boolean {
    return this.fact(Fact.SentFin);
  }
  /** Its FIN is not in the capture: the peer's ACK (or its own later segment) proves it; see finProofFrame. */
  get finInferred(): boolean {
    return this.fact(Fact.FinInferred);
  }
  get finProofFrame(): number {
    return this.CI[this.ci + C32.finProofFrame];
  }
  /** Frame of its first FIN (0 when inferred). */
  get finFrame(): number {
    return this.CI[this.ci + C32.finFrame];
  }
  get finTime(): number {
    return this.CD[this.cd + CF64.finTime];
  }
  get finCopies(): number {
    return this.CH[this.ch + CU16.finCopies];
  }
  get finCarriedAck(): boolean {
    return this.fact(Fact.FinCarriedAck);
  }
  get finAcked(): boolean {
    return this.fact(Fact.FinAcked);
  }
  get finAckFrame(): number {
    return this.CI[this.ci + C32.finAckFrame];
  }
  get ackedPeerFin(): boolean {
    return this.fact(Fact.AckedPeerFin);
  }
  get ackedPeerFinFrame(): number {
    return this.CI[this.ci + C32.ackedPeerFinFrame];
  }
  get ackedPeerFinTime(): number {
    return this.CD[this.cd + CF64.ackedPeerFinTime];
  }
  get payloadAfterAckingPeerFin(): number {
    return this.CD[this.cd + CF64.payloadAfterAckingPeerFin];
  }
  get lastPayloadAfterAckingPeerFinFrame(): number {
    return this.CI[this.ci + C32.lastPayloadAfterAckingPeerFinFrame];
  }
  get lastPayloadAfterAckingPeerFinTime(): number {
    return this.CD[this.cd + CF64.lastPayloadAfterAckingPeerFinTime];
  }
  get payloadAfterPeerFin(): number {
    return this.CD[this.cd + CF64.payloadAfterPeerFin];
  }
  get sentRst(): boolean {
    return this.fact(Fact.SentRst);
  }
  /** When it reached ESTABLISHED, TIME_WAIT, CLOSED (seconds since the first whole second; 0 if never). */
  get establishedTime(): number {
    return this.D[this.d + F64.establishedTime];
  }
  get wasEstablished(): boolean {
    return this.fact(Fact.WasEstablished);
  }
  get wasCloseWait(): boolean {
    return this.fact(Fact.WasCloseWait);
  }
  get wasTimeWait(): boolean {
    return this.fact(Fact.WasTimeWait);
  }
  /** When it left ESTABLISHED, entered and left CLOSE_WAIT (0 when it did not). */
  get establishedEnd(): number {
    return this.CD[this.cd + CF64.establishedEnd];
  }
  get closeWaitTime(): number {
    return this.CD[this.cd + CF64.closeWaitTime];
  }
  get closeWaitEnd(): number {
    return this.CD[this.cd + CF64.closeWaitEnd];
  }
  get timeWaitTime(): number {
    return this.CD[this.cd + CF64.timeWaitTime];
  }
  get closedTime(): number {
    return this.CD[this.cd + CF64.closedTime];
  }
  get ttlMin(): number {
    return this.B[this.b + U8.ttlMin];
  }
  get ttlMax(): number {
    return this.B[this.b + U8.ttlMax];
  }
  get ttlSamples(): number {
    return this.H[this.h + U16.ttlSamples];
  }
  get ipIdSteps(): number {
    return this.H[this.h + U16.ipIdSteps];
  }
  get ipIdJumps(): number {
    return this.H[this.h + U16.ipIdJumps];
  }
  get windowScale(): number {
    return this.S[this.b + I8.windowScale];
  }
  /** Capture quality: its segments ACKed though never captured, gaps before its segments, frames captured twice. */
  get ackedUnseen(): number {
    return this.H[this.h + U16.ackedUnseen];
  }
  get gaps(): number {
    return this.H[this.h + U16.gaps];
  }
  get duplicates(): number {
    return this.H[this.h + U16.duplicates];
  }
}

// Most connections have no RST, many no FIN: one shared empty list each (never modified).
const NO_RESETS: RstEvent[] = [];
const NO_FINS: FinEvent[] = [];
const NO_ICMP: IcmpEvent[] = [];

/**
 * A judged connection as the verdict stage reads it: the tracker's record for one slot, read through
 * (no copy), re-pointed by bind() at each connection as it ends. Indexes into `ends` are flow
 * directions: 0 = endpoint A (the source of the first frame), 1 = B. Lists are built on first use.
 */
export class ConnectionView {
  readonly ends: [EndpointView, EndpointView] = [new EndpointView(), new EndpointView()];
  private store: ConnectionStore | null = null;
  private slot = 0;
  private I: Int32Array = new Int32Array(0);
  private S: Int8Array = new Int8Array(0);
  private D: Float64Array = new Float64Array(0);
  private i = 0;
  private b = 0;
  private d = 0;
  private CI: Int32Array = new Int32Array(0);
  private CB: Uint8Array = new Uint8Array(0);
  private ci = 0;
  private cb = 0;
  private finList: FinEvent[] | null = null;
  private resetList: RstEvent[] | null = null;

  bind(store: ConnectionStore, slot: number): this {
    this.store = store;
    this.slot = slot;
    const k = slot >> CHUNK_BITS;
    const base = store.byteBase(slot);
    this.I = store.i32[k];
    this.S = store.i8[k];
    this.D = store.f64[k];
    this.i = base >> 2;
    this.b = base;
    this.d = base >> 3;
    const block = store.closeOf(slot);
    const close = store.close.records;
    this.CI = close.i32[block >> CHUNK_BITS];
    this.CB = close.u8[block >> CHUNK_BITS];
    this.ci = close.byteBase(block) >> 2;
    this.cb = close.byteBase(block);
    this.ends[0].bind(store, slot, 0, block);
    this.ends[1].bind(store, slot, 1, block);
    this.finList = null;
    this.resetList = null;
    return this;
  }

  private get bound(): ConnectionStore {
    if (this.store === null) throw new Error('ConnectionView used before bind()');
    return this.store;
  }

  /** The whole second every relative time of this connection counts from. */
  get firstSecond(): number {
    return this.D[this.d + F64.firstSecond];
  }
  /** A relative time of this connection as an instant (exact to the nanosecond). */
  instant(time: number): Instant {
    const whole = Math.floor(time);
    let nanos = Math.round((time - whole) * 1e9);
    let seconds = this.firstSecond + whole;
    if (nanos >= 1e9) {
      nanos -= 1e9;
      seconds++;
    }
    return { seconds, nanos };
  }
  /** An instant as a relative time of this connection. */
  relative(at: Instant): number {
    return at.seconds - this.firstSecond + at.nanos * 1e-9;
  }
  get firstSeconds(): number {
    return this.firstSecond;
  }
  get firstNanos(): number {
    return this.I[this.i + I32.firstNanos];
  }
  /** Time of the latest packet (relative). */
  get lastTime(): number {
    return this.D[this.d + F64.lastTime];
  }
  get packets(): number {
    return this.I[this.i + I32.packets];
  }
  get synFrom(): number {
    return this.S[this.b + I8.synFrom];
  }
  get synAckFrom(): number {
    return this.S[this.b + I8.synAckFrom];
  }
  get finSegments(): number {
    return this.CI[this.ci + C32.finSegments];
  }
  get finsCrossed(): boolean {
    return this.CB[this.cb + CU8.finsCrossed] !== 0;
  }
  /** Frame of a same-ISN SYN that reopened the connection after a RST, or 0: events before it are history. */
  get reopenFrame(): number {
    return this.I[this.i + I32.reopenFrame];
  }
  /** The RSTs seen, in capture order (up to MAX_EVENTS). */
  get resets(): RstEvent[] {
    if (this.resetList !== null) return this.resetList;
    const count = this.CI[this.ci + C32.rstEvents];
    if (count === 0) return NO_RESETS;
    const R = this.bound.resets.data(count);
    const first = this.CI[this.ci + C32.rstBlock];
    const end = first + count * RstField.Count;
    const list: RstEvent[] = [];
    for (let o = first; o < end; o += RstField.Count) list.push(resetEvent(R, o, this.firstSecond));
    this.resetList = list;
    return list;
  }
  get icmp(): IcmpEvent[] {
    return this.bound.icmp.get(this.slot) ?? NO_ICMP;
  }
  /** Every FIN segment, retransmissions included, in capture order. */
  get fins(): FinEvent[] {
    if (this.finList !== null) return this.finList;
    const count = this.CI[this.ci + C32.finEvents];
    if (count === 0) return NO_FINS;
    const flat = this.bound.fins.data(count);
    const first = this.CI[this.ci + C32.finBlock];
    const end = first + count * FIN_FIELDS;
    const list: FinEvent[] = [];
    for (let o = first; o < end; o += FIN_FIELDS) {
      list.push({
        frame: flat[o + FinField.Frame],
        from: flat[o + FinField.From],
        seconds: this.firstSecond + flat[o + FinField.Seconds],
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
  /** Zeek conn.log history and conn_state; null when the analysis did not replay Zeek's model. */
  get history(): string | null {
    return this.bound.zeekHistory ? historyText(this.bound, this.slot) : null;
  }
  get connState(): string | null {
    return this.bound.zeekHistory ? zeekConnState(this.bound, this.slot) : null;
  }
  /** Packets for a ladder diagram of the close, in frame order. */
  get ladder(): LadderPacket[] {
    return ladderPackets(this.bound, this.slot);
  }
}

/** What the verdict stage needs of a connection (a ConnectionView satisfies it). */
export type ConnectionSnapshot = ConnectionView;
export type EndpointSnapshot = EndpointView;
