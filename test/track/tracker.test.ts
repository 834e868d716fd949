/**
 * The tracker (src/track/tracker.ts) driven one segment at a time, without a capture: what each rule of
 * replaySegment() does to the two endpoints, read back through ConnectionView. After `established()`,
 * A's next sequence number is 101 and B's 501 (frames 1-3 are the handshake).
 */
import { describe, expect, it } from 'vitest';
import { LADDER_CLOSE } from '../../src/track/connection-layout.js';
import { A, B, established, Replay } from './replay.js';

describe('a normal close', () => {
  it('moves each side through the RFC 9293 states, one segment at a time', () => {
    // Rule: every segment becomes events for its sender and its peer, and nextState() moves them.
    const w = new Replay();
    const steps: [string, () => void][] = [
      ['A SYN', () => w.send(A, 'S', { seq: 100 })],
      ['B SYN,ACK', () => w.send(B, 'SA', { seq: 500, ack: 101 })],
      ['A ACK', () => w.send(A, 'A', { seq: 101, ack: 501 })],
      ['A FIN', () => w.send(A, 'FA', { seq: 101, ack: 501 })],
      ['B ACK of the FIN', () => w.send(B, 'A', { seq: 501, ack: 102 })],
      ['B FIN', () => w.send(B, 'FA', { seq: 501, ack: 102 })],
      ['A ACK of the FIN', () => w.send(A, 'A', { seq: 102, ack: 502 })],
    ];
    const seen = steps.map(([label, step]) => {
      step();
      return [label, ...w.states(), w.over];
    });
    expect(seen).toEqual([
      ['A SYN', 'SYN_SENT', 'LISTEN', false],
      ['B SYN,ACK', 'SYN_SENT', 'SYN_RECEIVED', false],
      ['A ACK', 'ESTABLISHED', 'ESTABLISHED', false],
      ['A FIN', 'FIN_WAIT_1', 'ESTABLISHED', false],
      ['B ACK of the FIN', 'FIN_WAIT_2', 'CLOSE_WAIT', false],
      ['B FIN', 'FIN_WAIT_2', 'LAST_ACK', false],
      ['A ACK of the FIN', 'TIME_WAIT', 'CLOSED', true],
    ]);
  });

  it('records who sent each FIN, which frame ACKed it, and the facts the verdicts read', () => {
    // Rule: FIN facts (sent, ACKed, ACKed the peer's) are kept apart from the state, with their frames.
    const w = established();
    w.send(A, 'FA', { seq: 101, ack: 501 }); // 4
    w.send(B, 'A', { seq: 501, ack: 102 }); // 5
    w.send(B, 'FA', { seq: 501, ack: 102 }); // 6
    w.send(A, 'A', { seq: 102, ack: 502 }); // 7
    const [a, b] = w.conn.ends;
    expect([a.finFrame, a.finAckFrame, b.ackedPeerFinFrame]).toEqual([4, 5, 5]);
    expect([b.finFrame, b.finAckFrame, a.ackedPeerFinFrame]).toEqual([6, 7, 7]);
    expect([a.finInferred, b.finInferred, a.finCarriedAck, w.conn.finsCrossed]).toEqual([false, false, true, false]);
    expect([a.wasTimeWait, b.wasCloseWait, b.wasTimeWait]).toEqual([true, true, false]);
    expect(w.conn.fins.map((f) => [f.frame, f.from, f.ackFrame, f.retransmission])).toEqual([
      [4, A, 5, false],
      [6, B, 7, false],
    ]);
  });
});

