import { describe, expect, it } from 'vitest';
import { compareReports } from '../../scripts/compare-reports.js';

const report = (connections: { file: string; stream: number; verdict: string; endpoint: string | null }[]) => ({
  connections,
  summary: { verdicts: {} },
});

describe('compare-reports (is a change to the engine free of verdict changes?)', () => {
  it('matches connections by file and stream and lists every field that differs', () => {
    const before = report([
      { file: 'a.pcap', stream: 0, verdict: 'orderly', endpoint: 'client' },
      { file: 'a.pcap', stream: 1, verdict: 'close-wait', endpoint: 'server' },
      { file: 'a.pcap', stream: 2, verdict: 'open', endpoint: null },
    ]);
    const after = report([
      { file: 'a.pcap', stream: 1, verdict: 'close-wait', endpoint: 'client' },
      { file: 'a.pcap', stream: 0, verdict: 'orderly', endpoint: 'client' },
      { file: 'a.pcap', stream: 3, verdict: 'open', endpoint: null },
    ]);
    const c = compareReports(before, after, ['verdict', 'endpoint']);
    expect(c.compared).toBe(2);
    expect(c.differences).toEqual(['a.pcap#1: endpoint "server" -> "client"']);
    expect(c.onlyBefore).toEqual(['a.pcap#2']);
    expect(c.onlyAfter).toEqual(['a.pcap#3']);
  });
});
