import { ACK, FIN, RST, SYN, type TcpSegment } from '../decode/segment.js';
import type { ConnectionStore } from './connection-store.js';
import { addLetter, historyText, Letter, setHistory } from './history-letters.js';
import { C, E, intBase } from './layout.js';
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

/*
 * Zeek's conn.log `history` and `conn_state` for one connection, replayed from headers the way Zeek's
 * TCPSessionAdapter does (docs/research/zeek-history-connstate.md). The endpoint fields live in the
 * connection's block (E.Z*), the history string in the store's per-slot list. Directions are flow
 * directions; Zeek's own originator is C.ZOrigDir. Not modelled: G (content gaps need reassembly),
 * C (checksums), and Zeek's splitting of one 4-tuple into several log lines (it splits on timers and on
 * any SYN after a close; closetrace follows tshark's streams).
 */

export function observeZeek(store: ConnectionStore, slot: number, dir: number, seg: TcpSegment): void {
  const I = store.intsOf(slot);
  const c = intBase(slot);
  const flags = seg.flags;
  // Fast path for the bulk of packets: data or ACKs, no SYN/FIN/RST, both sides already active. Zeek's
  // state machine does nothing for them; only the D/A letters, zero windows and retransmissions matter.
  if ((flags & (SYN | FIN | RST)) === 0 && I[c + C.ZFlipPending] === 0) {
    const e = c + dir;
    const p = c + (dir ^ 1);
    const state = I[e + E.ZState];
    if ((state === Z.Established || state === Z.Partial) && I[p + E.ZState] !== Z.Inactive && I[c + C.ZOrigDir] >= 0) {
      const len = seg.payloadLength;
      const isOrig = dir === I[c + C.ZOrigDir];
      const seen = I[e + E.ZSeen];
      if (len > 0) {
        if ((seen & SEEN_DATA) === 0) check(store, slot, e, isOrig, SEEN_DATA, Letter.D);
      } else if ((flags & ACK) !== 0 && (seen & SEEN_ACK) === 0) {
        check(store, slot, e, isOrig, SEEN_ACK, Letter.A);
      }
      if (seg.window === 0 && I[p + E.ZState] !== Z.Closed) zeroWindow(store, slot, e, isOrig);
      const end = (seg.seq + len) | 0;
      const delta = (end - I[e + E.ZLastSeq]) | 0;
      if (delta > 0) {
        I[e + E.ZSize] += len < delta ? len : delta;
        I[e + E.ZLastSeq] = end;
      } else if (len > 0) {
        updateLastSeq(store, slot, e, isOrig, seg, false, false, false, len);
      }
      return;
    }
  }
  if (I[c + C.ZOrigDir] < 0) chooseOriginator(store, slot, dir, seg);
  else if (I[c + C.ZFlipPending] !== 0 && ((flags & ACK) !== 0 || seg.payloadLength > 0) && (flags & SYN) === 0) flipAsIfAtStart(store, slot);
  const e = c + dir;
  const p = c + (dir ^ 1);
  const isOrig = dir === I[c + C.ZOrigDir];
  const syn = (flags & SYN) !== 0;
  const ack = (flags & ACK) !== 0;
  const fin = (flags & FIN) !== 0;
  const rst = (flags & RST) !== 0;
  const len = seg.payloadLength;
  const state = I[e + E.ZState];

  // init_endpoint: the first packet fixes the start sequence (a SYN's own, else seq - 1).
  if (state === Z.Inactive) initStart(I, e, syn ? seg.seq : (seg.seq - 1) | 0);
  else if (syn && state !== Z.Reset && state !== Z.Closed && seg.seq !== I[e + E.ZStartSeq]) initStart(I, e, seg.seq);
  else if (syn && state === Z.Reset && I[e + E.ZPrevState] === Z.Inactive) initStart(I, e, seg.seq);
  const relSeq = (seg.seq - I[e + E.ZStartSeq]) | 0;

  updateHistory(store, slot, e, isOrig, flags, relSeq, len);
  // update_window: a zero window (scaling keeps zero at zero), unless resetting or the peer has closed.
  if (seg.window === 0 && !rst && I[e + E.ZState] !== Z.Reset && I[p + E.ZState] !== Z.Closed) zeroWindow(store, slot, e, isOrig);
  // init_peer: the first ACK seen while the peer is inactive fixes the peer's start sequence.
  if (ack && I[p + E.ZState] === Z.Inactive) initStart(I, p, (seg.ack - 1) | 0);
  updateLastSeq(store, slot, e, isOrig, seg, syn, fin, rst, len);
  updateState(store, slot, e, p, isOrig, syn, ack, fin, rst, len);
}

