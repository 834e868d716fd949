/**
 * Packets that arrive after a connection's verdict (a RST storm on a dead 4-tuple, a FIN or RST after
 * the grace period) stay in the connection's tshark stream and are listed in its record (`late`),
 * without changing the verdict; records of streams that can still get packets are held, within a
 * bounded window of judged connections.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { buildPcap, LINKTYPE, tcp, type CapturedPacket } from '../../tools/craft/index.js';
import { run } from '../cli/run-cli.js';
import { tempDir } from '../support/temp-dir.js';
import { newSegment } from '../../src/decode/segment.js';
import { LateRecords } from '../../src/engine/late-records.js';
import { MAX_EVENTS } from '../../src/track/connection-store.js';
import type { ConnectionRecord } from '../../src/verdict/types.js';
import { record } from '../report/fixtures.js';
import { analyzePackets } from './run-packets.js';

const T0 = 1700000000n * 1_000_000_000n;
const MS = 1_000_000n;
const S = 1_000_000_000n;
const A = '10.0.0.1:41000';
const B = '10.0.0.2:80';

/** An orderly close (client first) in frames 1-7, then `after` at the given offsets from the start. */
function closeThen(after: { at: bigint; data: Uint8Array }[]): CapturedPacket[] {
  const close = [
    tcp({ src: A, dst: B, flags: 'S', seq: 1000 }),
    tcp({ src: B, dst: A, flags: 'SA', seq: 5000, ack: 1001 }),
    tcp({ src: A, dst: B, flags: 'A', seq: 1001, ack: 5001 }),
    tcp({ src: A, dst: B, flags: 'FA', seq: 1001, ack: 5001 }),
    tcp({ src: B, dst: A, flags: 'A', seq: 5001, ack: 1002 }),
    tcp({ src: B, dst: A, flags: 'FA', seq: 5001, ack: 1002 }),
    tcp({ src: A, dst: B, flags: 'A', seq: 1002, ack: 5002 }),
  ].map((data, i) => ({ ts: T0 + BigInt(i) * MS, data }));
  return [...close, ...after.map((p) => ({ ts: T0 + p.at, data: p.data }))];
}

describe('packets after the verdict', () => {
  it('extend the record (frames, packets, FINs, RSTs) but not the verdict', async () => {
    const run = await analyzePackets(
      closeThen([
        // The server's FIN again, 10 s later (its last ACK was lost), then the client's kernel, whose
        // TIME_WAIT socket... has gone: a bare RST; then a RST storm on the dead 4-tuple.
        { at: 10n * S, data: tcp({ src: B, dst: A, flags: 'FA', seq: 5001, ack: 1002 }) },
        { at: 10n * S + MS, data: tcp({ src: A, dst: B, flags: 'R', seq: 1002, window: 0, ts: null }) },
        { at: 70n * S, data: tcp({ src: A, dst: B, flags: 'R', seq: 1002, window: 0, ts: null }) },
      ]),
    );
    expect(run.records).toHaveLength(1);
    const r = run.stream(0);
    expect(r.verdict).toBe('orderly');
    expect(r.endpoint).toBe('client');
    expect([r.firstFrame, r.lastFrame, r.packets]).toEqual([1, 10, 10]);
    expect(r.packetsSent).toEqual({ client: 6, server: 4 });
    expect(r.late).toEqual({ firstFrame: 8, packets: 3, fins: 1, resets: 2 });
    expect(r.fins.map((f) => [f.frame, f.from, f.retransmission])).toEqual([
      [4, 'client', false],
      [6, 'server', false],
      [8, 'server', true],
    ]);
    expect(r.resets.map((x) => [x.frame, x.from, x.shape, x.ack])).toEqual([
      [9, 'client', 'passive', null],
      [10, 'client', 'passive', null],
    ]);
    expect(r.end.startsWith('2023-11-14T22:14:30.')).toBe(true);
    expect(r.explanation).toContain('3 more packets (2 RSTs, 1 FIN) of this stream arrived after the verdict (frames 8-10): listed here, not part of it.');
    expect(run.facts.warnings.some((w) => w.startsWith('3 packets arrived for connections already judged'))).toBe(true);
  });

  it('a storm longer than the evidence lists is counted whole and listed up to their size', async () => {
    const storm = Array.from({ length: 50 }, (_, i) => ({ at: BigInt(10 + i * 60) * S, data: tcp({ src: A, dst: B, flags: 'R', seq: 1002, window: 0, ts: null }) }));
    const r = (await analyzePackets(closeThen(storm))).stream(0);
    expect(r.late).toEqual({ firstFrame: 8, packets: 50, fins: 0, resets: 50 });
    expect(r.resets).toHaveLength(MAX_EVENTS);
    expect([r.lastFrame, r.packets]).toEqual([57, 57]);
  });
});

