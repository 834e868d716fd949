/**
 * The benchmark capture is also a test of the whole analysis at scale: the generator knows how it
 * closed every connection, so the verdict counts must be exactly what it wrote (bench/README.md quotes
 * them for the 2 M-packet file).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { generateBenchCapture } from '../../bench/generate.js';
import { analyze } from '../../src/batch/analyze.js';
import { tempDir } from '../support/temp-dir.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('bench capture', () => {
  it('every generated close gets its verdict, with the side that closed or reset first', { timeout: 60_000 }, async () => {
    const path = tmp.path('bench.pcap');
    const s = await generateBenchCapture({ path, packets: 60_000, seed: 7 });
    const report = await analyze(path, { all: true });
    const v = report.summary.verdicts;
    const c = s.closes;
    expect(report.summary.connections).toBe(s.connections);
    expect(v.orderly).toBe(c.orderlyClientFirst + c.orderlyServerFirst + c.halfClose);
    expect(v['simultaneous-close']).toBe(c.simultaneousClose);
    expect(v['close-wait']).toBe(c.closeWaitLeak);
    expect(v['abortive-close']).toBe(c.abortiveRst);
    expect(v['reset-after-close']).toBe(c.passiveRst);
    expect(v.refused).toBe(c.refused);
    expect(v.unanswered).toBe(c.synUnanswered);
    expect(v.open).toBe(c.openAtEnd);
    const count = (verdict: string, endpoint: string): number => report.connections.filter((r) => r.verdict === verdict && r.endpoint === endpoint).length;
    // Orderly: the side that closed first holds TIME_WAIT; abortive: the side that reset.
    expect(count('orderly', 'client')).toBe(s.closedBy.orderlyClientFirst.client + s.closedBy.halfClose.client);
    expect(count('orderly', 'server')).toBe(s.closedBy.orderlyServerFirst.server);
    expect(count('abortive-close', 'client')).toBe(s.closedBy.abortiveRst.client);
    expect(count('abortive-close', 'server')).toBe(s.closedBy.abortiveRst.server);
    expect(report.connections.filter((r) => r.verdict === 'orderly' && r.halfClose).length).toBeGreaterThanOrEqual(c.halfClose);
  });
});