/** conn_state as main.zeek computes it from the final endpoint states. */
export function zeekConnState(store: ConnectionStore, slot: number): string {
  const I = store.intsOf(slot);
  const c = intBase(slot);
  const origDir = I[c + C.ZOrigDir];
  if (origDir < 0) return 'OTH';
  const o = c + origDir;
  const r = c + (origDir ^ 1);
  const os = I[o + E.ZState];
  const rs = I[r + E.ZState];
  const oInactive = os === Z.Inactive || os === Z.Partial;
  const rInactive = rs === Z.Inactive || rs === Z.Partial;
  if (rs === Z.Reset) {
    if (os === Z.SynSent || os === Z.SynAckSent || (os === Z.Reset && I[o + E.ZSize] === 0 && I[r + E.ZSize] === 0)) return 'REJ';
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
  const I = store.intsOf(slot);
  if (++I[e + E.ZZeroWindows] === I[e + E.ZZeroWindowThreshold]) {
    add(store, slot, isOrig, Letter.W);
    I[e + E.ZZeroWindowThreshold] *= 10;
  }
}

function setState(I: Int32Array, e: number, state: Z): void {
  I[e + E.ZPrevState] = I[e + E.ZState];
  I[e + E.ZState] = state;
}

function initStart(I: Int32Array, e: number, seq: number): void {
  I[e + E.ZStartSeq] = seq;
  I[e + E.ZLastSeq] = seq;
}

/**
 * IPBasedAnalyzer::NewConn / TCPAnalyzer::WantConnection: the first packet's sender originates, unless
 * that packet is not a pure SYN and comes from a likely server port (towards a port that is not one,
 * or, both being server ports, from the lower one and not a SYN/ACK).
 */
function chooseOriginator(store: ConnectionStore, slot: number, dir: number, seg: TcpSegment): void {
  const I = store.intsOf(slot);
  const c = intBase(slot);
  const flags = seg.flags;
  const pureSyn = (flags & (SYN | ACK)) === SYN;
  const synAck = (flags & (SYN | ACK)) === (SYN | ACK);
  const srcLikely = ZEEK_LIKELY_SERVER_PORTS.has(seg.srcPort);
  const dstLikely = ZEEK_LIKELY_SERVER_PORTS.has(seg.dstPort);
  const flip = !pureSyn && srcLikely && (!dstLikely || (!synAck && seg.srcPort < seg.dstPort));
  I[c + C.ZOrigDir] = flip ? dir ^ 1 : dir;
  if (flip) addLetter(store, slot, Letter.Caret, false);
  else if (synAck) I[c + C.ZFlipPending] = 1;
}

/** Zeek >= 5.1 flips a connection that began with a SYN/ACK; the log reads as if flipped at creation. */
function flipAsIfAtStart(store: ConnectionStore, slot: number): void {
  const I = store.intsOf(slot);
  const c = intBase(slot);
  I[c + C.ZFlipPending] = 0;
  I[c + C.ZOrigDir] ^= 1;
  let swapped = '^';
  for (const ch of historyText(store, slot)) swapped += ch === ch.toUpperCase() ? ch.toLowerCase() : ch.toUpperCase();
  setHistory(store, slot, swapped);
}

/** Session::CheckHistory with the responder's letters in lower case and its own seen-bits. */
function check(store: ConnectionStore, slot: number, e: number, isOrig: boolean, mask: number, letter: Letter): boolean {
  const I = store.intsOf(slot);
  if ((I[e + E.ZSeen] & mask) !== 0) return true;
  I[e + E.ZSeen] |= mask;
  add(store, slot, isOrig, letter);
  return false;
}

function add(store: ConnectionStore, slot: number, isOrig: boolean, letter: Letter): void {
  addLetter(store, slot, letter, !isOrig);
}

/** TCPSessionAdapter::update_history. */
function updateHistory(store: ConnectionStore, slot: number, e: number, isOrig: boolean, flags: number, relSeq: number, len: number): void {
  const I = store.intsOf(slot);
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
      if (check(store, slot, e, isOrig, SEEN_SYN, letter) && relSeq !== I[e + E.ZLastSyn]) add(store, slot, isOrig, letter);
      I[e + E.ZLastSyn] = relSeq;
    }
    if (fin) {
      const end = (relSeq + len) | 0;
      if (check(store, slot, e, isOrig, SEEN_FIN, Letter.F) && end !== I[e + E.ZLastFin]) add(store, slot, isOrig, Letter.F);
      I[e + E.ZLastFin] = end;
    }
    if (rst) {
      if (check(store, slot, e, isOrig, SEEN_RST, Letter.R) && relSeq !== I[e + E.ZLastRst]) add(store, slot, isOrig, Letter.R);
      I[e + E.ZLastRst] = relSeq;
    }
    return;
  }
  // Each of D and A appears once per direction: test the seen-bit before calling out.
  if (len > 0) {
    if ((I[e + E.ZSeen] & SEEN_DATA) === 0) check(store, slot, e, isOrig, SEEN_DATA, Letter.D);
  } else if ((flags & ACK) !== 0 && (I[e + E.ZSeen] & SEEN_ACK) === 0) {
    check(store, slot, e, isOrig, SEEN_ACK, Letter.A);
  }
}

