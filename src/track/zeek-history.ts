import { ACK, FIN, RST, SYN, type TcpSegment } from '../decode/segment.js';
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

class ZeekEndpoint {
  state: Z = Z.Inactive;
  prevState: Z = Z.Inactive;
  startSeq = 0;
  lastSeq = 0;
  seen = 0;
  lastSyn = 0;
  lastFin = 0;
  lastRst = 0;
  rxmits = 0;
  rxmitThreshold = 1;
  zeroWindows = 0;
  zeroWindowThreshold = 1;
  size = 0;

  set(state: Z): void {
    this.prevState = this.state;
    this.state = state;
  }
}

/**
 * Zeek's conn.log `history` and `conn_state` for one connection, replayed from headers the way Zeek's
 * TCPSessionAdapter does (docs/research/zeek-history-connstate.md). Indexes are flow directions; Zeek's
 * own originator is `origDir`. Not modelled: G (content gaps need reassembly), C (checksums), and
 * Zeek's splitting of one 4-tuple into several log lines (it splits on timers and on any SYN after a
 * close; closetrace follows tshark's streams).
 */
export class ZeekHistory {
  history = '';
  /** Flow direction of Zeek's originator, or -1 before the first packet. */
  origDir = -1;
  private readonly ends = [new ZeekEndpoint(), new ZeekEndpoint()];
  /** Started with a SYN/ACK and not flipped yet: Zeek (>= 5.1) flips once an ACK or data follows. */
  private flipPending = false;

  observe(dir: number, seg: TcpSegment): void {
    const flags = seg.flags;
    if (this.origDir < 0) this.chooseOriginator(dir, seg);
    else if (this.flipPending && ((flags & ACK) !== 0 || seg.payloadLength > 0) && (flags & SYN) === 0) this.flipAsIfAtStart();
    const e = this.ends[dir];
    const p = this.ends[dir ^ 1];
    const isOrig = dir === this.origDir;
    const syn = (flags & SYN) !== 0;
    const ack = (flags & ACK) !== 0;
    const fin = (flags & FIN) !== 0;
    const rst = (flags & RST) !== 0;
    const len = seg.payloadLength;

    // init_endpoint: the first packet fixes the start sequence (a SYN's own, else seq - 1).
    if (e.state === Z.Inactive) this.initStart(e, syn ? seg.seq : (seg.seq - 1) >>> 0);
    else if (syn && e.state !== Z.Reset && e.state !== Z.Closed && seg.seq !== e.startSeq) this.initStart(e, seg.seq);
    else if (syn && e.state === Z.Reset && e.prevState === Z.Inactive) this.initStart(e, seg.seq);
    const relSeq = (seg.seq - e.startSeq) >>> 0;

    this.updateHistory(e, isOrig, flags, relSeq, len);
    // update_window: a zero window (scaling keeps zero at zero), unless resetting or the peer has closed.
    if (seg.window === 0 && !rst && e.state !== Z.Reset && p.state !== Z.Closed) {
      if (++e.zeroWindows === e.zeroWindowThreshold) {
        this.add(isOrig, 'W');
        e.zeroWindowThreshold *= 10;
      }
    }
    // init_peer: the first ACK seen while the peer is inactive fixes the peer's start sequence.
    if (ack && p.state === Z.Inactive) this.initStart(p, (seg.ack - 1) >>> 0);
    this.updateLastSeq(e, isOrig, seg, syn, fin, rst, len);
    this.updateState(e, p, isOrig, seg, syn, ack, fin, rst, len);
  }

  /** conn_state as main.zeek computes it from the final endpoint states. */
  connState(): string {
    if (this.origDir < 0) return 'OTH';
    const o = this.ends[this.origDir];
    const r = this.ends[this.origDir ^ 1];
    const os = o.state;
    const rs = r.state;
    const oInactive = os === Z.Inactive || os === Z.Partial;
    const rInactive = rs === Z.Inactive || rs === Z.Partial;
    if (rs === Z.Reset) {
      if (os === Z.SynSent || os === Z.SynAckSent || (os === Z.Reset && o.size === 0 && r.size === 0)) return 'REJ';
      return oInactive ? 'RSTRH' : 'RSTR';
    }
    if (os === Z.Reset) {
      if (rInactive) return /^\^?S[^HAFGIQ]*R.*/.test(this.history) ? 'RSTOS0' : 'OTH';
      return 'RSTO';
    }
    if (rs === Z.Closed && os === Z.Closed) return 'SF';
    if (os === Z.Closed) return rInactive ? 'SH' : 'S2';
    if (rs === Z.Closed) return oInactive ? 'SHR' : 'S3';
    if (os === Z.SynSent && rs === Z.Inactive) return 'S0';
    if (os === Z.Established && rs === Z.Established) return 'S1';
    return 'OTH';
  }

  /**
   * IPBasedAnalyzer::NewConn / TCPAnalyzer::WantConnection: the first packet's sender originates, unless
   * that packet is not a pure SYN and comes from a likely server port (towards a port that is not one,
   * or, both being server ports, from the lower one and not a SYN/ACK).
   */
  private chooseOriginator(dir: number, seg: TcpSegment): void {
    const flags = seg.flags;
    const pureSyn = (flags & (SYN | ACK)) === SYN;
    const synAck = (flags & (SYN | ACK)) === (SYN | ACK);
    const srcLikely = ZEEK_LIKELY_SERVER_PORTS.has(seg.srcPort);
    const dstLikely = ZEEK_LIKELY_SERVER_PORTS.has(seg.dstPort);
    const flip = !pureSyn && srcLikely && (!dstLikely || (!synAck && seg.srcPort < seg.dstPort));
    this.origDir = flip ? dir ^ 1 : dir;
    if (flip) this.history = '^';
    else if (synAck) this.flipPending = true;
  }

