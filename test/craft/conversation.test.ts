import { describe, expect, it } from 'vitest';
import { conversation, ether, mergeByTime, seqAfter, TCP_FLAG, toNanos, type ConversationPacket } from '../../tools/craft/index.js';

const F = TCP_FLAG;
/** Reads seq/ack/flags/TTL back out of the crafted IPv4 bytes rather than trusting the record. */
function wire(p: ConversationPacket): { seq: number; ack: number; flags: number; ttl: number; id: number; len: number; tsVal?: number; tsEcr?: number } {
  const b = p.data;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const hl = (b[0] & 15) * 4;
  const doff = (b[hl + 12] >> 4) * 4;
  const out = { seq: v.getUint32(hl + 4), ack: v.getUint32(hl + 8), flags: v.getUint16(hl + 12) & 0xfff, ttl: b[8], id: v.getUint16(4), len: v.getUint16(2) - hl - doff };
  for (let i = hl + 20; i < hl + doff; ) {
    if (b[i] === 0) break;
    if (b[i] === 1) {
      i++;
      continue;
    }
    if (b[i] === 8) return { ...out, tsVal: v.getUint32(i + 2), tsEcr: v.getUint32(i + 6) };
    i += b[i + 1];
  }
  return out;
}

describe('conversation', () => {
  it('tracks sequence and acknowledgment numbers through a whole connection', () => {
    const c = conversation('10.0.0.1:40000', '10.0.0.2:80', { isnA: 100, isnB: 5000 });
    const seen = [
      c.syn(),
      c.synAck(),
      c.ack(),
      c.data('a', 100),
      c.ack('b'),
      c.data('b', 1000),
      c.fin('b'),
      c.ack('a'),
      c.fin('a'),
      c.ack('b'),
    ].map(wire);
    expect(seen.map((s) => [s.seq, s.ack, s.flags, s.len])).toEqual([
      [100, 0, F.SYN, 0],
      [5000, 101, F.SYN | F.ACK, 0],
      [101, 5001, F.ACK, 0],
      [101, 5001, F.PSH | F.ACK, 100],
      [5001, 201, F.ACK, 0],
      [5001, 201, F.PSH | F.ACK, 1000],
      [6001, 201, F.FIN | F.ACK, 0],
      [201, 6002, F.ACK, 0],
      [201, 6002, F.FIN | F.ACK, 0],
      [6002, 202, F.ACK, 0],
    ]);
    expect(c.nextSeq('a')).toBe(202);
    expect(c.nextSeq('b')).toBe(6002);
  });

  it('wraps sequence numbers past 2^32', () => {
    const c = conversation('10.0.0.1:40000', '10.0.0.2:80', { isnA: 0xffffff00, isnB: 0xfffffffe });
    c.syn();
    c.synAck();
    c.ack();
    const d = wire(c.data('a', 0x200));
    expect(d.seq).toBe(0xffffff01);
    const a = wire(c.ack('b'));
    expect(a.ack).toBe(0x101);
    expect(a.seq).toBe(0xffffffff);
    expect(wire(c.data('b', 10)).seq).toBe(0xffffffff);
    expect(wire(c.ack('a')).ack).toBe(9);
    expect(seqAfter(5, 0xfffffff0)).toBe(true);
  });

  it('retransmits a FIN at its first sequence number, and FIN with payload counts both', () => {
    const c = conversation('10.0.0.1:1', '10.0.0.2:2', { isnA: 0, isnB: 0 });
    c.syn();
    c.synAck();
    c.ack();
    const first = wire(c.fin('a', { payload: 10 }));
    expect(first.len).toBe(10);
    expect(first.flags).toBe(F.FIN | F.ACK);
    expect(wire(c.ack('b')).ack).toBe(12);
    const again = c.fin('a', { after: 0.2, payload: 10 });
    expect(wire(again).seq).toBe(first.seq);
    expect(c.nextSeq('a')).toBe(12);
    const exact = c.retransmit(again, { after: 0.4 });
    expect(exact.data.subarray(20, 28)).toEqual(again.data.subarray(20, 28));
    expect(wire(exact).id).not.toBe(wire(again).id);
  });

  it('sends RSTs: abortive with ACK (optionally with payload), refused with sequence 0, bare without timestamps', () => {
    const c = conversation('10.0.0.1:1', '10.0.0.2:2', { isnA: 1000, isnB: 7 });
    c.syn();
    const refused = wire(c.refuse());
    expect([refused.seq, refused.ack, refused.flags, refused.tsVal]).toEqual([0, 1001, F.RST | F.ACK, undefined]);
    const d = conversation('10.0.0.1:1', '10.0.0.2:2', { isnA: 1000, isnB: 7 });
    d.syn();
    d.synAck();
    d.ack();
    const abort = wire(d.rst('b', { payload: 'reason' }));
    expect([abort.seq, abort.ack, abort.flags, abort.len]).toEqual([8, 1001, F.RST | F.ACK, 6]);
    expect(abort.tsVal).toBeDefined();
    const bare = wire(d.rst('a', { flags: 'R', ttl: 250, ipId: 0 }));
    expect([bare.seq, bare.ack, bare.flags, bare.ttl, bare.id, bare.tsVal]).toEqual([1001, 0, F.RST, 250, 0, undefined]);
  });

  it('sends keep-alives one below the next sequence number without moving it', () => {
    const c = conversation('10.0.0.1:1', '10.0.0.2:2', { isnA: 0, isnB: 0 });
    c.syn();
    c.synAck();
    c.ack();
    c.data('a', 5);
    const probe = wire(c.keepalive('a', { after: 75 }));
    expect([probe.seq, probe.len]).toEqual([5, 0]);
    expect(wire(c.keepalive('a', { payload: 1 })).len).toBe(1);
    expect(c.nextSeq('a')).toBe(6);
  });

  it('starts mid-stream when data comes first', () => {
    const c = conversation('10.0.0.1:1', '10.0.0.2:2', { isnA: 500, isnB: 900 });
    const d = wire(c.data('b', 10));
    expect([d.seq, d.ack, d.flags]).toEqual([900, 500, F.PSH | F.ACK]);
  });

  it('echoes the peer timestamp, counts IP ids per side and scales windows after the SYN', () => {
    const c = conversation('10.0.0.1:1', '10.0.0.2:2', { ipIdA: 10, ipIdB: 20, windowA: 64256, windowScale: 7, start: 1000 });
    const syn = wire(c.syn());
    const synAck = wire(c.synAck({ after: 0.005 }));
    const ack = wire(c.ack());
    expect(syn.tsEcr).toBe(0);
    expect(synAck.tsEcr).toBe(syn.tsVal);
    expect(ack.tsEcr).toBe(synAck.tsVal);
    expect(ack.tsVal! - syn.tsVal!).toBe(6);
    expect([syn.id, synAck.id, ack.id]).toEqual([10, 20, 11]);
    expect(new DataView(c.packets[2].data.buffer).getUint16(20 + 14)).toBe(502);
  });

  it('places packets at given times and frames them with the link function', () => {
    const c = conversation('10.0.0.1:1', '10.0.0.2:2', { start: { seconds: 1700000000, nanos: 5 }, gap: 2n, link: (p) => ether(p, { vlans: [7] }) });
    c.syn();
    c.synAck();
    c.ack('a', { at: { seconds: 1700000001, nanos: 0 } });
    c.data('a', 1, { after: 0.5 });
    expect(c.packets.map((p) => p.ts)).toEqual([1700000000000000005n, 1700000000000000007n, 1700000001000000000n, 1700000001500000000n]);
    expect(c.packets[0].data[12]).toBe(0x81);
    const d = conversation('10.0.0.3:1', '10.0.0.2:2', { start: { seconds: 1700000000, nanos: 6 } });
    d.syn();
    const merged = mergeByTime(c.packets, d.packets);
    expect(merged.map((p) => toNanos(p.ts) % 1000n)).toEqual([5n, 6n, 7n, 0n, 0n]);
  });

  it('leaves state alone for packets sent with advance: false (reordering, duplicates)', () => {
    const c = conversation('10.0.0.1:1', '10.0.0.2:2', { isnA: 0, isnB: 0 });
    c.syn();
    c.synAck();
    c.ack();
    const later = c.data('a', 10, { seq: 11, advance: false });
    c.data('a', 10);
    expect(wire(later).seq).toBe(11);
    expect(c.nextSeq('a')).toBe(11);
    c.data('a', 10, { seq: 11 });
    expect(c.nextSeq('a')).toBe(21);
    c.data('a', 5, { seq: 1 }); // an old retransmission does not move it back
    expect(c.nextSeq('a')).toBe(21);
  });
});
