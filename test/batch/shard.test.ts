/**
 * Scale-out: --shard I/N picks a stable part of the files, and mergeReports() of the parts' JSON gives
 * the single run's report byte for byte (close-wait medians recomputed from the records), or refuses.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchOptionError } from '../../src/batch/errors.js';
import { comparePaths, mergeReports } from '../../src/batch/merge-reports.js';
import { readReportFile } from '../../src/batch/report-file.js';
import { fnv1a32, inShard, parseShard } from '../../src/batch/shard.js';
import { analyze, type AnalyzeOptions } from '../../src/batch/analyze.js';
import { expandInputs } from '../../src/batch/inputs.js';
import type { Report } from '../../src/report/model.js';
import { buildArchive, json, type Archive } from './helpers/archive.js';
import { ensureBuilt } from './helpers/dist.js';

let archive: Archive;
beforeAll(() => {
  ensureBuilt();
  archive = buildArchive();
});
afterAll(() => archive.tmp.cleanup());

/** Each shard's report goes through JSON text, as it would between machines. */
async function shardReports(count: number, options: AnalyzeOptions = {}): Promise<Report[]> {
  const reports: Report[] = [];
  for (let index = 1; index <= count; index++) {
    const report = await analyze([archive.dir], { ...options, shard: { index, count } });
    const file = archive.tmp.path(`shard-${index}-of-${count}.json`);
    writeFileSync(file, JSON.stringify(report));
    reports.push(await readReportFile(file));
  }
  return reports;
}

describe('FNV-1a shard choice', () => {
  it('is the published FNV-1a 32-bit hash of the UTF-8 bytes', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
    // UTF-8, not UTF-16: "é" is the two bytes c3 a9.
    expect(fnv1a32('é')).toBe(Math.imul(Math.imul(0x811c9dc5 ^ 0xc3, 0x01000193) ^ 0xa9, 0x01000193) >>> 0);
  });

  it('puts every file in exactly one shard', async () => {
    const { files } = await expandInputs([archive.dir]);
    for (const count of [1, 2, 3, 7]) {
      for (const file of files) {
        const owners = Array.from({ length: count }, (_, i) => i + 1).filter((index) => inShard(file.shardKey, { index, count }));
        expect(owners).toHaveLength(1);
      }
    }
  });

  it('hashes the path below the directory given, or the name of a file given: not where the inputs sit', async () => {
    const { files } = await expandInputs([archive.dir, join(archive.dir, 'a-real', 'lo-ipv4.pcap')]);
    const keys = files.map((f) => f.shardKey);
    expect(keys).toContain('a-real/nested/two-paths.pcapng');
    expect(keys).toContain('d-synthetic/leak-2.pcap');
    expect(keys[keys.length - 1]).toBe('lo-ipv4.pcap');
    // The same archive reached through another path (a link elsewhere): the same files in each shard.
    const elsewhere = archive.tmp.path('elsewhere');
    mkdirSync(elsewhere, { recursive: true });
    symlinkSync(archive.dir, join(elsewhere, 'mounted-archive'));
    const relative = (report: Report, root: string): string[] => report.captures.map((c) => c.file.slice(root.length));
    for (const index of [1, 2, 3]) {
      const here = await analyze([archive.dir], { shard: { index, count: 3 } });
      const there = await analyze([join(elsewhere, 'mounted-archive')], { shard: { index, count: 3 } });
      expect(relative(there, join(elsewhere, 'mounted-archive')), `shard ${index}/3`).toEqual(relative(here, archive.dir));
    }
  });

  it('parses I/N and rejects nonsense in one line', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    expect(parseShard(' 1 / 1 ')).toEqual({ index: 1, count: 1 });
    expect(() => parseShard('0/3')).toThrow(BatchOptionError);
    expect(() => parseShard('4/3')).toThrow(/between 1 and 3/);
    expect(() => parseShard('1-3')).toThrow(/I\/N/);
    expect(() => parseShard('1/0')).toThrow(/at least 1/);
  });
});