describe('a FIN the capture missed', () => {
  it('is inferred from the peer ACKing one past everything seen from its sender', () => {
    // Rule: an ACK of exactly nextSeq + 1 from a side with no FIN proves that side's FIN.
    const w = established();
    w.send(B, 'A', { seq: 501, ack: 102 }); // 4: A's FIN (seq 101) was not captured
    const a = w.conn.ends[A];
    expect([a.finSeen, a.finInferred, a.finFrame, a.finProofFrame, a.finAcked, a.finAckFrame]).toEqual([true, true, 0, 4, true, 4]);
    expect(w.states()).toEqual(['FIN_WAIT_2', 'CLOSE_WAIT']);
    expect(w.conn.fins).toEqual([]);
    w.send(B, 'FA', { seq: 501, ack: 102 });
    w.send(A, 'A', { seq: 102, ack: 502 });
    expect(w.states()).toEqual(['TIME_WAIT', 'CLOSED']);
    expect(w.over).toBe(true);
  });

  it('is inferred from its sender\'s next segment starting one past everything seen from it', () => {
    // Rule: an empty segment at nextSeq + 1 (no SYN, no FIN) steps over the sender's missed FIN.
    const w = established();
    w.send(A, 'A', { seq: 102, ack: 501 }); // 4: after a FIN at 101 that was not captured
    const a = w.conn.ends[A];
    expect([a.finSeen, a.finInferred, a.finProofFrame, a.finAcked, a.gaps, a.nextSeq]).toEqual([true, true, 4, false, 0, 102]);
    expect(w.states()).toEqual(['FIN_WAIT_1', 'ESTABLISHED']);
    w.send(B, 'A', { seq: 501, ack: 102 });
    expect(w.states()).toEqual(['FIN_WAIT_2', 'CLOSE_WAIT']);
  });

  it('is a gap, not a FIN, when the sender\'s next segment is further ahead or carries data', () => {
    // Rule: only an empty segment exactly one past infers a FIN; anything else counts a gap.
    const w = established();
    w.send(A, 'A', { seq: 103, ack: 501 });
    w.send(A, 'PA', { seq: 120, ack: 501, len: 5 });
    const a = w.conn.ends[A];
    expect([a.finSeen, a.gaps]).toEqual([false, 2]);
    expect(w.states()).toEqual(['ESTABLISHED', 'ESTABLISHED']);
  });

  it('is retracted when its sender then sends data over that sequence number', () => {
    // Rule: data beyond an inferred FIN's sequence number shows it was data: FinRetracted / PeerFinRetracted.
    const w = established();
    w.send(B, 'A', { seq: 501, ack: 102 }); // 4: looks like A's FIN was ACKed
    expect(w.states()).toEqual(['FIN_WAIT_2', 'CLOSE_WAIT']);
    w.send(A, 'PA', { seq: 101, ack: 501, len: 10 }); // 5: but A goes on sending from 101
    const [a, b] = w.conn.ends;
    expect([a.finSeen, a.finInferred, a.finAcked, a.finProofFrame, a.finAckFrame]).toEqual([false, false, false, 0, 0]);
    expect([b.ackedPeerFin, b.ackedPeerFinFrame]).toEqual([false, 0]);
    expect(w.states()).toEqual(['ESTABLISHED', 'ESTABLISHED']);
    expect(a.nextSeq).toBe(111);
  });

  it('is retracted from LAST_ACK back to CLOSE_WAIT when the sender had already received the peer\'s FIN', () => {
    // Rule: FinRetracted undoes only SendFin; the peer's FIN stays received.
    const w = established();
    w.send(B, 'FA', { seq: 501, ack: 101 }); // 4
    w.send(A, 'A', { seq: 101, ack: 502 }); // 5: A in CLOSE_WAIT
    w.send(A, 'A', { seq: 102, ack: 502 }); // 6: one past: A's FIN inferred, not yet ACKed
    expect(w.states()).toEqual(['LAST_ACK', 'FIN_WAIT_2']);
    w.send(A, 'PA', { seq: 102, ack: 502, len: 20 }); // 7: data over 101 after all
    expect(w.states()).toEqual(['CLOSE_WAIT', 'FIN_WAIT_2']);
    expect(w.conn.ends[A].finSeen).toBe(false);
  });

  it('is retracted even after its ACK closed the sender (LAST_ACK to CLOSED), and the connection goes on', () => {
    // Rule: CLOSED without a RST was the inferred FIN's doing: undoing it puts the side back in CLOSE_WAIT.
    const w = established();
    w.send(B, 'FA', { seq: 501, ack: 101 }); // 4: B closes first
    w.send(A, 'A', { seq: 101, ack: 502 }); // 5: A in CLOSE_WAIT
    w.send(B, 'A', { seq: 502, ack: 102 }); // 6: B ACKs one past A's data: A's FIN inferred and ACKed
    expect([...w.states(), w.over]).toEqual(['CLOSED', 'TIME_WAIT', true]);
    w.send(A, 'PA', { seq: 101, ack: 502, len: 10 }); // 7: that was data after all
    expect([...w.states(), w.over]).toEqual(['CLOSE_WAIT', 'FIN_WAIT_2', false]);
    expect(w.conn.ends[A].finSeen).toBe(false);
  });

  it('gives back the sequence number it took, so the data sent over it counts in full', () => {
    // Rule: a retracted FIN's sequence number is data's again (nextSeq back to it).
    const w = established();
    w.send(B, 'A', { seq: 501, ack: 102 }); // 4: A's FIN inferred
    w.send(A, 'PA', { seq: 101, ack: 501, len: 10 }); // 5: ten bytes from 101
    expect(w.conn.ends[A].payloadBytes).toBe(10);
  });

  it('becomes a real FIN when it turns up late in a capture out of order, keeping its ACK', () => {
    // Rule: a FIN arriving at exactly the inferred sequence number confirms the inference (an ACK seen before its FIN).
    const w = established(); // frames 1-3 at 0.01-0.03 s
    w.send(B, 'A', { seq: 501, ack: 102, at: 0.05, frame: 5 }); // the ACK, captured first
    w.send(A, 'FA', { seq: 101, ack: 501, at: 0.04, frame: 4 }); // the FIN it covers, sent earlier
    const a = w.conn.ends[A];
    expect([a.finSeen, a.finInferred, a.finFrame, a.finAcked, a.finAckFrame]).toEqual([true, false, 4, true, 5]);
    expect(w.conn.fins.map((f) => [f.frame, f.ackFrame, f.retransmission])).toEqual([[4, 5, false]]);
    expect(w.states()).toEqual(['FIN_WAIT_2', 'CLOSE_WAIT']);
  });
});

