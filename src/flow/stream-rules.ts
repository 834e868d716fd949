import { ACK, SYN, type TcpSegment } from '../decode/segment.js';

/**
 * The per-endpoint base sequence numbers tshark keeps for a conversation (packet-tcp.c `base_seq`);
 * index 0 is endpoint A (the flow's first source), 1 is B.
 */
export interface StreamBases {
  base0Set: boolean;
  base0: number;
  base1Set: boolean;
  base1: number;
}

/**
 * tshark 4.0 starts a new conversation (a new `tcp.stream`) for a 4-tuple only on a SYN without ACK whose
 * sequence number differs from the base already recorded for its sender; FINs, RSTs and time do not
 * matter (docs/research/tshark-tcp-stream.md sections 3-4). Quoted headers in ICMP errors split too.
 */
export function splitsStream(bases: StreamBases, direction: number, seg: TcpSegment): boolean {
  if ((seg.flags & (SYN | ACK)) !== SYN) return false;
  return direction === 0 ? bases.base0Set && seg.seq !== bases.base0 : bases.base1Set && seg.seq !== bases.base1;
}

/**
 * Updates the bases after the split check: a SYN/ACK with another sequence number re-bases its sender;
 * the first segment from an endpoint sets its base (its ISN, or seq - 1), and the first ACK sets the
 * peer's (ack - 1). Headers quoted in ICMP errors, unreassembled fragments and broken headers never set
 * a base.
 */
export function updateBases(bases: StreamBases, direction: number, seg: TcpSegment, setsBase: boolean): void {
  const flags = seg.flags;
  const syn = (flags & SYN) !== 0;
  const ack = (flags & ACK) !== 0;
  if (syn && ack) {
    if (direction === 0 && bases.base0Set && seg.seq !== bases.base0) bases.base0 = seg.seq;
    else if (direction === 1 && bases.base1Set && seg.seq !== bases.base1) bases.base1 = seg.seq;
  }
  if (!setsBase) return;
  const own = syn ? seg.seq : (seg.seq - 1) | 0;
  const peer = (seg.ack - 1) | 0;
  if (direction === 0) {
    if (!bases.base0Set) {
      bases.base0Set = true;
      bases.base0 = own;
    }
    if (ack && !bases.base1Set) {
      bases.base1Set = true;
      bases.base1 = peer;
    }
  } else {
    if (!bases.base1Set) {
      bases.base1Set = true;
      bases.base1 = own;
    }
    if (ack && !bases.base0Set) {
      bases.base0Set = true;
      bases.base0 = peer;
    }
  }
}

/**
 * tshark dissects a TCP header, and gives it a `tcp.stream`, only when at least its first 16 bytes were
 * captured; closetrace still tracks one cut after 14 (ports, seq, ack, flags: window unknown, -1).
 * A flow seen only through such headers has no tshark stream (stream -1), so every other flow keeps
 * the number tshark gives it.
 */
export function numberedByTshark(seg: TcpSegment): boolean {
  return seg.window >= 0;
}
