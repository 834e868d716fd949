import { ACK, FIN, RST, SYN, type TcpSegment } from '../decode/segment.js';
import type { ConnectionStore } from './connection-store.js';
import { addLetter, historyText, Letter, setHistory } from './history-letters.js';
import { CONN } from './connection-layout.js';
import type { RecordCursor } from './record-cursor.js';
import { ZEEK_LIKELY_SERVER_PORTS } from './zeek-server-ports.js';

/** Zeek's TCP endpoint states (TCP_INACTIVE .. TCP_RESET in its scripts). */
const enum Z {
  Inactive = 0,
  SynSent = 1,
  SynAckSent = 2,
  Partial = 3,
  Established = 4,
  Closed = 5,
  Reset = 6,
}

const SEEN_SYN = 0x1;
const SEEN_FIN = 0x2;
const SEEN_RST = 0x4;
const SEEN_FIN_RST = 0x8;
const SEEN_DATA = 0x10;
const SEEN_ACK = 0x20;
const SEEN_MULTI_FLAG = 0x40;
/** Zeek's retransmission test ignores SYN/RST sequence jumps beyond 1 MiB. */
const RXMIT_JUMP_LIMIT = 1 << 20;

const I32 = CONN.i32;
const U8 = CONN.u8;
const I8 = CONN.i8;
const F64 = CONN.f64;

/*
 * Zeek's conn.log `history` and `conn_state` for one connection, replayed from headers the way Zeek's
 * TCPSessionAdapter does (docs/research/zeek-history-connstate.md). The endpoint fields live in the
 * connection's block (E.Z*), the history string in the store's per-slot list. Directions are flow
 * directions; Zeek's own originator is C.ZOrigDir. Not modelled: G (content gaps need reassembly),
 * C (checksums), and Zeek's splitting of one 4-tuple into several log lines (it splits on timers and on
 * any SYN after a close; closetrace follows tshark's streams).
 */

export function observeZeek(store: ConnectionStore, slot: number, z: RecordCursor, dir: number, seg: TcpSegment): void {
  const flags = seg.flags;
  // Fast path for the bulk of packets: data or ACKs, no SYN/FIN/RST, both sides already active. Zeek's
  // state machine does nothing for them; only the D/A letters, zero windows and retransmissions matter.
  if ((flags & (SYN | FIN | RST)) === 0 && z.B[z.b + U8.zFlipPending] === 0) {
    const e = dir;
    const p = dir ^ 1;
    const state = z.B[z.b + U8.zState + e];
    if ((state === Z.Established || state === Z.Partial) && z.B[z.b + U8.zState + p] !== Z.Inactive && z.S[z.b + I8.zOrigDir] >= 0) {
      const len = seg.payloadLength;
      const isOrig = dir === z.S[z.b + I8.zOrigDir];
      const seen = z.B[z.b + U8.zSeen + e];
      if (len > 0) {
        if ((seen & SEEN_DATA) === 0) check(store, slot, e, isOrig, SEEN_DATA, Letter.D);
      } else if ((flags & ACK) !== 0 && (seen & SEEN_ACK) === 0) {
        check(store, slot, e, isOrig, SEEN_ACK, Letter.A);
      }
      if (seg.window === 0 && z.B[z.b + U8.zState + p] !== Z.Closed) zeroWindow(store, slot, e, isOrig);
      const end = (seg.seq + len) | 0;
      const delta = (end - z.I[z.i + I32.zLastSeq + e]) | 0;
      if (delta > 0) {
        z.D[z.d + F64.zSize + e] += len < delta ? len : delta;
        z.I[z.i + I32.zLastSeq + e] = end;
      } else if (len > 0) {
        updateLastSeq(store, slot, e, isOrig, seg, false, false, false, len);
      }
      return;
    }
  }
  if (z.S[z.b + I8.zOrigDir] < 0) chooseOriginator(store, slot, dir, seg);
  else if (z.B[z.b + U8.zFlipPending] !== 0 && ((flags & ACK) !== 0 || seg.payloadLength > 0) && (flags & SYN) === 0) flipAsIfAtStart(store, slot);
  const e = dir;
  const p = dir ^ 1;
  const isOrig = dir === z.S[z.b + I8.zOrigDir];
  const syn = (flags & SYN) !== 0;
  const ack = (flags & ACK) !== 0;
  const fin = (flags & FIN) !== 0;
  const rst = (flags & RST) !== 0;
  const len = seg.payloadLength;
  const state = z.B[z.b + U8.zState + e];

  // init_endpoint: the first packet fixes the start sequence (a SYN's own, else seq - 1).
  if (state === Z.Inactive) initStart(z, e, syn ? seg.seq : (seg.seq - 1) | 0);
  else if (syn && state !== Z.Reset && state !== Z.Closed && seg.seq !== z.I[z.i + I32.zStartSeq + e]) initStart(z, e, seg.seq);
  else if (syn && state === Z.Reset && z.B[z.b + U8.zPrevState + e] === Z.Inactive) initStart(z, e, seg.seq);
  const relSeq = (seg.seq - z.I[z.i + I32.zStartSeq + e]) | 0;

  updateHistory(store, slot, e, isOrig, flags, relSeq, len);
  // update_window: a zero window (scaling keeps zero at zero), unless resetting or the peer has closed.
  if (seg.window === 0 && !rst && z.B[z.b + U8.zState + e] !== Z.Reset && z.B[z.b + U8.zState + p] !== Z.Closed) zeroWindow(store, slot, e, isOrig);
  // init_peer: the first ACK seen while the peer is inactive fixes the peer's start sequence.
  if (ack && z.B[z.b + U8.zState + p] === Z.Inactive) initStart(z, p, (seg.ack - 1) | 0);
  updateLastSeq(store, slot, e, isOrig, seg, syn, fin, rst, len);
  updateState(store, slot, e, p, isOrig, syn, ack, fin, rst, len);
}

