import { describe, expect, it } from 'vitest';
import { conversation, tcp } from '../../tools/craft/index.js';
import { analyzePackets } from './run-packets.js';

const CLIENT = '10.0.0.1:40000';
const SERVER = '10.0.0.2:8080';

/**
 * The conversation's packets and, `seconds` after its last one, a SYN of an unrelated connection: the
 * capture goes on, so a CLOSE_WAIT has been stuck for longer than the slow-close threshold when it ends.
 */
function captureGoesOn(c: ReturnType<typeof conversation>, seconds = 5): ReturnType<typeof conversation>['packets'] {
  const at = c.now + BigInt(Math.round(seconds * 1e9));
  const other = conversation('10.0.0.99:40999', '10.0.0.98:9999', { start: { seconds: Number(at / 1_000_000_000n), nanos: Number(at % 1_000_000_000n) } });
  other.syn();
  return [...c.packets, ...other.packets];
}

/** A connection through the handshake and one request/response, ready for a close scenario. */
function established(options: Parameters<typeof conversation>[2] = {}) {
  const c = conversation(CLIENT, SERVER, options);
  c.syn();
  c.synAck();
  c.ack();
  c.data('a', 120);
  c.ack('b');
  c.data('b', 800);
  c.ack('a');
  return c;
}

describe('orderly closes', () => {
  it('client closes first: orderly, the client holds TIME_WAIT', async () => {
    const c = established();
    c.fin('a');
    c.fin('b');
    c.ack('a');
    const r = (await analyzePackets(c.packets)).stream(0);
    expect(r.verdict).toBe('orderly');
    expect(r.endpoint).toBe('client');
    expect(r.halfClose).toBe(false);
    expect(r.states).toEqual({ client: 'TIME_WAIT', server: 'CLOSED' });
    expect(r.fins.map((f) => [f.from, f.ackFrame !== null])).toEqual([
      ['client', true],
      ['server', true],
    ]);
    expect(r.history).toBe('ShADadFf');
    expect(r.connState).toBe('SF');
  });

  it('server closes first, client keeps sending after the FIN: orderly with halfClose', async () => {
    const c = established();
    c.fin('b');
    c.ack('a');
    c.data('a', 300);
    c.ack('b');
    c.fin('a');
    c.ack('b');
    const r = (await analyzePackets(c.packets)).stream(0);
    expect(r.verdict).toBe('orderly');
    expect(r.endpoint).toBe('server');
    expect(r.halfClose).toBe(true);
  });

  it('FINs that cross in flight are a simultaneous close', async () => {
    const c = established();
    const clientNext = c.nextSeq('a');
    c.fin('a');
    // The server's FIN does not acknowledge the client's FIN: it was sent before that FIN arrived.
    c.fin('b', { ack: clientNext });
    c.ack('a');
    c.ack('b');
    const r = (await analyzePackets(c.packets)).stream(0);
    expect(r.verdict).toBe('simultaneous-close');
    expect(r.endpoint).toBeNull();
  });
});