/** update_last_seq: data that does not advance the highest sequence seen is a retransmission (T). */
function updateLastSeq(store: ConnectionStore, slot: number, e: number, isOrig: boolean, seg: TcpSegment, syn: boolean, fin: boolean, rst: boolean, len: number): void {
  const I = store.intsOf(slot);
  const segLength = (rst ? 0 : len) + (syn ? 1 : 0) + (fin ? 1 : 0);
  const end = (seg.seq + segLength) | 0;
  const delta = (end - I[e + E.ZLastSeq]) | 0;
  if (delta <= 0 && len > 0) {
    const jump = (syn || rst) && Math.abs(delta) > RXMIT_JUMP_LIMIT;
    const finAfterSyn = fin && I[e + E.ZLastSeq] === ((I[e + E.ZStartSeq] + 1) | 0);
    if (!jump && !finAfterSyn && I[e + E.ZState] !== Z.Reset && ++I[e + E.ZRxmits] === I[e + E.ZRxmitThreshold]) {
      add(store, slot, isOrig, Letter.T);
      I[e + E.ZRxmitThreshold] *= 10;
    }
  } else if (delta > 0) {
    if (!rst) I[e + E.ZSize] += Math.max(0, Math.min(len, delta));
    I[e + E.ZLastSeq] = end;
  }
}

/** UpdateStateMachine, dispatched on the sender's state. */
function updateState(store: ConnectionStore, slot: number, e: number, p: number, isOrig: boolean, syn: boolean, ack: boolean, fin: boolean, rst: boolean, len: number): void {
  const I = store.intsOf(slot);
  const c = intBase(slot);
  switch (I[e + E.ZState]) {
    case Z.Inactive:
      if (syn) {
        if (isOrig) setState(I, e, ack ? Z.SynAckSent : Z.SynSent);
        else {
          if (!ack && I[p + E.ZState] === Z.SynAckSent) {
            // SYN/SYN-ACK reversal: the "originator" only answered; swap roles (FlipRoles adds ^).
            I[c + C.ZOrigDir] ^= 1;
            addLetter(store, slot, Letter.Caret, false);
            setState(I, p, Z.Established);
          }
          if (I[p + E.ZState] === Z.SynSent) setState(I, p, Z.Established);
          setState(I, e, Z.Established);
        }
      }
      if (fin) setState(I, e, Z.Closed);
      if (rst) setState(I, e, Z.Reset);
      if (!syn && !fin && !rst) {
        const origState = I[c + I[c + C.ZOrigDir] + E.ZState];
        if (!isOrig && len === 0 && origState === Z.SynSent) return;
        if (ack && I[p + E.ZState] === Z.Established) setState(I, e, Z.Established);
        else setState(I, e, Z.Partial);
      }
      return;
    case Z.SynSent:
    case Z.SynAckSent:
      if (fin) setState(I, e, Z.Closed);
      if (rst) setState(I, e, Z.Reset);
      return;
    case Z.Established:
    case Z.Partial:
      if (syn && !ack && I[e + E.ZState] === Z.Partial && I[p + E.ZState] === Z.Inactive) setState(I, e, Z.SynSent);
      if (fin && !rst) {
        setState(I, e, Z.Closed);
        // "FIN then RST" from the peer still counts as a normal close.
        if (I[p + E.ZState] === Z.Reset && I[p + E.ZPrevState] === Z.Closed) setState(I, p, Z.Closed);
      }
      if (rst) setState(I, e, Z.Reset);
      return;
    case Z.Closed:
      // After a complete FIN exchange a RST adds its letter but changes no state.
      if (rst && I[p + E.ZState] !== Z.Closed) setState(I, e, Z.Reset);
      return;
    case Z.Reset:
      return;
  }
}