/** conn_state as main.zeek computes it from the final endpoint states. */
export function zeekConnState(store: ConnectionStore, slot: number): string {
  const z = store.zeekCursor.at(store, slot);
  const origDir = z.S[z.b + I8.zOrigDir];
  if (origDir < 0) return 'OTH';
  const o = origDir;
  const r = origDir ^ 1;
  const os = z.B[z.b + U8.zState + o];
  const rs = z.B[z.b + U8.zState + r];
  const oInactive = os === Z.Inactive || os === Z.Partial;
  const rInactive = rs === Z.Inactive || rs === Z.Partial;
  if (rs === Z.Reset) {
    if (os === Z.SynSent || os === Z.SynAckSent || (os === Z.Reset && z.D[z.d + F64.zSize + o] === 0 && z.D[z.d + F64.zSize + r] === 0)) return 'REJ';
    return oInactive ? 'RSTRH' : 'RSTR';
  }
  if (os === Z.Reset) {
    if (rInactive) return /^\^?S[^HAFGIQ]*R.*/.test(historyText(store, slot)) ? 'RSTOS0' : 'OTH';
    return 'RSTO';
  }
  if (rs === Z.Closed && os === Z.Closed) return 'SF';
  if (os === Z.Closed) return rInactive ? 'SH' : 'S2';
  if (rs === Z.Closed) return oInactive ? 'SHR' : 'S3';
  if (os === Z.SynSent && rs === Z.Inactive) return 'S0';
  if (os === Z.Established && rs === Z.Established) return 'S1';
  return 'OTH';
}

/** W: the 1st, 10th, 100th... zero window advertised by this side (Session::ScaledHistoryEntry). */
function zeroWindow(store: ConnectionStore, slot: number, e: number, isOrig: boolean): void {
  const z = store.zeekCursor.at(store, slot);
  if (++z.I[z.i + I32.zZeroWindows + e] === z.I[z.i + I32.zZeroWindowThreshold + e]) {
    add(store, slot, isOrig, Letter.W);
    z.I[z.i + I32.zZeroWindowThreshold + e] *= 10;
  }
}

function setState(z: RecordCursor, e: number, state: Z): void {
  z.B[z.b + U8.zPrevState + e] = z.B[z.b + U8.zState + e];
  z.B[z.b + U8.zState + e] = state;
}

function initStart(z: RecordCursor, e: number, seq: number): void {
  z.I[z.i + I32.zStartSeq + e] = seq;
  z.I[z.i + I32.zLastSeq + e] = seq;
}

