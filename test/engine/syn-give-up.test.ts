/**
 * A connection of SYNs nobody answered is over once the client's connect() has failed (Linux gives up
 * 127 s after the first SYN, tcp_syn_retries 6): it is judged then, not kept to the capture's end, so a
 * long capture of SYNs to a dead host does not hold every one of them in memory.
 */
import { describe, expect, it } from 'vitest';
import { conversation, mergeByTime, type ConversationPacket } from '../../tools/craft/index.js';
import { DEFAULT_FLOW_OPTIONS } from '../../src/flow/flow-assembler.js';
import { DEFAULT_SOCKET_SETTINGS } from '../../src/sockets/socket-table.js';
import { LINUX_TIMERS } from '../../src/sockets/socket-timers.js';
import { analyzePackets } from './run-packets.js';

/** Stream 0: a connection that stays open and busy until `until` seconds (the capture's clock). */
function busy(until: number): ConversationPacket[] {
  const c = conversation('10.0.0.1:40000', '10.0.0.2:80', { start: 0 });
  c.syn();
  c.synAck();
  c.ack();
  for (let t = 10; t <= until; t += 10) {
    c.data('a', 10, { at: t });
    c.ack('b');
  }
  return c.packets;
}

/** Stream 1: SYNs at the given seconds, never answered unless `answerAt` is given. */
function attempts(times: number[], answerAt?: number): ConversationPacket[] {
  const c = conversation('10.0.0.3:50000', '10.0.0.9:8080');
  const first = c.syn({ at: times[0] });
  for (const t of times.slice(1)) c.retransmit(first, { at: t });
  if (answerAt !== undefined) c.synAck({ at: answerAt });
  return c.packets;
}

/** Linux's SYN retransmissions: 1, 2, 4, ... 32 s apart, the last 63 s after the first. */
const LINUX_SYNS = [5, 6, 8, 12, 20, 36, 68];

describe('unanswered SYNs after the SYN retry schedule', () => {
  it('are judged 127 s after the latest SYN, not at capture end', async () => {
    const run = await analyzePackets(mergeByTime(busy(400), attempts(LINUX_SYNS)));
    const syn = run.stream(1);
    expect(syn.verdict).toBe('unanswered');
    expect(syn.endReason).toBe('finished');
    expect(syn.packetsSent).toEqual({ client: 7, server: 0 });
    expect(run.stream(0).endReason).toBe('capture-end');
    expect(run.facts.connections).toBe(2);
  });

  it('a SYN sent again later keeps the connection until 127 s after it', async () => {
    // Not Linux's schedule (a client that retries every 100 s on the same port): still one connection.
    const run = await analyzePackets(mergeByTime(busy(400), attempts([5, 105, 205])));
    expect(run.stream(1).packetsSent).toEqual({ client: 3, server: 0 });
    expect(run.stream(1).endReason).toBe('finished');
    expect(run.stream(1).late).toBeNull();
  });

  it('an answer after the client gave up is a late packet of the same stream', async () => {
    const run = await analyzePackets(mergeByTime(busy(400), attempts(LINUX_SYNS, 300)));
    const syn = run.stream(1);
    expect(syn.verdict).toBe('unanswered');
    expect(syn.late).toMatchObject({ packets: 1 });
    expect(run.facts.connections).toBe(2);
  });

  it('a clock jump is not silence: the answer that comes with it still counts', async () => {
    // Timestamps that leap (a bad pcapng timestamp resolution, captures merged with an offset): the
    // SYN/ACK is stamped years after the SYN. tshark and the verdict take it as the answer.
    const c = conversation('10.0.0.3:50000', '10.0.0.9:8080');
    c.syn({ at: 5 });
    c.synAck({ at: 5 + 1e9 });
    c.ack();
    c.fin('a');
    c.fin('b');
    c.ack('a');
    const run = await analyzePackets(c.packets);
    expect(run.stream(0).verdict).toBe('orderly');
    expect(run.stream(0).late).toBeNull();
  });

  it('wait as long as --syn-retries says', async () => {
    const sockets = { ...DEFAULT_SOCKET_SETTINGS, timers: { ...LINUX_TIMERS, synRetrySeconds: 1000 } };
    const run = await analyzePackets(mergeByTime(busy(400), attempts(LINUX_SYNS)), { sockets });
    expect(run.stream(1).endReason).toBe('capture-end');
  });

  it('a capture shorter than the schedule judges them at its end, as before', async () => {
    const run = await analyzePackets(mergeByTime(busy(150), attempts(LINUX_SYNS)));
    expect(run.stream(1).endReason).toBe('capture-end');
    expect(run.stream(1).verdict).toBe('unanswered');
  });

  it('the flow stage and the socket table share the default (tcp_syn_retries 6)', () => {
    expect(DEFAULT_FLOW_OPTIONS.synGiveUpSeconds).toBe(LINUX_TIMERS.synRetrySeconds);
  });
});