describe('what the capture missed, and what it holds twice', () => {
  it('counts data the peer ACKed unseen and moves the sender\'s sequence space on', () => {
    // Rule: an ACK beyond nextSeq + 1 is data the capture missed (tshark: ACKed unseen segment).
    const w = established();
    w.send(B, 'A', { seq: 501, ack: 201 });
    let a = w.conn.ends[A];
    expect([a.ackedUnseen, a.nextSeq, a.finSeen, a.payloadBytes]).toEqual([1, 201, false, 0]);
    // The missing bytes turning up late count once; what follows counts as new, with no gap.
    w.send(A, 'PA', { seq: 101, ack: 501, len: 100 });
    w.send(A, 'PA', { seq: 201, ack: 501, len: 50 });
    w.send(A, 'PA', { seq: 201, ack: 501, len: 50 }); // a retransmission: no new bytes
    a = w.conn.ends[A];
    expect([a.payloadBytes, a.payloadPackets, a.gaps, a.nextSeq]).toEqual([150, 3, 0, 251]);
    // A FIN is inferred from the new sequence space, not the old one.
    w.send(B, 'A', { seq: 501, ack: 252 });
    expect([a.finInferred, a.ackedUnseen]).toEqual([true, 1]);
  });

  it('ignores a frame captured twice but counts it, and keeps a duplicated FIN as evidence', () => {
    // Rule: the same segment again within 1 ms is one frame captured twice (duplicates), not a retransmission.
    const w = established();
    w.send(A, 'PA', { seq: 101, ack: 501, len: 10 }); // 4
    w.again(); // 5
    const packets = w.conn.packets;
    w.send(A, 'FA', { seq: 111, ack: 501 }); // 6
    w.again(); // 7
    const a = w.conn.ends[A];
    expect([a.duplicates, a.payloadBytes, a.payloadPackets, a.finCopies]).toEqual([2, 10, 1, 0]);
    expect([packets, w.conn.packets]).toEqual([4, 5]);
    expect(w.conn.finSegments).toBe(2);
    expect(w.conn.fins.map((f) => [f.frame, f.retransmission])).toEqual([
      [6, false],
      [7, true],
    ]);
    expect(w.states()).toEqual(['FIN_WAIT_1', 'ESTABLISHED']);
  });

  it('counts the same segment later than 1 ms as a retransmission', () => {
    // Rule: beyond the duplicate window a copy is the sender retransmitting (finCopies), not the capture.
    const w = established();
    w.send(A, 'FA', { seq: 101, ack: 501 });
    w.again(0.2);
    const a = w.conn.ends[A];
    expect([a.duplicates, a.finCopies]).toEqual([0, 1]);
    expect(w.conn.fins.map((f) => f.retransmission)).toEqual([false, true]);
  });
});