/**
 * IPBasedAnalyzer::NewConn / TCPAnalyzer::WantConnection: the first packet's sender originates, unless
 * that packet is not a pure SYN and comes from a likely server port (towards a port that is not one,
 * or, both being server ports, from the lower one and not a SYN/ACK).
 */
function chooseOriginator(store: ConnectionStore, slot: number, dir: number, seg: TcpSegment): void {
  const z = store.zeekCursor.at(store, slot);
  const flags = seg.flags;
  const pureSyn = (flags & (SYN | ACK)) === SYN;
  const synAck = (flags & (SYN | ACK)) === (SYN | ACK);
  const srcLikely = ZEEK_LIKELY_SERVER_PORTS.has(seg.srcPort);
  const dstLikely = ZEEK_LIKELY_SERVER_PORTS.has(seg.dstPort);
  const flip = !pureSyn && srcLikely && (!dstLikely || (!synAck && seg.srcPort < seg.dstPort));
  z.S[z.b + I8.zOrigDir] = flip ? dir ^ 1 : dir;
  if (flip) addLetter(store, slot, Letter.Caret, false);
  else if (synAck) z.B[z.b + U8.zFlipPending] = 1;
}

/** Zeek >= 5.1 flips a connection that began with a SYN/ACK; the log reads as if flipped at creation. */
function flipAsIfAtStart(store: ConnectionStore, slot: number): void {
  const z = store.zeekCursor.at(store, slot);
  z.B[z.b + U8.zFlipPending] = 0;
  z.S[z.b + I8.zOrigDir] ^= 1;
  let swapped = '^';
  for (const ch of historyText(store, slot)) swapped += ch === ch.toUpperCase() ? ch.toLowerCase() : ch.toUpperCase();
  setHistory(store, slot, swapped);
}

/** Session::CheckHistory with the responder's letters in lower case and its own seen-bits. */
function check(store: ConnectionStore, slot: number, e: number, isOrig: boolean, mask: number, letter: Letter): boolean {
  const z = store.zeekCursor.at(store, slot);
  if ((z.B[z.b + U8.zSeen + e] & mask) !== 0) return true;
  z.B[z.b + U8.zSeen + e] |= mask;
  add(store, slot, isOrig, letter);
  return false;
}

function add(store: ConnectionStore, slot: number, isOrig: boolean, letter: Letter): void {
  addLetter(store, slot, letter, !isOrig);
}

/** TCPSessionAdapter::update_history. */
function updateHistory(store: ConnectionStore, slot: number, e: number, isOrig: boolean, flags: number, relSeq: number, len: number): void {
  const z = store.zeekCursor.at(store, slot);
  const syn = (flags & SYN) !== 0;
  const fin = (flags & FIN) !== 0;
  const rst = (flags & RST) !== 0;
  const count = (syn ? 1 : 0) + (fin ? 1 : 0) + (rst ? 1 : 0);
  if (count > 1) {
    if (fin && rst) check(store, slot, e, isOrig, SEEN_FIN_RST, Letter.I);
    else check(store, slot, e, isOrig, SEEN_MULTI_FLAG, Letter.Q);
    return;
  }
  if (count === 1) {
    if (syn) {
      const letter = (flags & ACK) !== 0 ? Letter.H : Letter.S;
      if (check(store, slot, e, isOrig, SEEN_SYN, letter) && relSeq !== z.I[z.i + I32.zLastSyn + e]) add(store, slot, isOrig, letter);
      z.I[z.i + I32.zLastSyn + e] = relSeq;
    }
    if (fin) {
      const end = (relSeq + len) | 0;
      if (check(store, slot, e, isOrig, SEEN_FIN, Letter.F) && end !== z.I[z.i + I32.zLastFin + e]) add(store, slot, isOrig, Letter.F);
      z.I[z.i + I32.zLastFin + e] = end;
    }
    if (rst) {
      if (check(store, slot, e, isOrig, SEEN_RST, Letter.R) && relSeq !== z.I[z.i + I32.zLastRst + e]) add(store, slot, isOrig, Letter.R);
      z.I[z.i + I32.zLastRst + e] = relSeq;
    }
    return;
  }
  // Each of D and A appears once per direction: test the seen-bit before calling out.
  if (len > 0) {
    if ((z.B[z.b + U8.zSeen + e] & SEEN_DATA) === 0) check(store, slot, e, isOrig, SEEN_DATA, Letter.D);
  } else if ((flags & ACK) !== 0 && (z.B[z.b + U8.zSeen + e] & SEEN_ACK) === 0) {
    check(store, slot, e, isOrig, SEEN_ACK, Letter.A);
  }
}

