/**
 * --join: a rotated set read as one capture. Split real captures by time (as `editcap -i` does), join
 * the parts, and get the unsplit capture's verdicts, streams and frame numbers; `sources` lead back to
 * each part's own frames; tshark on mergecap's output numbers the streams the same way.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { BatchOptionError } from '../../src/batch/errors.js';
import { FrameSourceMap } from '../../src/batch/frame-sources.js';
import type { JoinedConnectionRecord } from '../../src/batch/joined-analysis.js';
import { analyze } from '../../src/batch/analyze.js';
import type { Report } from '../../src/report/model.js';
import type { ConnectionRecord } from '../../src/verdict/types.js';
import { buildPcap, conversation, ether, mergeByTime } from '../../tools/craft/index.js';
import { hasTshark, tsharkFields } from '../support/tshark.js';
import { tempDir } from '../support/temp-dir.js';
import { CAPTURES } from './helpers/archive.js';
import { inTimeOrder, splitPcapByTime, type SplitPart } from './helpers/split.js';

const hasMergecap = spawnSync('mergecap', ['-v'], { stdio: 'ignore' }).status === 0;
const hasEditcap = spawnSync('editcap', ['-h'], { stdio: 'ignore' }).status === 0;
const tmp = tempDir('closetrace-join-');
afterAll(() => tmp.cleanup());

/** Writes the parts as a rotated set (names sort in time order, like tcpdump -G/-C output). */
function writeParts(name: string, parts: SplitPart[]): string[] {
  return parts.map((p, i) => tmp.write(`${name}.${String(i).padStart(3, '0')}.pcap`, p.bytes));
}

/** A record without what a joined run adds or renames, for comparison with a single-file run. */
function core(r: ConnectionRecord): Omit<ConnectionRecord, 'file'> {
  const { file: _file, sources: _sources, ...rest } = r as JoinedConnectionRecord;
  return rest;
}

function streamsOf(report: Report): Map<number, ConnectionRecord> {
  return new Map(report.connections.map((r) => [r.stream, r]));
}

