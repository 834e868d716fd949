import { describe, expect, it } from 'vitest';
import { ladderOf } from '../../src/render/ladder-rows.js';
import { ladderText } from '../../src/render/ladder-text.js';
import { displayWidth } from '../../src/render/text-width.js';
import type { LadderStep } from '../../src/verdict/types.js';
import { ladderRecords, LONG_IPV6_CLIENT, LONG_IPV6_SERVER, record } from './fixtures.js';

describe('ladderText', () => {
  it('draws a close-wait: the peer FIN, the ACK, then silence until the capture ends', () => {
    const lines = ladderText(ladderRecords().closeWaitIdle);
    expect(lines[0]).toMatch(/^ +time +frame +client 127\.0\.0\.1:40005 +server 127\.0\.0\.1:5005$/);
    expect(lines).toContainEqual(expect.stringMatching(/^ +0\.000 ms +13 +\|-+ \[S\] seq 0 len 0 -+>\|$/));
    expect(lines).toContainEqual(expect.stringMatching(/^ +0\.010 ms +14 +\|<-+ \[S\.\] seq 0 ack 1 len 0 -+\|$/));
    expect(lines).toContainEqual(expect.stringMatching(/^ +63\.450 ms +174 +\|=+ \[F\.\] seq 19 ack 41 len 0 =+>\| \*$/));
    expect(lines).toContainEqual(expect.stringMatching(/^ +11\.278 s +capture ends after 11\.2 s: server never sent its FIN \(CLOSE_WAIT\)$/));
    // Every arrow spans the same columns, so the two lines stay straight.
    const arrows = lines.filter((l) => /\|.*\|/.test(l));
    const bars = new Set(arrows.map((l) => `${l.indexOf('|')}:${l.lastIndexOf('|')}`));
    expect(bars.size).toBe(1);
  });

  it('draws an abortive close as a RST arrow and a late FIN answered by RST', () => {
    const abortive = ladderText(ladderRecords().abortive);
    expect(abortive.filter((l) => l.includes('|#'))).toEqual([expect.stringMatching(/ 197  \|#+ \[R\.\] seq 19 ack 1 len 0 #+>\| \*$/)]);
    const late = ladderText(ladderRecords().lateFin);
    const i = late.findIndex((l) => l.includes(' 266  '));
    expect(late[i]).toMatch(/4\.621 s +266 +\|<=+ \[F\.\] seq 41 ack 20 len 0 =+\| \*$/);
    expect(late[i + 1]).toMatch(/4\.621 s +267 +\|#+ \[R\] seq 20 len 0 #+>\| \*$/);
  });

  it('marks where packets were left out, from the sequence numbers', () => {
    const keepalive = ladderRecords().keepalive;
    const lines = ladderText(keepalive);
    const gap = lines.findIndex((l) => l.includes('7 packets not shown'));
    expect(lines[gap - 1]).toContain('[P.] seq 1 ack 1 len 18');
    expect(lines[gap + 1]).toContain('[.] seq 18 ack 41 len 0');
    expect(lines).toContain("11 of the connection's 18 packets shown.");
  });

  it('finds gaps without knowing how the tracker sampled', () => {
    const step = (frame: number, from: 'client' | 'server', offset: number, flags: string, seq: number, ack: number | null, length: number): LadderStep => ({ frame, from, offset, flags, seq, ack, length });
    // Starts late (no SYN at offset 0), then the server's data jumps from 101 to 5001.
    const ladder = [step(10, 'client', 2, 'P.', 1, 1, 100), step(11, 'server', 2.1, 'P.', 1, 101, 100), step(20, 'server', 3, 'F.', 5001, 101, 0)];
    const rows = ladderOf(record({ ladder, packets: 40 })).rows.map((r) => r.kind);
    expect(rows).toEqual(['gap', 'packet', 'packet', 'gap', 'packet', 'end']);
    expect(ladderOf(record()).rows.filter((r) => r.kind === 'gap')).toEqual([]);
  });

  it('puts long IPv6 addresses on two header lines and stays narrow', () => {
    const lines = ladderText(record({ client: LONG_IPV6_CLIENT, server: LONG_IPV6_SERVER }));
    expect(lines[0]).toContain(`client ${LONG_IPV6_CLIENT}`);
    expect(lines[1].trim()).toBe(`server ${LONG_IPV6_SERVER}`);
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(100);
  });

  it('is empty for a record without ladder', () => {
    expect(ladderText(record({ verdict: 'orderly', ladder: [] }))).toEqual([]);
  });
});