describe('a same-ISN SYN after a RST', () => {
  it('reopens the connection: a new incarnation, the old RST kept as history', () => {
    // Rule: tshark keeps a retried SYN (same ISN) after a RST in the same stream; the endpoints start over.
    const w = new Replay();
    w.send(A, 'S', { seq: 100 }); // 1
    w.send(B, 'RA', { seq: 0, ack: 101, window: 0, options: 0 }); // 2: refused
    expect(w.states()).toEqual(['CLOSED', 'CLOSED']);
    expect(w.over).toBe(true);
    w.send(A, 'S', { seq: 100, at: 1 }); // 3: tried again
    expect(w.conn.reopenFrame).toBe(3);
    expect(w.states()).toEqual(['SYN_SENT', 'LISTEN']);
    expect(w.over).toBe(false);
    w.send(B, 'SA', { seq: 700, ack: 101 });
    w.send(A, 'A', { seq: 101, ack: 701 });
    expect(w.states()).toEqual(['ESTABLISHED', 'ESTABLISHED']);
    expect([w.conn.resets.length, w.conn.ends[B].sentRst]).toEqual([1, false]);
  });

  it('does not reopen it with another ISN', () => {
    // Rule: only the same ISN is a retry of the same connection.
    const w = new Replay();
    w.send(A, 'S', { seq: 100 });
    w.send(B, 'RA', { seq: 0, ack: 101, window: 0, options: 0 });
    w.send(A, 'S', { seq: 9000, at: 1 });
    expect(w.conn.reopenFrame).toBe(0);
    expect(w.over).toBe(true);
  });
});

describe('keepalive probes', () => {
  it('are counted until the peer answers, and not as data or gaps', () => {
    // Rule: RFC 9293 3.8.4: a probe re-sends SND.NXT - 1 with 0 or 1 byte; any segment from the peer answers it.
    const w = established();
    w.send(A, 'PA', { seq: 101, ack: 501, len: 10 }); // 4
    w.send(B, 'A', { seq: 501, ack: 111 }); // 5
    w.send(A, 'A', { seq: 110, ack: 501, at: 7200 }); // 6: probe
    w.send(A, 'A', { seq: 110, ack: 501, len: 1, at: 7275 }); // 7: probe carrying the last byte again
    expect(w.u16('unansweredKeepalives', A)).toBe(2);
    const a = w.conn.ends[A];
    expect([a.payloadPackets, a.payloadBytes, a.gaps, a.nextSeq]).toEqual([1, 10, 0, 111]);
    w.send(B, 'A', { seq: 501, ack: 111 }); // 8: answered
    expect(w.u16('unansweredKeepalives', A)).toBe(0);
    w.send(A, 'A', { seq: 110, ack: 501, at: 14_475 }); // 9
    w.send(A, 'RA', { seq: 111, ack: 501, at: 14_550 }); // 10: the prober gives up
    expect(w.conn.resets.map((r) => [r.unansweredKeepalives, r.firstUnansweredKeepaliveFrame])).toEqual([[1, 9]]);
  });
});

describe('RSTs', () => {
  it('a RST inside the receiver\'s window closes both sides', () => {
    // Rule: RFC 9293 3.10.7: an acceptable RST deletes the receiver's TCB (and its sender's).
    const w = established();
    w.send(B, 'RA', { seq: 501 + 502, ack: 101 }); // at the edge of A's window (502, no window scale)
    expect(w.conn.resets.map((r) => [r.acceptable, r.outsideWindow])).toEqual([[true, false]]);
    expect(w.states()).toEqual(['CLOSED', 'CLOSED']);
    expect(w.conn.ends[B].sentRst).toBe(true);
    expect(w.over).toBe(true);
  });

  it('a RST outside the receiver\'s window is recorded but moves no state', () => {
    // Rule: RFC 9293 3.10.7 / RFC 5961 3.2: a RST outside RCV.NXT .. RCV.NXT + RCV.WND is dropped.
    const w = established();
    w.send(B, 'RA', { seq: 501 + 503, ack: 101 });
    expect(w.conn.resets.map((r) => [r.acceptable, r.outsideWindow])).toEqual([[false, true]]);
    expect(w.states()).toEqual(['ESTABLISHED', 'ESTABLISHED']);
  });

  it('in SYN_SENT, only a RST that ACKs the SYN counts', () => {
    // Rule: RFC 9293 3.10.7.3: in SYN-SENT a RST is acceptable only with ISS < SEG.ACK <= SND.NXT.
    const bare = new Replay();
    bare.send(A, 'S', { seq: 100 });
    bare.send(B, 'R', { seq: 0, window: 0, options: 0 });
    expect([bare.conn.resets[0].acceptable, bare.state(A)]).toEqual([false, 'SYN_SENT']);
    const acking = new Replay();
    acking.send(A, 'S', { seq: 100 });
    acking.send(B, 'RA', { seq: 0, ack: 101, window: 0, options: 0 });
    expect([acking.conn.resets[0].acceptable, acking.state(A)]).toEqual([true, 'CLOSED']);
  });

  it('a RST+ACK at the sender\'s own next sequence number with window and options is active, a bare one passive', () => {
    // Rule: the shape tells an aborting socket (active) from a host answering for no socket (passive).
    const active = established();
    active.send(A, 'RA', { seq: 101, ack: 501 });
    const passive = established();
    passive.send(A, 'R', { seq: 101, window: 0, options: 0 });
    expect([active.conn.resets[0].shape, passive.conn.resets[0].shape]).toEqual(['active', 'passive']);
    expect(active.conn.resets[0].atSenderNextSeq).toBe(true);
  });
});