describe('joined rotated set', () => {
  for (const [capture, parts] of [
    ['lo-ipv4.pcap', 4],
    ['veth-ipv4-any-sll2.pcap', 3],
    ['veth-ipv6-nsec.pcap', 5],
  ] as const) {
    it(`gives the verdicts, streams and frames of the unsplit ${capture} (${parts} parts)`, async () => {
      const whole = readFileSync(join(CAPTURES, capture));
      expect(inTimeOrder(whole)).toBe(true);
      const split = splitPcapByTime(whole, parts);
      expect(split.every((p) => p.frames > 0)).toBe(true);
      const files = writeParts(capture, split);
      const single = await analyze([join(CAPTURES, capture)], { filter: { all: true } });
      const joined = await analyze(files, { join: true, filter: { all: true } });
      expect(joined.connections.map(core)).toEqual(single.connections.map(core));
      expect(joined.summary).toEqual({ ...single.summary, captures: parts });
      expect(joined.services).toEqual(single.services);
      // Without --join the same files give other verdicts: closes in the next file are missed.
      const separate = await analyze(files, { filter: { all: true } });
      expect(separate.summary.verdicts).not.toEqual(single.summary.verdicts);
      expect(separate.summary.connections).toBeGreaterThan(single.summary.connections);
    });
  }

  it.skipIf(!hasEditcap)('joins a set split by editcap -i like the unsplit capture', async () => {
    const dir = tmp.path('editcap');
    mkdirSync(dir);
    execFileSync('editcap', ['-i', '1', join(CAPTURES, 'veth-ipv4-any-sll2.pcap'), join(dir, 'rotated.pcap')], { stdio: 'ignore' });
    expect(readdirSync(dir).length).toBeGreaterThan(2);
    const single = await analyze([join(CAPTURES, 'veth-ipv4-any-sll2.pcap')], { filter: { all: true } });
    // The directory as input: its files in name order, which editcap makes time order.
    const joined = await analyze([dir], { join: true, filter: { all: true } });
    expect(joined.connections.map(core)).toEqual(single.connections.map(core));
    expect(joined.connections[0].file).toBe(dir);
  });

  it('keeps one row per file with its own frames, times, segments and connections', async () => {
    const whole = readFileSync(join(CAPTURES, 'lo-ipv4.pcap'));
    const split = splitPcapByTime(whole, 4);
    const files = writeParts('rows', split);
    const single = await analyze([join(CAPTURES, 'lo-ipv4.pcap')], { filter: { all: true } });
    const joined = await analyze(files, { join: true, filter: { all: true } });
    expect(joined.captures.map((c) => c.file)).toEqual(files);
    expect(joined.captures.map((c) => c.frames)).toEqual(split.map((p) => p.frames));
    const sum = (key: 'frames' | 'tcpSegments' | 'connections' | 'findings'): number => joined.captures.reduce((n, c) => n + (c[key] ?? 0), 0);
    expect(sum('frames')).toBe(single.captures[0].frames);
    expect(sum('tcpSegments')).toBe(single.captures[0].tcpSegments);
    expect(sum('connections')).toBe(single.captures[0].connections);
    expect(sum('findings')).toBe(single.captures[0].findings);
    expect(joined.captures[0].start).toBe(single.captures[0].start);
    expect(joined.captures.at(-1)?.end).toBe(single.captures[0].end);
    // A connection is counted in the file that holds its first frame.
    for (const r of joined.connections as JoinedConnectionRecord[]) expect(r.sources[0].frame).toBe(r.firstFrame);
    expect(joined.connections.every((r) => r.file === files.join(' + '))).toBe(true);
  });

  it('names the file and the frame in it for every frame a record cites', async () => {
    const whole = readFileSync(join(CAPTURES, 'veth-ipv4-any-sll2.pcap'));
    const split = splitPcapByTime(whole, 3);
    const files = writeParts('sources', split);
    const joined = await analyze(files, { join: true, filter: { all: true } });
    for (const record of joined.connections as JoinedConnectionRecord[]) {
      const cited = new Set([record.firstFrame, record.lastFrame, ...record.evidence, ...record.fins.map((f) => f.frame), ...record.resets.map((r) => r.frame)]);
      expect(record.sources.map((s) => s.frame)).toEqual([...cited].sort((a, b) => a - b));
      for (const s of record.sources) {
        const part = split.findLastIndex((p) => p.firstFrame <= s.frame);
        expect(s.file).toBe(files[part]);
        expect(s.fileFrame).toBe(s.frame - split[part].firstFrame + 1);
      }
    }
    expect(joined.connections.some((r) => new Set((r as JoinedConnectionRecord).sources.map((s) => s.file)).size > 1)).toBe(true);
  });

  it.skipIf(!hasTshark || !hasMergecap)('numbers streams and frames as tshark does on the mergecap output', async () => {
    for (const capture of ['lo-ipv4.pcap', 'veth-ipv6-nsec.pcap']) {
      const files = writeParts(`tshark-${capture}`, splitPcapByTime(readFileSync(join(CAPTURES, capture)), 4));
      const merged = tmp.path(`${capture}.merged.pcapng`);
      execFileSync('mergecap', ['-w', merged, ...files], { stdio: 'ignore' });
      const rows = tsharkFields(merged, ['frame.number', 'tcp.stream']);
      const streamOfFrame = new Map(rows.filter((r) => r[1] !== '').map((r) => [Number(r[0]), Number(r[1].split(',')[0])]));
      const joined = await analyze(files, { join: true, filter: { all: true } });
      expect(joined.captures.reduce((n, c) => n + c.frames, 0)).toBe(rows.length);
      const tsharkStreams = new Set(streamOfFrame.values());
      expect(joined.connections.length).toBe(tsharkStreams.size);
      for (const r of joined.connections) {
        expect(streamOfFrame.get(r.firstFrame)).toBe(r.stream);
        expect(streamOfFrame.get(r.lastFrame)).toBe(r.stream);
      }
    }
  });
});

describe('joined captures of different formats and orders', () => {
  it.skipIf(!hasTshark || !hasMergecap)('merges like mergecap, even a pcapng whose frames are not in time order', async () => {
    const files = ['two-paths.pcapng', 'lo-ipv4.pcap.gz', 'veth-ipv6-nsec.pcap', 'veth-ipv4-any-sll2.pcap'].map((f) => join(CAPTURES, f));
    const merged = tmp.path('real.merged.pcapng');
    execFileSync('mergecap', ['-w', merged, ...files], { stdio: 'ignore' });
    const rows = tsharkFields(merged, ['frame.number', 'tcp.stream', 'frame.time_epoch']);
    const joined = await analyze(files, { join: true, filter: { all: true } });
    expect(joined.captures.reduce((n, c) => n + c.frames, 0)).toBe(rows.length);
    expect(new Set(rows.filter((r) => r[1] !== '').map((r) => r[1])).size).toBe(joined.connections.length);
    for (const r of joined.connections) {
      expect(rows[r.firstFrame - 1][1]).toBe(String(r.stream));
      expect(rows[r.lastFrame - 1][1]).toBe(String(r.stream));
    }
  });
});