describe('shards and merge', () => {
  for (const count of [1, 2, 3]) {
    it(`gives the single run's report from ${count} shard(s)`, async () => {
      const single = await analyze([archive.dir], { jobs: 1 });
      const parts = await shardReports(count, { jobs: 2, workerPolicy: 'all' });
      expect(parts.reduce((n, r) => n + r.captures.length, 0)).toBe(single.captures.length);
      expect(json(mergeReports(parts))).toBe(json(single));
    });
  }

  it('recomputes a shared service close-wait median from the records (listing every connection)', async () => {
    const single = await analyze([archive.dir], { filter: { all: true } });
    const parts = await shardReports(3, { filter: { all: true } });
    // The leaking service has close-waits in more than one shard (d-synthetic/leak-1.pcap lands in shard
    // 2, leak-2 and leak-3 in shard 1, wherever the archive sits), so its median had to be recomputed.
    const withLeak = parts.filter((r) => r.services.some((s) => s.server === '10.9.9.9:8080' && s.closeWait !== null));
    expect(withLeak.length).toBeGreaterThan(1);
    expect(json(mergeReports(parts))).toBe(json(single));
  });

  it('keeps scoped figures exact when every shard used the same scope', async () => {
    const options: AnalyzeOptions = { filter: { host: '10.9.9.9' } };
    const single = await analyze([archive.dir], options);
    expect(json(mergeReports(await shardReports(2, options)))).toBe(json(single));
  });

  it('refuses shard reports whose listing dropped close-waits it would need', async () => {
    const parts = await shardReports(3, { filter: { verdicts: ['abortive-close'] } });
    expect(() => mergeReports(parts)).toThrow(/^cannot merge the close-wait times of \S+ exactly: report \d+ counts \d+ close-waits but lists \d+/);
    const stuckFiltered = await shardReports(3, { filter: { minStuckSeconds: 25 } });
    expect(() => mergeReports(stuckFiltered)).toThrow(BatchOptionError);
  });

  it('refuses overlapping reports, other versions and an empty list', async () => {
    const [one] = await shardReports(1);
    expect(() => mergeReports([one, one])).toThrow(/is in report 1 and report 2/);
    expect(() => mergeReports([one, { ...one, captures: [], generator: { name: 'closetrace', version: '0.0.1' } }])).toThrow(/version/);
    expect(() => mergeReports([])).toThrow(/no reports/);
  });

  it('counts skipped files once over the shards', async () => {
    const parts = await shardReports(3);
    expect(parts.reduce((n, r) => n + (r.summary.skippedFiles ?? 0), 0)).toBe(archive.skipped);
  });

  it('refuses to shard standard input', async () => {
    await expect(analyze(['-'], { shard: { index: 1, count: 2 } })).rejects.toThrow(/cannot be sharded/);
  });

  it('orders paths as a directory walk does', () => {
    const walk = ['d/a/x.pcap', 'd/a.pcap', 'd/a0', 'd/b/c/z', 'd/b/y'];
    expect([...walk].sort(comparePaths)).toEqual(walk);
  });
});

describe('readReportFile', () => {
  const write = (name: string, text: string): string => {
    const path = archive.tmp.path(name);
    writeFileSync(path, text);
    return path;
  };

  it('names the file and the problem in one line', async () => {
    await expect(readReportFile(archive.tmp.path('nope.json'))).rejects.toThrow(/nope\.json: cannot read: no such file$/);
    await expect(readReportFile(write('trunc.json', '{"schema": 1, "gener'))).rejects.toThrow(/trunc\.json: not a JSON report: /);
    await expect(readReportFile(write('other.json', '{"schema": 2}'))).rejects.toThrow(/other\.json: not a closetrace JSON report: schema is 2, expected 1/);
    await expect(readReportFile(write('list.json', '[]'))).rejects.toThrow(/the top level is not an object/);
    const nd = '{"type":"connection","stream":0}\n{"type":"summary"}\n';
    await expect(readReportFile(write('lines.ndjson', nd))).rejects.toThrow(/ndjson output\?/);
    const [good] = await shardReports(1);
    const broken = { ...good, services: [{ server: 1 }] };
    await expect(readReportFile(write('svc.json', JSON.stringify(broken)))).rejects.toThrow(/a service entry lacks/);
    for (const bad of ['nope.json', 'other.json']) {
      const error = await readReportFile(archive.tmp.path(bad)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BatchOptionError);
      expect((error as Error).message).not.toContain('\n');
    }
  });
});