describe('CLOSE_WAIT', () => {
  it('peer FIN ACKed, no FIN ever: close-wait idle with since and stuck time', async () => {
    const c = established({ start: { seconds: 1700000000, nanos: 0 } });
    c.fin('a', { at: { seconds: 1700000010, nanos: 0 } });
    c.ack('b', { at: { seconds: 1700000010, nanos: 500_000_000 } });
    // Unrelated traffic keeps the capture going for a while.
    const other = conversation('10.0.0.9:40001', '10.0.0.2:9090', { start: { seconds: 1700000070, nanos: 500_000_000 } });
    other.syn();
    const run = await analyzePackets([...c.packets, ...other.packets]);
    const r = run.stream(0);
    expect(r.verdict).toBe('close-wait');
    expect(r.endpoint).toBe('server');
    expect(r.activity).toBe('idle');
    expect(r.since).toBe('2023-11-14T22:13:30.500000000Z');
    expect(r.stuckSeconds).toBe(60);
    expect(r.states.server).toBe('CLOSE_WAIT');
    expect(r.states.client).toBe('FIN_WAIT_2');
    expect(r.evidence).toEqual([8, 9]);
  });

  it('close-wait while still sending is a half-close in progress (activity sending)', async () => {
    const c = established();
    c.fin('a');
    c.ack('b');
    c.data('b', 1000);
    c.ack('a');
    const r = (await analyzePackets(captureGoesOn(c))).stream(0);
    expect(r.verdict).toBe('close-wait');
    expect(r.activity).toBe('sending');
  });

  it('client-side leak: the server FINs, the client ACKs and never closes', async () => {
    const c = established();
    c.fin('b');
    c.ack('a');
    const r = (await analyzePackets(captureGoesOn(c))).stream(0);
    expect(r.verdict).toBe('close-wait');
    expect(r.endpoint).toBe('client');
  });

  it('a CLOSE_WAIT younger than the slow-close threshold when the capture ends is a close in progress, not a finding', async () => {
    const c = established();
    c.fin('b');
    c.ack('a');
    const r = (await analyzePackets(captureGoesOn(c, 0.5))).stream(0);
    expect(r.verdict).toBe('open');
    expect(r.endpoint).toBe('client');
    expect(r.stuckSeconds).toBeGreaterThan(0.4);
    expect(r.explanation).toContain('closing at capture end');
    const strict = (await analyzePackets(captureGoesOn(c, 0.5), { thresholds: { slowCloseSeconds: 0.2, finAckTimeoutSeconds: 1 } })).stream(0);
    expect(strict.verdict).toBe('close-wait');
  });

  it('stuck time runs to the end of the capture, not to the connection\'s last packet', async () => {
    const c = established({ start: { seconds: 1700000000, nanos: 0 } });
    c.fin('b');
    c.ack('a');
    const r = (await analyzePackets(captureGoesOn(c, 30))).stream(0);
    expect(r.verdict).toBe('close-wait');
    expect(r.stuckSeconds).toBe(30);
  });

  it('a FIN ACKed long after, then closed: slow-close with the delay', async () => {
    const c = established();
    c.fin('a');
    c.ack('b');
    c.fin('b', { after: 2.5 });
    c.ack('a');
    const r = (await analyzePackets(c.packets)).stream(0);
    expect(r.verdict).toBe('slow-close');
    expect(r.endpoint).toBe('server');
    expect(r.delaySeconds).toBeCloseTo(2.5, 6);
    const fast = (await analyzePackets(c.packets, { thresholds: { slowCloseSeconds: 5, finAckTimeoutSeconds: 1 } })).stream(0);
    expect(fast.verdict).toBe('orderly');
  });

  it('late FIN answered by a passive RST (peer forgot the connection): late-fin-reset', async () => {
    const c = established();
    c.fin('a');
    c.ack('b');
    c.fin('b', { after: 75 });
    // Linux tcp_v4_send_reset for a segment with ACK: bare RST, seq = its ack, window 0, no options.
    c.rst('a', { flags: 'R', seq: c.nextSeq('a'), ack: 0, window: 0, ts: null, ipId: 0 });
    const r = (await analyzePackets(c.packets)).stream(0);
    expect(r.verdict).toBe('late-fin-reset');
    expect(r.endpoint).toBe('server');
    // From the peer's FIN to its own FIN (the ACK came 1 ms after the FIN).
    expect(r.delaySeconds).toBe(75.001);
    expect(r.resets[0].shape).toBe('passive');
  });
});