describe('a header cut before its window', () => {
  it('leaves the stored window as it was', () => {
    // Rule: window -1 means the snap length cut the header: the last known window stands.
    const w = established();
    w.send(A, 'A', { seq: 101, ack: 501, window: 1000 });
    expect(w.u16('window', A)).toBe(1000);
    w.send(A, 'PA', { seq: 101, ack: 501, len: 10, window: -1 });
    expect(w.u16('window', A)).toBe(1000);
    expect(w.conn.ends[A].payloadBytes).toBe(10);
  });
});

describe('the close block', () => {
  const blockOf = (w: Replay): number => w.store.closeOf(w.slot);

  it('is not taken while the connection only carries data; the first FIN takes it', () => {
    // Rule: CLOSE's fields live in a block taken at the close, so a connection that never closes does not carry them.
    const w = established();
    w.send(A, 'PA', { seq: 101, ack: 501, len: 100 });
    w.send(B, 'A', { seq: 501, ack: 201 });
    expect(blockOf(w)).toBe(0);
    expect(w.conn.ends[A].finTime).toBe(0);
    w.send(A, 'FA', { seq: 201, ack: 501 });
    expect(blockOf(w)).toBeGreaterThan(0);
    expect(w.conn.ends[A].finFrame).toBe(w.frame);
    expect(w.conn.ladder.at(-1)?.frame).toBe(w.frame);
  });

  it('is taken for a FIN inferred from an ACK, which carries no FIN flag', () => {
    const w = established();
    w.send(B, 'A', { seq: 501, ack: 102 });
    expect(blockOf(w)).toBeGreaterThan(0);
    expect(w.conn.ends[A].finInferred).toBe(true);
    expect(w.conn.ends[A].finProofFrame).toBe(w.frame);
  });

  it('is taken by a RST, and given back, with the evidence lists, when the slot is released', () => {
    const w = established();
    w.send(B, 'R', { seq: 501 });
    const block = blockOf(w);
    expect(block).toBeGreaterThan(0);
    expect(w.conn.resets).toHaveLength(1);
    w.store.release(w.slot);
    expect(blockOf(w)).toBe(0);
    // The next connection to close reuses it, with CLOSE's initial values.
    w.store.open(w.slot);
    expect(w.conn.resets).toHaveLength(0);
    expect(w.conn.ends[B].closedTime).toBe(0);
  });

  it('holds the close\'s first ladder packets; the rest, up to LADDER_CLOSE, go to an overflow list given back at release', () => {
    // Rule: most closes take four packets (FIN, ACK, FIN, ACK), which the block holds; a long close spills over.
    const w = established();
    const before = w.conn.ladder.length;
    w.send(A, 'FA', { seq: 101, ack: 501 });
    const closeFrames = [w.frame];
    for (let n = 0; n < 15; n++) {
      w.send(B, 'PA', { seq: 501 + n * 10, ack: 102, len: 10 });
      closeFrames.push(w.frame);
    }
    const ladder = w.conn.ladder;
    expect(ladder.length - before).toBe(LADDER_CLOSE);
    expect(ladder.slice(before).map((p) => p.frame)).toEqual(closeFrames.slice(0, LADDER_CLOSE));
    expect(ladder.slice(before).map((p) => p.seq)).toEqual([101, ...Array.from({ length: LADDER_CLOSE - 1 }, (_, n) => 501 + n * 10)]);
    expect(w.store.ladderOverflow.used).toBe(1);
    // Released with the block, the overflow list is the next long close's, written afresh.
    w.store.release(w.slot);
    expect(w.store.ladderOverflow.used).toBe(0);
    w.store.open(w.slot);
    w.send(A, 'S', { seq: 100 });
    w.send(B, 'SA', { seq: 500, ack: 101 });
    w.send(A, 'A', { seq: 101, ack: 501 });
    const reopened = w.frame;
    w.send(B, 'FA', { seq: 501, ack: 101 });
    for (let n = 0; n < LADDER_CLOSE; n++) w.send(A, 'PA', { seq: 101 + n, ack: 502, len: 1 });
    const close = w.conn.ladder.filter((p) => p.frame > reopened);
    expect(close.map((p) => p.seq)).toEqual([501, ...Array.from({ length: LADDER_CLOSE - 1 }, (_, n) => 101 + n)]);
  });
});