/** update_last_seq: data that does not advance the highest sequence seen is a retransmission (T). */
function updateLastSeq(store: ConnectionStore, slot: number, e: number, isOrig: boolean, seg: TcpSegment, syn: boolean, fin: boolean, rst: boolean, len: number): void {
  const z = store.zeekCursor.at(store, slot);
  const segLength = (rst ? 0 : len) + (syn ? 1 : 0) + (fin ? 1 : 0);
  const end = (seg.seq + segLength) | 0;
  const delta = (end - z.I[z.i + I32.zLastSeq + e]) | 0;
  if (delta <= 0 && len > 0) {
    const jump = (syn || rst) && Math.abs(delta) > RXMIT_JUMP_LIMIT;
    const finAfterSyn = fin && z.I[z.i + I32.zLastSeq + e] === ((z.I[z.i + I32.zStartSeq + e] + 1) | 0);
    if (!jump && !finAfterSyn && z.B[z.b + U8.zState + e] !== Z.Reset && ++z.I[z.i + I32.zRxmits + e] === z.I[z.i + I32.zRxmitThreshold + e]) {
      add(store, slot, isOrig, Letter.T);
      z.I[z.i + I32.zRxmitThreshold + e] *= 10;
    }
  } else if (delta > 0) {
    if (!rst) z.D[z.d + F64.zSize + e] += Math.max(0, Math.min(len, delta));
    z.I[z.i + I32.zLastSeq + e] = end;
  }
}

/** UpdateStateMachine, dispatched on the sender's state. */
function updateState(store: ConnectionStore, slot: number, e: number, p: number, isOrig: boolean, syn: boolean, ack: boolean, fin: boolean, rst: boolean, len: number): void {
  const z = store.zeekCursor.at(store, slot);
  switch (z.B[z.b + U8.zState + e]) {
    case Z.Inactive:
      if (syn) {
        if (isOrig) setState(z, e, ack ? Z.SynAckSent : Z.SynSent);
        else {
          if (!ack && z.B[z.b + U8.zState + p] === Z.SynAckSent) {
            // SYN/SYN-ACK reversal: the "originator" only answered; swap roles (FlipRoles adds ^).
            z.S[z.b + I8.zOrigDir] ^= 1;
            addLetter(store, slot, Letter.Caret, false);
            setState(z, p, Z.Established);
          }
          if (z.B[z.b + U8.zState + p] === Z.SynSent) setState(z, p, Z.Established);
          setState(z, e, Z.Established);
        }
      }
      if (fin) setState(z, e, Z.Closed);
      if (rst) setState(z, e, Z.Reset);
      if (!syn && !fin && !rst) {
        const origState = z.B[z.b + U8.zState + z.S[z.b + I8.zOrigDir]];
        if (!isOrig && len === 0 && origState === Z.SynSent) return;
        if (ack && z.B[z.b + U8.zState + p] === Z.Established) setState(z, e, Z.Established);
        else setState(z, e, Z.Partial);
      }
      return;
    case Z.SynSent:
    case Z.SynAckSent:
      if (fin) setState(z, e, Z.Closed);
      if (rst) setState(z, e, Z.Reset);
      return;
    case Z.Established:
    case Z.Partial:
      if (syn && !ack && z.B[z.b + U8.zState + e] === Z.Partial && z.B[z.b + U8.zState + p] === Z.Inactive) setState(z, e, Z.SynSent);
      if (fin && !rst) {
        setState(z, e, Z.Closed);
        // "FIN then RST" from the peer still counts as a normal close.
        if (z.B[z.b + U8.zState + p] === Z.Reset && z.B[z.b + U8.zPrevState + p] === Z.Closed) setState(z, p, Z.Closed);
      }
      if (rst) setState(z, e, Z.Reset);
      return;
    case Z.Closed:
      // After a complete FIN exchange a RST adds its letter but changes no state.
      if (rst && z.B[z.b + U8.zState + p] !== Z.Closed) setState(z, e, Z.Reset);
      return;
    case Z.Reset:
      return;
  }
}