describe('resets', () => {
  it('SO_LINGER 0 before anything was received: abortive-close, linger-zero, certain', async () => {
    const c = conversation(CLIENT, SERVER);
    c.syn();
    c.synAck();
    c.ack();
    c.rst('a');
    const r = (await analyzePackets(c.packets)).stream(0);
    expect(r.verdict).toBe('abortive-close');
    expect(r.endpoint).toBe('client');
    expect(r.cause).toBe('linger-zero');
    expect(r.confidence).toBe('certain');
    expect(r.fromState).toBe('ESTABLISHED');
    expect(r.bytesDiscarded).toBe(0);
    expect(r.resets[0].shape).toBe('active');
  });

  it('active RST after replying to the last request: linger-zero, likely', async () => {
    const c = established();
    c.rst('b');
    const r = (await analyzePackets(c.packets)).stream(0);
    expect(r.verdict).toBe('abortive-close');
    expect(r.endpoint).toBe('server');
    expect(r.cause).toBe('linger-zero');
    expect(r.confidence).toBe('likely');
  });

  it('active RST right after receiving data it never answered: linger-zero-or-unread-data', async () => {
    const c = established();
    c.data('a', 64);
    c.rst('b');
    const r = (await analyzePackets(c.packets)).stream(0);
    expect(r.cause).toBe('linger-zero-or-unread-data');
    expect(r.confidence).toBeNull();
  });

  it('abort with data in flight counts the discarded bytes; from CLOSE_WAIT when the peer FINed first', async () => {
    const c = established();
    c.fin('a');
    c.ack('b');
    c.data('b', 500);
    c.rst('b');
    const r = (await analyzePackets(c.packets)).stream(0);
    expect(r.verdict).toBe('abortive-close');
    expect(r.fromState).toBe('CLOSE_WAIT');
    expect(r.bytesDiscarded).toBe(500);
  });

  it('data written after the peer closed is reset: reset-after-close (the keep-alive race)', async () => {
    const c = established();
    c.fin('b');
    c.ack('a');
    c.data('a', 200, { after: 0.01 });
    c.rst('b', { flags: 'R', seq: c.nextSeq('b'), ack: 0, window: 0, ts: null, ipId: 0 });
    const r = (await analyzePackets(c.packets)).stream(0);
    expect(r.verdict).toBe('reset-after-close');
    expect(r.endpoint).toBe('server');
  });

  it('data crossing the FIN is also reset-after-close', async () => {
    const c = established();
    const serverAck = c.nextSeq('a');
    c.data('a', 100);
    c.fin('b', { ack: serverAck });
    c.rst('b', { flags: 'R', seq: c.nextSeq('b'), ack: 0, window: 0, ts: null, ipId: 0 });
    expect((await analyzePackets(c.packets)).stream(0).verdict).toBe('reset-after-close');
  });

  it('SYN answered by RST+ACK seq 0: refused, endpoint server', async () => {
    const c = conversation(CLIENT, SERVER);
    c.syn();
    c.refuse();
    const r = (await analyzePackets(c.packets)).stream(0);
    expect(r.verdict).toBe('refused');
    expect(r.endpoint).toBe('server');
    expect(r.history).toBe('Sr');
    expect(r.connState).toBe('REJ');
  });

  it('a SYN with no answer at all: unanswered', async () => {
    const c = conversation(CLIENT, SERVER);
    c.syn();
    c.syn({ after: 1, advance: false });
    c.syn({ after: 2, advance: false });
    const r = (await analyzePackets(c.packets)).stream(0);
    expect(r.verdict).toBe('unanswered');
    expect(r.endpoint).toBeNull();
    expect(r.explanation).toContain('got no answer from the server 10.0.0.2:8080');
    expect(r.connState).toBe('S0');
  });

  it('bare RST for an unknown connection: reset, no-socket', async () => {
    const c = established();
    c.rst('b', { flags: 'R', seq: c.nextSeq('b'), ack: 0, window: 0, ts: null, ipId: 0 });
    const r = (await analyzePackets(c.packets)).stream(0);
    expect(r.verdict).toBe('reset');
    expect(r.cause).toBe('no-socket');
  });

  it('a RST with a TTL unlike the server: reset, middlebox-suspected', async () => {
    const c = established({ ttlB: 52 });
    c.rst('b', { ttl: 250 });
    const r = (await analyzePackets(c.packets)).stream(0);
    expect(r.verdict).toBe('reset');
    expect(r.cause).toBe('middlebox-suspected');
    expect(r.explanation).toContain('TTL 250');
  });

  it('an active-shaped RST outside the IPv4 ID series, between two of the server packets: middlebox-suspected', async () => {
    const c = established({ ipIdB: 1000 });
    c.rst('b', { ipId: 31337, advance: false });
    c.data('b', 10);
    c.ack('a');
    const r = (await analyzePackets(c.packets)).stream(0);
    expect(r.verdict).toBe('reset');
    expect(r.cause).toBe('middlebox-suspected');
  });

  it('an out-of-window RST is dropped by the receiver and does not decide the verdict', async () => {
    const c = established();
    c.rst('b', { seq: (c.nextSeq('b') + 5_000_000) >>> 0, advance: false, ttl: 250 });
    c.fin('a');
    c.fin('b');
    c.ack('a');
    const r = (await analyzePackets(c.packets)).stream(0);
    expect(r.verdict).toBe('orderly');
    expect(r.resets).toHaveLength(1);
  });

  it('keepalive probes unanswered, then the prober resets: keepalive-timeout', async () => {
    const c = established();
    c.keepalive('a', { after: 7200 });
    c.keepalive('a', { after: 75 });
    c.keepalive('a', { after: 75 });
    c.rst('a', { after: 75 });
    const r = (await analyzePackets(c.packets)).stream(0);
    expect(r.verdict).toBe('keepalive-timeout');
    expect(r.endpoint).toBe('client');
  });

  it('answered keepalives followed by an abort are not a keepalive timeout', async () => {
    const c = established();
    c.keepalive('a', { after: 7200 });
    c.ack('b');
    c.rst('a');
    expect((await analyzePackets(c.packets)).stream(0).verdict).toBe('abortive-close');
  });
});

