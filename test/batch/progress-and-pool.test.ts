/**
 * Batch progress events (files and bytes of the total, rate, ETA, current files), the worker pool's
 * handling of files that fail inside a worker, and the filter spec's predicates.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { analysisSettings } from '../../src/batch/analysis-settings.js';
import { BatchProgressTracker, type BatchProgress } from '../../src/batch/batch-progress.js';
import { filterPredicates } from '../../src/batch/filter-spec.js';
import { TaskQueue } from '../../src/batch/task-queue.js';
import { runWorkerPool } from '../../src/batch/worker-pool.js';
import type { ConnectionSummary } from '../../src/verdict/judged-connection.js';
import type { Verdict } from '../../src/verdict/types.js';
import type { CaptureFacts } from '../../src/report/model.js';
import { analyze } from '../../src/batch/analyze.js';
import { CAPTURES } from './helpers/archive.js';
import { ensureBuilt } from './helpers/dist.js';

beforeAll(() => ensureBuilt());

describe('batch progress', () => {
  it('tracks files, bytes, rate and ETA with a clock', () => {
    let now = 0;
    const events: BatchProgress[] = [];
    const files = [
      { path: 'a', size: 1000, error: null, shardKey: 'a' },
      { path: 'b', size: 3000, error: null, shardKey: 'b' },
      { path: 'bad', size: -1, error: 'bad: cannot open: no such file', shardKey: 'bad' },
    ];
    const tracker = new BatchProgressTracker(files, (p) => events.push(p), () => now);
    tracker.done(2, 0);
    tracker.fileStarted(0);
    tracker.fileStarted(1);
    now = 1000;
    tracker.progress(0, 500, 1000, 50);
    tracker.progress(1, 500, 3000, 40);
    const p = events.at(-1) as BatchProgress;
    expect(p).toMatchObject({ files: 3, filesDone: 1, bytesRead: 500, totalBytes: 4000, sizeUnknown: false, frames: 50, bytesPerSecond: 500 });
    expect(p.current.map((c) => c.file)).toEqual(['a', 'b']);
    now = 1200;
    tracker.progress(1, 1000, 3000, 80);
    tracker.done(0, 100);
    const q = events.at(-1) as BatchProgress;
    expect(q.filesDone).toBe(2);
    expect(q.bytesRead).toBe(2000);
    expect(q.etaSeconds).toBeCloseTo(1.2, 5);
    expect(q.current).toEqual([{ file: 'b', index: 1, bytesRead: 1000, size: 3000, frames: 80 }]);
  });

  it('reaches every file and byte of a parallel run', async () => {
    const files = ['lo-ipv4.pcap', 'veth-ipv6-nsec.pcap', 'two-paths.pcapng', 'lo-ipv4.pcap.gz'].map((f) => join(CAPTURES, f));
    const total = files.reduce((n, f) => n + statSync(f).size, 0);
    let last: BatchProgress | null = null;
    const seen = new Set<string>();
    await analyze(files, {
      jobs: 2,
      workerPolicy: 'all',
      onBatchProgress: (p) => {
        last = p;
        for (const c of p.current) seen.add(c.file);
      },
    });
    const end = last as BatchProgress | null;
    expect(end?.filesDone).toBe(4);
    expect(end?.bytesRead).toBe(total);
    expect(end?.totalBytes).toBe(total);
    expect(end?.current).toEqual([]);
    expect(end?.frames).toBeGreaterThan(1000);
  });
});

describe('task queue', () => {
  it('hands out the largest file first (input order among equals) and nothing once closed', () => {
    const queue = new TaskQueue([
      { index: 0, path: 'small', size: 10 },
      { index: 1, path: 'big', size: 500 },
      { index: 2, path: 'pipe', size: -1 },
      { index: 3, path: 'big-too', size: 500 },
      { index: 4, path: 'mid', size: 100 },
    ]);
    expect([queue.take(), queue.take(), queue.take()].map((t) => t?.path)).toEqual(['big', 'big-too', 'mid']);
    queue.close();
    expect(queue.take()).toBeUndefined();
    expect(queue.length).toBe(0);
  });
});

describe('worker pool', () => {
  const collect = async (setup: Parameters<typeof runWorkerPool>[2], paths: string[], jobs = 2): Promise<Map<string, string | null>> => {
    const done: CaptureFacts[] = [];
    await runWorkerPool(
      paths.map((path, index) => ({ index, path, size: 100 - index })),
      jobs,
      setup,
      { started: () => undefined, progress: () => undefined, records: () => undefined, texts: () => undefined, done: (_i, facts) => done.push(facts) },
    );
    expect(done).toHaveLength(paths.length);
    return new Map(done.map((f) => [f.file, f.error]));
  };

  it('turns a worker that dies into error rows for its files and goes on', async () => {
    // A spec that is not what its type says makes each worker throw as it starts.
    const broken = { settings: analysisSettings({}), filter: { verdicts: 5 as unknown as Verdict[] }, records: true, listLimit: null, listCharts: false, recordTexts: null };
    const files = ['lo-ipv4.pcap', 'veth-ipv6-nsec.pcap', 'two-paths.pcapng'].map((f) => join(CAPTURES, f));
    const errors = await collect(broken, files);
    for (const f of files) expect(errors.get(f)).toMatch(new RegExp(`^${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: internal error while analysing: `));
  });

  it('reports a file that vanished before its worker opened it, and reads the others', async () => {
    const files = [join(CAPTURES, 'lo-ipv4.pcap'), join(CAPTURES, 'gone.pcap')];
    const errors = await collect({ settings: analysisSettings({}), filter: {}, records: false, listLimit: null, listCharts: false, recordTexts: null }, files, 4);
    expect(errors.get(files[0])).toBeNull();
    expect(errors.get(files[1])).toBe(`${files[1]}: cannot open: no such file`);
  });
});

describe('filter spec', () => {
  const summary = (over: Partial<ConnectionSummary>): ConnectionSummary => ({
    file: 'f',
    stream: 0,
    verdict: 'orderly',
    endpoint: null,
    client: '10.0.0.1:40000',
    server: '[2001:db8::2]:8080',
    stuckSeconds: null,
    ...over,
  });

  it('scopes by host (IPv4 and bracketed IPv6) and port on either end', () => {
    expect(filterPredicates({ host: '2001:DB8::2' }).scope(summary({}))).toBe(true);
    expect(filterPredicates({ host: '10.0.0.1', port: 8080 }).scope(summary({}))).toBe(true);
    expect(filterPredicates({ host: '10.0.0.9' }).scope(summary({}))).toBe(false);
    expect(filterPredicates({ port: 443 }).scope(summary({}))).toBe(false);
  });

  it('lists findings by default, everything with all, and honours verdicts and minStuckSeconds', () => {
    expect(filterPredicates({}).list(summary({}))).toBe(false);
    expect(filterPredicates({}).list(summary({ verdict: 'reset' }))).toBe(true);
    expect(filterPredicates({ all: true }).list(summary({}))).toBe(true);
    expect(filterPredicates({ verdicts: ['orderly'] }).list(summary({}))).toBe(true);
    expect(filterPredicates({ verdicts: ['reset'], all: true }).list(summary({}))).toBe(false);
    expect(filterPredicates({ minStuckSeconds: 5 }).list(summary({ verdict: 'close-wait', stuckSeconds: 4.9 }))).toBe(false);
    expect(filterPredicates({ minStuckSeconds: 5 }).list(summary({ verdict: 'close-wait', stuckSeconds: 5 }))).toBe(true);
    expect(filterPredicates({ minStuckSeconds: 5 }).list(summary({ verdict: 'close-wait' }))).toBe(false);
  });
});
