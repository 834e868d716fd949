/**
 * Batch scans of a generated archive: the directory walk, bad files as error rows, per-file figures, and
 * the same report byte for byte whatever the number of worker threads.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchOptionError } from '../../src/batch/errors.js';
import { failOnMatched, filterPredicates, narrowHostSections } from '../../src/batch/filter-spec.js';
import { analyze, type AnalyzeOptions } from '../../src/batch/analyze.js';
import { makespan, planWorkers } from '../../src/batch/worker-plan.js';
import type { Report } from '../../src/report/model.js';
import type { ConnectionRecord } from '../../src/verdict/types.js';
import { buildArchive, CAPTURES, json, type Archive } from './helpers/archive.js';
import { ensureBuilt } from './helpers/dist.js';

let archive: Archive;
beforeAll(() => {
  ensureBuilt();
  archive = buildArchive();
});
afterAll(() => archive.tmp.cleanup());

describe('directory walk', () => {
  it('lists captures by magic in walk order, skips and counts the rest, reports bad files as rows', async () => {
    const report = await analyze([archive.dir], { jobs: 1 });
    expect(report.captures.map((c) => c.file)).toEqual(archive.captures);
    expect(report.summary.captures).toBe(archive.captures.length);
    expect(report.summary.skippedFiles).toBe(archive.skipped);
    const failed = report.captures.filter((c) => c.error !== null).map((c) => c.file);
    expect(failed.sort()).toEqual([...archive.errors].sort());
    for (const c of report.captures.filter((f) => f.error !== null)) {
      // One line naming the file, no stack trace.
      expect(c.error).toMatch(new RegExp(`^${c.file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
      expect(c.error).not.toContain('\n');
      expect(c.error).not.toMatch(/\bat .*\.js:\d+/);
    }
    const byName = (suffix: string): string => report.captures.find((c) => c.file.endsWith(suffix))?.error ?? '';
    expect(byName('c-bad/dangling.pcap')).toContain('no such file');
    expect(byName('c-bad/truncated.pcap')).toContain('truncated');
    expect(byName('c-bad/corrupt.pcap.gz')).toContain('corrupt or truncated');
    expect(byName('c-bad/corrupt.pcap')).toContain('captured length');
  });

  it('reads the good files fully, including the frames of a truncated file before its end', async () => {
    const report = await analyze([archive.dir], { jobs: 1 });
    const lo = report.captures.find((c) => c.file.endsWith('a-real/lo-ipv4.pcap'));
    const truncated = report.captures.find((c) => c.file.endsWith('c-bad/truncated.pcap'));
    expect(lo?.error).toBeNull();
    expect(truncated?.frames).toBe((lo?.frames ?? 0) - 1);
    expect(truncated?.connections).toBeGreaterThan(0);
  });

  it('adds per-file findings that sum, with the connections, to the summary', async () => {
    const report = await analyze([archive.dir], { jobs: 1 });
    for (const c of report.captures) expect(typeof c.findings).toBe('number');
    expect(report.captures.reduce((n, c) => n + c.connections, 0)).toBe(report.summary.connections);
    expect(report.captures.reduce((n, c) => n + (c.findings ?? 0), 0)).toBe(report.summary.findings);
    const lo = report.captures.find((c) => c.file.endsWith('a-real/lo-ipv4.pcap'));
    expect(lo?.findings).toBe(report.connections.filter((r) => r.file === lo?.file).length);
    // `findings` sits right after `connections` in the JSON.
    expect(Object.keys(lo ?? {}).slice(6, 9)).toEqual(['tcpSegments', 'connections', 'findings']);
  });

  it('aggregates services across files (counts, close-wait median and max, first and last seen)', async () => {
    const report = await analyze([archive.dir], { jobs: 1 });
    const leak = report.services.find((s) => s.server === '10.9.9.9:8080');
    expect(leak?.connections).toBe(3 + 4 + 2 + 3);
    expect(leak?.verdicts['close-wait']).toBe(9);
    expect(leak?.closeWait?.count).toBe(9);
    const stuck = report.connections.filter((r) => r.server === '10.9.9.9:8080' && r.verdict === 'close-wait').map((r) => r.stuckSeconds ?? 0);
    expect(stuck).toHaveLength(9);
    expect(leak?.closeWait?.maxStuckSeconds).toBe(Math.max(...stuck));
    const sorted = [...stuck].sort((a, b) => a - b);
    expect(leak?.closeWait?.medianStuckSeconds).toBe(sorted[4]);
    expect(leak?.firstSeen).toBe('2023-11-14T22:13:20.000000Z');
    expect(leak?.lastSeen.startsWith('2023-11-14T22:30:')).toBe(true);
    // The leaking services come first.
    expect(report.services[0].closeWait?.count).toBeGreaterThanOrEqual(9);
  });

  it('carries on past a file that disappears between the walk and its turn', async () => {
    const tmp = buildArchive();
    try {
      const gone = join(tmp.dir, 'd-synthetic/leak-3.pcap');
      const report = await analyze([tmp.dir], {
        jobs: 1,
        onCapture: (facts) => {
          if (facts.file.endsWith('a-real/lo-ipv4.pcap')) rmSync(gone);
        },
      });
      const row = report.captures.find((c) => c.file === gone);
      expect(row?.error).toBe(`${gone}: cannot open: no such file`);
      expect(report.captures.at(-1)?.file).toBe(gone);
    } finally {
      tmp.tmp.cleanup();
    }
  });

  it.skipIf(process.getuid?.() === 0)('reports a file without read permission as an error row', async () => {
    const report = await analyze([archive.dir], { jobs: 1 });
    expect(report.captures.find((c) => c.file.endsWith('unreadable.pcap'))?.error).toContain('permission denied');
  });

  it('reports an input that does not exist and goes on', async () => {
    const missing = join(archive.tmp.dir, 'no-such-dir');
    const report = await analyze([missing, join(CAPTURES, 'lo-ipv4.pcap')], { jobs: 2 });
    expect(report.captures[0].error).toBe(`${missing}: cannot open: no such file`);
    expect(report.captures[1].error).toBeNull();
  });
});

describe('worker threads (workerPolicy all: whatever the sizes)', () => {
  const variants: [string, AnalyzeOptions][] = [
    ['findings', {}],
    ['every connection', { filter: { all: true } }],
    ['scoped and filtered', { filter: { port: 8080, verdicts: ['close-wait', 'orderly'], minStuckSeconds: 3 } }],
  ];
  for (const [name, options] of variants) {
    it(`gives the same report for jobs 1, 2 and 4 (${name})`, async () => {
      const texts: string[] = [];
      for (const jobs of [1, 2, 4]) texts.push(json(await analyze([archive.dir], { ...options, jobs, workerPolicy: 'all' })));
      expect(texts[1]).toBe(texts[0]);
      expect(texts[2]).toBe(texts[0]);
    });
  }

  it('applies a filter spec exactly as the scope/list functions do', async () => {
    const spec = { host: '10.9.9.9', verdicts: ['close-wait' as const], minStuckSeconds: 10 };
    const { scope, list } = filterPredicates(spec);
    const withFunctions = await analyze([archive.dir], { jobs: 1, scope, list });
    const withSpec = await analyze([archive.dir], { jobs: 2, workerPolicy: 'all', filter: spec });
    // The spec also narrows the host sections (the functions cannot say which host they keep).
    expect(json(withSpec)).toBe(json({ ...withFunctions, ...narrowHostSections(withFunctions, spec.host) }));
    expect(withSpec.summary.connections).toBe(12);
    expect(withSpec.connections.every((r) => r.verdict === 'close-wait' && (r.stuckSeconds ?? 0) >= 10)).toBe(true);
  });

  it('calls onCapture in input order and onConnection for every listed record', async () => {
    const seen: string[] = [];
    const streamed: ConnectionRecord[] = [];
    const report = await analyze([archive.dir], { jobs: 2, workerPolicy: 'all', onCapture: (f) => seen.push(f.file), onConnection: (r) => streamed.push(r) });
    expect(seen).toEqual(archive.captures);
    expect(streamed.length).toBe(report.connections.length);
    const streamedOnly = await analyze([archive.dir], { jobs: 2, workerPolicy: 'all', stream: true, onConnection: () => undefined });
    expect(streamedOnly.connections).toEqual([]);
    expect(streamedOnly.summary).toEqual(report.summary);
  });

  it('reads stdin on the main thread alongside the workers', async () => {
    const { readFileSync } = await import('node:fs');
    const stdin = new PassThrough();
    stdin.end(readFileSync(join(CAPTURES, 'lo-ipv4.pcap')));
    const both = await analyze([archive.dir, '-'], { jobs: 2, workerPolicy: 'all', stdin });
    const stdin1 = new PassThrough();
    stdin1.end(readFileSync(join(CAPTURES, 'lo-ipv4.pcap')));
    const sequential = await analyze([archive.dir, '-'], { jobs: 1, stdin: stdin1 });
    expect(json(both)).toBe(json(sequential));
    expect(both.captures.at(-1)?.file).toBe('-');
    expect(both.captures.at(-1)?.connections).toBe(27);
  });

  it('refuses function filters with jobs > 1 and bad job counts, in one line', async () => {
    await expect(analyze([archive.dir], { jobs: 2, workerPolicy: 'all', scope: () => true })).rejects.toThrow(BatchOptionError);
    await expect(analyze([archive.dir], { jobs: 2, workerPolicy: 'all', onJudged: () => undefined })).rejects.toThrow(/worker threads cannot run/);
    await expect(analyze([archive.dir], { jobs: 0 })).rejects.toThrow(/at least 1/);
    await expect(analyze([archive.dir], { filter: { verdicts: ['closewait' as 'close-wait'] } })).rejects.toThrow(/unknown verdict "closewait"/);
    await expect(analyze([archive.dir], { filter: {}, list: () => true })).rejects.toThrow(/not both/);
  });

  it('stops the workers on abort and still returns what was read', async () => {
    const controller = new AbortController();
    let started = 0;
    const report = await analyze([archive.dir], {
      jobs: 2,
      workerPolicy: 'all',
      signal: controller.signal,
      onBatchProgress: (p) => {
        started = Math.max(started, p.filesDone);
        if (p.filesDone >= 2) controller.abort();
      },
    });
    // Files never started are left out; those read are there, in input order, the last ones marked.
    expect(report.captures.length).toBeGreaterThanOrEqual(2);
    expect(report.captures.length).toBeLessThan(archive.captures.length);
    const order = report.captures.map((c) => archive.captures.indexOf(c.file));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(report.summary.connections).toBe(report.captures.reduce((n, c) => n + c.connections, 0));
  });

  it('decides --fail-on from the report as onJudged would', async () => {
    const report: Report = await analyze([archive.dir], { jobs: 2, workerPolicy: 'all' });
    expect(failOnMatched(report, ['close-wait'])).toBe(true);
    expect(failOnMatched(report, ['close-wait'], 1e9)).toBe(false);
    expect(failOnMatched(report, ['fin-unacked'])).toBe(report.summary.verdicts['fin-unacked'] > 0);
    let judged = false;
    await analyze([archive.dir], {
      jobs: 1,
      onJudged: (c) => {
        if (c.verdict === 'close-wait' && (c.stuckSeconds ?? 0) >= 30) judged = true;
      },
    });
    expect(failOnMatched(report, ['close-wait'], 30)).toBe(judged);
  });
});

describe('how many workers a batch starts (workerPolicy auto)', () => {
  const MB = 1e6;
  const sizes = (count: number, mb: number): number[] => Array.from({ length: count }, () => mb * MB);

  it('none where the main thread would finish first: small batches are never slower than one job', () => {
    expect(planWorkers(sizes(4, 26), 2, 'auto', 2)).toBe(0);
    expect(planWorkers(sizes(2, 50), 2, 'auto', 2)).toBe(0);
    expect(planWorkers(sizes(40, 1), 8, 'auto', 8)).toBe(0);
    // One big file and crumbs: the main thread takes the big one; a worker would only slow it down.
    expect(planWorkers([500 * MB, 10 * MB, 10 * MB, 10 * MB], 2, 'auto', 2)).toBe(0);
    expect(makespan([100 * MB], 1, 2, 0)).toBeGreaterThan(makespan([100 * MB], 0, 2, 0));
  });

  it('one where large files pay for it, and as many as the cores carry', () => {
    expect(planWorkers(sizes(4, 100), 2, 'auto', 2)).toBe(1);
    expect(planWorkers(sizes(4, 263), 2, 'auto', 2)).toBe(1);
    expect(planWorkers(sizes(4, 263), 4, 'auto', 2)).toBe(1);
    expect(planWorkers(sizes(4, 263), 4, 'auto', 4)).toBe(3);
    expect(planWorkers(sizes(8, 100), 16, 'auto', 16)).toBe(7);
    // Predicted speed-up of one worker on 2 cores: none for 4 x 26 MB, about 1.5x for 4 x 263 MB.
    const ratio = (mb: number): number => makespan(sizes(4, mb), 0, 2, 0) / makespan(sizes(4, mb), 1, 2, 0);
    expect(ratio(26)).toBeLessThan(1);
    expect(ratio(263)).toBeGreaterThan(1.4);
  });

  it("'all' starts jobs - 1, at most one per file; one job or one file never starts any", () => {
    expect(planWorkers(sizes(4, 1), 2, 'all', 2)).toBe(1);
    expect(planWorkers(sizes(2, 1), 8, 'all', 2)).toBe(2);
    expect(planWorkers(sizes(4, 500), 1, 'auto', 2)).toBe(0);
    expect(planWorkers([], 4, 'all', 4)).toBe(0);
  });

  it('gives the report of one job on the archive (where it starts no worker)', async () => {
    expect(archive.captures.length).toBeGreaterThan(1);
    expect(json(await analyze([archive.dir], { jobs: 4 }))).toBe(json(await analyze([archive.dir], { jobs: 1 })));
  });
});