describe('FIN evidence', () => {
  it('retransmitted FIN never ACKed: fin-unacked, certain; every copy listed, counted once', async () => {
    const c = established();
    c.fin('a');
    c.fin('a', { after: 0.2 });
    c.fin('a', { after: 0.4 });
    const r = (await analyzePackets(c.packets)).stream(0);
    expect(r.verdict).toBe('fin-unacked');
    expect(r.endpoint).toBe('client');
    expect(r.confidence).toBe('certain');
    expect(r.fins.map((f) => f.retransmission)).toEqual([false, true, true]);
    expect(r.fins.every((f) => f.ackFrame === null)).toBe(true);
  });

  it('a FIN storm: the first 32 copies are listed with their times and ACK, the rest counted', async () => {
    const c = established();
    for (let n = 0; n < 40; n++) c.fin('a', { after: 0.25 });
    c.fin('b');
    c.ack('a');
    const packets = c.packets;
    const r = (await analyzePackets(packets)).stream(0);
    expect(r.fins).toHaveLength(32);
    expect(r.fins.map((f) => f.retransmission)).toEqual([false, ...Array<boolean>(31).fill(true)]);
    const firstFinFrame = packets.length - 41;
    expect(r.fins.map((f) => f.frame)).toEqual(Array.from({ length: 32 }, (_, n) => firstFinFrame + n));
    // Every copy was ACKed by the server's FIN (frame packets.length - 1), and times stay exact.
    expect(new Set(r.fins.map((f) => f.ackFrame))).toEqual(new Set([packets.length - 1]));
    const times = r.fins.map((f) => Date.parse(f.time));
    for (let n = 1; n < times.length; n++) expect(times[n] - times[n - 1]).toBe(250);
  });

  it('connections that reuse tracker state start with empty FIN and ladder evidence', async () => {
    const first = established();
    for (let n = 0; n < 10; n++) first.fin('a', { after: 0.1 });
    first.rst('b');
    // Well after the first is judged (5 s grace), a plain orderly close on another port.
    const second = conversation('10.0.0.1:40001', SERVER, { start: 1_700_000_100 });
    second.syn();
    second.synAck();
    second.ack();
    second.fin('a');
    second.ack('b');
    const run = await analyzePackets([...first.packets, ...captureGoesOn(second)]);
    expect(run.stream(0).fins).toHaveLength(10);
    expect(run.stream(0).ladder.length).toBeGreaterThan(0);
    const r = run.stream(1);
    expect(r.verdict).toBe('close-wait');
    expect(r.fins.map((f) => [f.from, f.frame, f.ackFrame])).toEqual([['client', first.packets.length + 4, first.packets.length + 5]]);
    expect(r.ladder.map((p) => p.frame)).toEqual([1, 2, 3, 4, 5].map((n) => first.packets.length + n));
  });

  it('a FIN just before the capture ends without an ACK is only possibly unacked', async () => {
    const c = established();
    c.fin('a');
    const r = (await analyzePackets(c.packets)).stream(0);
    expect(r.verdict).toBe('fin-unacked');
    expect(r.confidence).toBe('possible');
  });

  it('a FIN carrying payload: the FIN sequence number is after the data', async () => {
    const c = established();
    c.fin('a', { payload: 50 });
    c.fin('b');
    c.ack('a');
    const r = (await analyzePackets(c.packets)).stream(0);
    expect(r.verdict).toBe('orderly');
    expect(r.bytes.client).toBe(170);
    expect(r.fins[0].ackFrame).not.toBeNull();
  });

  it('sequence numbers wrapping past 2^32 during the close', async () => {
    const c = established({ isnA: 0xffffff00, isnB: 0xfffffc00 });
    c.data('a', 200);
    c.data('b', 900);
    c.fin('a');
    c.ack('b');
    const r = (await analyzePackets(captureGoesOn(c))).stream(0);
    expect(r.verdict).toBe('close-wait');
    expect(r.bytes).toEqual({ client: 320, server: 1700 });
  });

  it('reordered capture: the ACK of the FIN seen before the FIN still closes properly', async () => {
    const c = established();
    c.fin('a');
    c.fin('b');
    c.ack('a');
    const packets = [...c.packets];
    const n = packets.length;
    // Swap the server FIN and the client's final ACK in capture order (timestamps stay increasing).
    const [finB, lastAck] = [packets[n - 2], packets[n - 1]];
    packets[n - 2] = { ...lastAck, ts: finB.ts };
    packets[n - 1] = { ...finB, ts: lastAck.ts };
    const r = (await analyzePackets(packets)).stream(0);
    expect(r.fins).toHaveLength(2);
    expect(['orderly', 'fin-unacked']).toContain(r.verdict);
    expect(r.endpoint).toBe('client');
  });

  it('capture starting in the middle: roles inferred from ports, close still judged', async () => {
    const c = established();
    c.fin('b');
    c.ack('a');
    const midstream = captureGoesOn(c).slice(5);
    const r = (await analyzePackets(midstream)).stream(0);
    expect(r.client).toBe(CLIENT);
    expect(r.server).toBe(SERVER);
    expect(r.verdict).toBe('close-wait');
    expect(r.endpoint).toBe('client');
    expect(r.roleInferred).toBe(true);
  });

  it('RST carrying payload is still a RST (diagnostic text)', async () => {
    const c = established();
    c.rst('b', { payload: 'connection reset by peer' });
    const r = (await analyzePackets(c.packets)).stream(0);
    expect(r.verdict).toBe('abortive-close');
    expect(r.resets).toHaveLength(1);
  });
});

describe('IPv6', () => {
  it('formats IPv6 endpoints as [addr]:port in RFC 5952 form', async () => {
    const c = conversation('[2001:db8:0:0:0:0:0:1]:40000', '[2001:db8::2]:443');
    c.syn();
    c.synAck();
    c.ack();
    c.fin('b');
    c.ack('a');
    const r = (await analyzePackets(captureGoesOn(c))).stream(0);
    expect(r.client).toBe('[2001:db8::1]:40000');
    expect(r.server).toBe('[2001:db8::2]:443');
    expect(r.verdict).toBe('close-wait');
  });
});

describe('single packets', () => {
  it('one stray RST is a connection of its own', async () => {
    const run = await analyzePackets([{ ts: 1700000000n * 1_000_000_000n, data: tcp({ src: SERVER, dst: CLIENT, flags: 'R', seq: 5 }) }]);
    expect(run.records).toHaveLength(1);
    expect(run.stream(0).verdict).toBe('reset');
  });
});