describe('joined interleaved captures', () => {
  /** Two capture points on one link, each writing its own file, with one connection seen across both. */
  function interleaved(): { a: string; b: string; whole: string } {
    const t0 = 1_700_000_000;
    const spanning = conversation('10.0.0.1:40001', '10.0.0.2:80', { start: t0, link: (p) => ether(p) });
    spanning.syn();
    spanning.synAck();
    spanning.ack();
    spanning.data('a', 100);
    spanning.fin('a', { after: 2 });
    const lateClose = spanning.packets.length;
    spanning.ack('b', { after: 0.001 });
    spanning.fin('b', { after: 0.3 });
    spanning.ack('a');
    const other = conversation('10.0.0.3:40002', '10.0.0.2:80', { start: t0 + 0.5, gap: 0.4, link: (p) => ether(p) });
    other.syn();
    other.synAck();
    other.ack();
    other.data('a', 10);
    other.data('b', 10);
    other.fin('b');
    other.ack('a');
    other.fin('a');
    other.ack('b');
    const third = conversation('10.0.0.4:40003', '10.0.0.2:81', { start: t0 + 1, link: (p) => ether(p) });
    third.syn();
    third.syn({ after: 1 });
    third.syn({ after: 2 });
    const fileA = mergeByTime(spanning.packets.slice(0, lateClose), third.packets);
    const fileB = mergeByTime(spanning.packets.slice(lateClose), other.packets);
    return {
      a: tmp.write('point-a.pcap', buildPcap(fileA)),
      b: tmp.write('point-b.pcap', buildPcap(fileB)),
      whole: tmp.write('point-whole.pcap', buildPcap(mergeByTime(spanning.packets, other.packets, third.packets))),
    };
  }

  it('sees a close that happens in the other file, not a false close-wait', async () => {
    const { a, b, whole } = interleaved();
    const joined = await analyze([a, b], { join: true, filter: { all: true } });
    const single = await analyze([whole], { filter: { all: true } });
    expect(joined.connections.map(core)).toEqual(single.connections.map(core));
    expect(streamsOf(joined).get(0)?.verdict).toBe('orderly');
    const separate = await analyze([a, b], { filter: { all: true } });
    expect(separate.connections.find((r) => r.file === a && r.client === '10.0.0.1:40001')?.verdict).not.toBe('orderly');
    // Frames alternate between the files: the map holds a run per switch.
    const spanning = joined.connections.find((r) => r.client === '10.0.0.1:40001') as JoinedConnectionRecord;
    expect(new Set(spanning.sources.map((s) => s.file))).toEqual(new Set([a, b]));
  });

  it.skipIf(!hasTshark || !hasMergecap)('matches tshark on mergecap output for interleaved files', async () => {
    const { a, b } = interleaved();
    const merged = tmp.path('points.pcapng');
    execFileSync('mergecap', ['-w', merged, a, b], { stdio: 'ignore' });
    const rows = tsharkFields(merged, ['frame.number', 'tcp.stream', 'tcp.srcport']);
    const joined = await analyze([a, b], { join: true, filter: { all: true } });
    for (const r of joined.connections as JoinedConnectionRecord[]) {
      expect(rows[r.firstFrame - 1][1]).toBe(String(r.stream));
      expect(rows[r.lastFrame - 1][1]).toBe(String(r.stream));
    }
  });

  it('breaks timestamp ties by input order', async () => {
    const at = { seconds: 1_700_000_000, nanos: 0 };
    const one = conversation('10.0.0.1:1001', '10.0.0.2:80', { start: at, link: (p) => ether(p) });
    one.syn();
    const two = conversation('10.0.0.1:2002', '10.0.0.2:80', { start: at, link: (p) => ether(p) });
    two.syn();
    const x = tmp.write('tie-x.pcap', buildPcap(one.packets));
    const y = tmp.write('tie-y.pcap', buildPcap(two.packets));
    const xy = await analyze([x, y], { join: true, filter: { all: true } });
    const yx = await analyze([y, x], { join: true, filter: { all: true } });
    expect(xy.connections.map((r) => [r.stream, r.client])).toEqual([
      [0, '10.0.0.1:1001'],
      [1, '10.0.0.1:2002'],
    ]);
    expect(yx.connections.map((r) => [r.stream, r.client])).toEqual([
      [0, '10.0.0.1:2002'],
      [1, '10.0.0.1:1001'],
    ]);
  });
});