describe('LateRecords', () => {
  const seg = (frame: number, flags: number): ReturnType<typeof newSegment> => Object.assign(newSegment(), { frame, flags, seconds: 1714557700, nanos: 0 });

  it('holds records of streams that can get late packets, amends them, and delivers them in judging order', () => {
    const delivered: ConnectionRecord[] = [];
    const late = new LateRecords(4, (r) => delivered.push(r));
    const r0 = record({ stream: 0, lastFrame: 6, packets: 6 });
    const r1 = record({ stream: 1, lastFrame: 8, packets: 2 });
    const r2 = record({ stream: 2 });
    late.offer(0, r0, 0, 6, true, true);
    late.offer(1, r1, 1, 6, true, true);
    // Not retired (capture end, port reuse): delivered at once.
    late.offer(2, r2, 0, 6, true, false);
    expect(delivered.map((r) => r.stream)).toEqual([2]);
    late.late(1, 0, seg(20, 0x04));
    late.late(7, 0, seg(21, 0x04));
    late.forget(1);
    expect(delivered.map((r) => r.stream)).toEqual([2, 1]);
    expect(r1.late).toEqual({ firstFrame: 20, packets: 1, fins: 0, resets: 1 });
    // Direction 0 is the flow's A; the client of stream 1 is B.
    expect(r1.resets[0].from).toBe('server');
    expect(r1.packetsSent).toEqual({ client: 4, server: 3 });
    expect([r1.lastFrame, r1.packets]).toEqual([20, 3]);
    late.flush();
    expect(delivered.map((r) => r.stream)).toEqual([2, 1, 0]);
    expect(r0.late).toBeNull();
    expect(late.size).toBe(0);
  });

  it('keeps a window of the latest judged connections, whether they had a record or not', () => {
    const delivered: number[] = [];
    const late = new LateRecords(3, (r) => delivered.push(r.stream));
    const kept = record({ stream: 0 });
    late.offer(0, null, 0, 6, false, true);
    late.offer(1, record({ stream: 1 }), 0, 6, true, true);
    late.offer(2, kept, 0, 6, false, true);
    late.offer(3, null, 0, 6, false, true);
    // Stream 1 left the window when stream 4 was judged (three later ones: 2, 3, 4).
    late.offer(4, null, 0, 6, false, true);
    expect(delivered).toEqual([1]);
    late.late(1, 0, seg(30, 0x04));
    late.late(2, 0, seg(31, 0x01));
    expect(kept.late).toEqual({ firstFrame: 31, packets: 1, fins: 1, resets: 0 });
    // Held without delivery (someone else keeps it): amended in place, explained when let go, never delivered.
    late.flush();
    expect(delivered).toEqual([1]);
    expect(kept.explanation).toMatch(/1 more packet \(1 FIN\) of this stream arrived after the verdict \(frame 31\)/);
  });

  it('with no window, hands every record on at once', () => {
    const delivered: number[] = [];
    const late = new LateRecords(0, (r) => delivered.push(r.stream));
    late.offer(5, record({ stream: 5 }), 0, 6, true, true);
    expect(delivered).toEqual([5]);
    expect(late.size).toBe(0);
  });
});

describe('packets after the verdict, through the command line', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());
  const packets = closeThen([
    { at: 10n * S, data: tcp({ src: B, dst: A, flags: 'FA', seq: 5001, ack: 1002 }) },
    { at: 10n * S + MS, data: tcp({ src: A, dst: B, flags: 'R', seq: 1002, window: 0, ts: null }) },
  ]);
  const whole = tmp.write('late.pcap', buildPcap(packets, { linkType: LINKTYPE.RAW, precision: 'nano' }));
  const copy = tmp.write('late-copy.pcap', buildPcap(packets, { linkType: LINKTYPE.RAW, precision: 'nano' }));
  // The same capture rotated after the close: the late packets are in the second part.
  const part1 = tmp.write('part1.pcap', buildPcap(packets.slice(0, 7), { linkType: LINKTYPE.RAW, precision: 'nano' }));
  const part2 = tmp.write('part2.pcap', buildPcap(packets.slice(7), { linkType: LINKTYPE.RAW, precision: 'nano' }));
  const lateOf = (c: { late: unknown; lastFrame: number; packets: number }): unknown => [c.late, c.lastFrame, c.packets];
  const expected = [{ firstFrame: 8, packets: 2, fins: 1, resets: 1 }, 9, 9];

  it('JSON on stdout and to a file (records kept on disk), ndjson and CSV show them', () => {
    const out = tmp.path('report.json');
    expect(run(['--all', '--format', 'json', '-o', out, whole]).status).toBe(0);
    const spilled = JSON.parse(readFileSync(out, 'utf8')) as { connections: { late: unknown; lastFrame: number; packets: number }[] };
    expect(spilled.connections.map(lateOf)).toEqual([expected]);
    const stdout = JSON.parse(run(['--all', '--format', 'json', whole]).stdout) as typeof spilled;
    expect(stdout.connections.map(lateOf)).toEqual([expected]);
    const lines = run(['--all', '--format', 'ndjson', whole]).stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; late: unknown; lastFrame: number; packets: number });
    expect(lines.filter((l) => l.type === 'connection').map(lateOf)).toEqual([expected]);
    // CSV also goes through the on-disk record store. (The listing of table, markdown and HTML, which
    // builds records while reading, is held equal to rendering every record in bounded-output.test.ts.)
    expect(run(['--all', '--format', 'csv', whole]).stdout).toContain('2 more packets (1 RST, 1 FIN) of this stream arrived after the verdict (frames 8-9)');
  });

  it('with two workers and in a joined (rotated) set', () => {
    const parallel = JSON.parse(run(['--all', '--format', 'json', '--jobs', '2', whole, copy]).stdout) as { connections: { late: unknown; lastFrame: number; packets: number }[] };
    expect(parallel.connections.map(lateOf)).toEqual([expected, expected]);
    const joined = JSON.parse(run(['--all', '--format', 'json', '--join', part1, part2]).stdout) as { connections: { late: unknown; lastFrame: number; packets: number; sources: { frame: number; file: string }[] }[] };
    expect(joined.connections.map(lateOf)).toEqual([expected]);
    // The late frames are found in the second file.
    expect(joined.connections[0].sources.filter((x) => x.frame >= 8).map((x) => [x.frame, x.file])).toEqual([
      [8, part2],
      [9, part2],
    ]);
  });
});