  /** Zeek >= 5.1 flips a connection that began with a SYN/ACK; the log reads as if flipped at creation. */
  private flipAsIfAtStart(): void {
    this.flipPending = false;
    this.origDir ^= 1;
    let swapped = '^';
    for (const ch of this.history) swapped += ch === ch.toUpperCase() ? ch.toLowerCase() : ch.toUpperCase();
    this.history = swapped;
  }

  private initStart(e: ZeekEndpoint, seq: number): void {
    e.startSeq = seq;
    e.lastSeq = seq;
  }

  /** Session::CheckHistory with the responder's letters in lower case and its own seen-bits. */
  private check(e: ZeekEndpoint, isOrig: boolean, mask: number, letter: string): boolean {
    if ((e.seen & mask) !== 0) return true;
    e.seen |= mask;
    this.add(isOrig, letter);
    return false;
  }

  private add(isOrig: boolean, letter: string): void {
    this.history += isOrig ? letter : letter.toLowerCase();
  }

  /** TCPSessionAdapter::update_history. */
  private updateHistory(e: ZeekEndpoint, isOrig: boolean, flags: number, relSeq: number, len: number): void {
    const syn = (flags & SYN) !== 0;
    const fin = (flags & FIN) !== 0;
    const rst = (flags & RST) !== 0;
    const count = (syn ? 1 : 0) + (fin ? 1 : 0) + (rst ? 1 : 0);
    if (count > 1) {
      if (fin && rst) this.check(e, isOrig, SEEN_FIN_RST, 'I');
      else this.check(e, isOrig, SEEN_MULTI_FLAG, 'Q');
      return;
    }
    if (count === 1) {
      if (syn) {
        const letter = (flags & ACK) !== 0 ? 'H' : 'S';
        if (this.check(e, isOrig, SEEN_SYN, letter) && relSeq !== e.lastSyn) this.add(isOrig, letter);
        e.lastSyn = relSeq;
      }
      if (fin) {
        const end = (relSeq + len) >>> 0;
        if (this.check(e, isOrig, SEEN_FIN, 'F') && end !== e.lastFin) this.add(isOrig, 'F');
        e.lastFin = end;
      }
      if (rst) {
        if (this.check(e, isOrig, SEEN_RST, 'R') && relSeq !== e.lastRst) this.add(isOrig, 'R');
        e.lastRst = relSeq;
      }
      return;
    }
    if (len > 0) this.check(e, isOrig, SEEN_DATA, 'D');
    else if ((flags & ACK) !== 0) this.check(e, isOrig, SEEN_ACK, 'A');
  }

  /** update_last_seq: data that does not advance the highest sequence seen is a retransmission (T). */
  private updateLastSeq(e: ZeekEndpoint, isOrig: boolean, seg: TcpSegment, syn: boolean, fin: boolean, rst: boolean, len: number): void {
    const segLength = (rst ? 0 : len) + (syn ? 1 : 0) + (fin ? 1 : 0);
    const end = (seg.seq + segLength) >>> 0;
    const delta = (end - e.lastSeq) | 0;
    if (delta <= 0 && len > 0) {
      const jump = (syn || rst) && Math.abs(delta) > RXMIT_JUMP_LIMIT;
      const finAfterSyn = fin && e.lastSeq === ((e.startSeq + 1) >>> 0);
      if (!jump && !finAfterSyn && e.state !== Z.Reset && ++e.rxmits === e.rxmitThreshold) {
        this.add(isOrig, 'T');
        e.rxmitThreshold *= 10;
      }
    } else if (delta > 0) {
      if (!rst) e.size += Math.max(0, Math.min(len, delta));
      e.lastSeq = end;
    }
  }

  /** UpdateStateMachine, dispatched on the sender's state. */
  private updateState(e: ZeekEndpoint, p: ZeekEndpoint, isOrig: boolean, seg: TcpSegment, syn: boolean, ack: boolean, fin: boolean, rst: boolean, len: number): void {
    switch (e.state) {
      case Z.Inactive:
        if (syn) {
          if (isOrig) e.set(ack ? Z.SynAckSent : Z.SynSent);
          else {
            if (!ack && p.state === Z.SynAckSent) {
              // SYN/SYN-ACK reversal: the "originator" only answered; swap roles (FlipRoles adds ^).
              this.origDir ^= 1;
              this.history += '^';
              p.set(Z.Established);
            }
            if (p.state === Z.SynSent) p.set(Z.Established);
            e.set(Z.Established);
          }
        }
        if (fin) e.set(Z.Closed);
        if (rst) e.set(Z.Reset);
        if (!syn && !fin && !rst) {
          const origEndpoint = this.ends[this.origDir];
          if (!isOrig && len === 0 && origEndpoint.state === Z.SynSent) return;
          if (ack && p.state === Z.Established) e.set(Z.Established);
          else e.set(Z.Partial);
        }
        return;
      case Z.SynSent:
      case Z.SynAckSent:
        if (fin) e.set(Z.Closed);
        if (rst) e.set(Z.Reset);
        return;
      case Z.Established:
      case Z.Partial:
        if (syn && !ack && e.state === Z.Partial && p.state === Z.Inactive) e.set(Z.SynSent);
        if (fin && !rst) {
          e.set(Z.Closed);
          // "FIN then RST" from the peer still counts as a normal close.
          if (p.state === Z.Reset && p.prevState === Z.Closed) p.set(Z.Closed);
        }
        if (rst) e.set(Z.Reset);
        return;
      case Z.Closed:
        // After a complete FIN exchange a RST adds its letter but changes no state.
        if (rst && p.state !== Z.Closed) e.set(Z.Reset);
        return;
      case Z.Reset:
        return;
    }
  }
}