describe('joined runs with bad inputs, stdin and stops', () => {
  it('turns a truncated or missing part into an error row and joins the rest', async () => {
    const whole = readFileSync(join(CAPTURES, 'lo-ipv4.pcap'));
    const split = splitPcapByTime(whole, 3);
    const files = writeParts('bad', split);
    const cut = tmp.write('bad.001.pcap', split[1].bytes.subarray(0, split[1].bytes.length - 5));
    const missing = tmp.path('bad.missing.pcap');
    const report = await analyze([files[0], cut, missing, files[2]], { join: true, filter: { all: true } });
    expect(report.captures.map((c) => c.file)).toEqual([files[0], cut, missing, files[2]]);
    expect(report.captures[1].error).toMatch(/truncated/);
    expect(report.captures[1].frames).toBe(split[1].frames - 1);
    expect(report.captures[2].error).toBe(`${missing}: cannot open: no such file`);
    expect(report.captures[0].error).toBeNull();
    expect(report.captures[3].frames).toBe(split[2].frames);
    expect(report.summary.connections).toBeGreaterThan(0);
  });

  it('joins standard input with files', async () => {
    const split = splitPcapByTime(readFileSync(join(CAPTURES, 'lo-ipv4.pcap')), 3);
    const files = writeParts('stdin', split);
    const stdin = new PassThrough();
    stdin.end(split[0].bytes);
    const viaStdin = await analyze(['-', files[1], files[2]], { join: true, filter: { all: true }, stdin });
    const allFiles = await analyze(files, { join: true, filter: { all: true } });
    expect(viaStdin.connections.map(core)).toEqual(allFiles.connections.map(core));
    expect(viaStdin.captures[0].file).toBe('-');
  });

  it('stops on abort and reports what was read', async () => {
    const files = writeParts('abort', splitPcapByTime(readFileSync(join(CAPTURES, 'lo-ipv4.pcap')), 3));
    const controller = new AbortController();
    controller.abort();
    const report = await analyze(files, { join: true, signal: controller.signal });
    expect(report.captures).toHaveLength(3);
    expect(report.captures.every((c) => c.warnings.some((w) => w.includes('interrupted')))).toBe(true);
    expect(report.summary.connections).toBe(0);
  });

  it('refuses to shard a join, and ignores jobs', async () => {
    const files = writeParts('opts', splitPcapByTime(readFileSync(join(CAPTURES, 'lo-ipv4.pcap')), 2));
    await expect(analyze(files, { join: true, shard: { index: 1, count: 2 } })).rejects.toThrow(BatchOptionError);
    const a = await analyze(files, { join: true, jobs: 4 });
    const b = await analyze(files, { join: true });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });

  it('reports progress over the joined files', async () => {
    const files = writeParts('progress', splitPcapByTime(readFileSync(join(CAPTURES, 'lo-ipv4.pcap')), 3));
    let last = null as null | { filesDone: number; files: number; bytesRead: number; totalBytes: number };
    await analyze(files, { join: true, onBatchProgress: (p) => (last = p) });
    expect(last).not.toBeNull();
    expect(last?.filesDone).toBe(3);
    expect(last?.bytesRead).toBe(last?.totalBytes);
  });
});

describe('frame source map', () => {
  it('maps joined frames back to files, and forgets the oldest runs past its bound', () => {
    const map = new FrameSourceMap(['x', 'y']);
    // Frames alternate between the files: one run per frame.
    const total = (1 << 20) + 10;
    for (let f = 1; f <= total; f++) map.note(f, f % 2, (f + 1) >> 1);
    expect(map.forgottenBefore).toBeGreaterThan(1);
    expect(map.lookup(1)).toBeNull();
    expect(map.lookup(total)).toEqual({ frame: total, file: total % 2 === 1 ? 'y' : 'x', fileFrame: (total + 1) >> 1 });
    const sequential = new FrameSourceMap(['a', 'b']);
    for (let f = 1; f <= 1000; f++) sequential.note(f, f <= 600 ? 0 : 1, f <= 600 ? f : f - 600);
    expect(sequential.lookup(600)).toEqual({ frame: 600, file: 'a', fileFrame: 600 });
    expect(sequential.lookup(601)).toEqual({ frame: 601, file: 'b', fileFrame: 1 });
    expect(sequential.fileOf(1000)).toBe(1);
  });
});
