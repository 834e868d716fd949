/**
 * `--extract FILE`: the frames of every listed connection in one pcapng, checked with tshark: the file
 * opens, holds exactly the frames the report's display filter selects in the original captures (same
 * timestamps, lengths and bytes), one interface per link type, and the source comments. From files, from
 * standard input (spooled), from a joined rotated set.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { capture, root, run } from './run-cli.js';

const work = mkdtempSync(join(tmpdir(), 'closetrace-extract-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const tshark = ['/usr/bin/tshark', '/usr/local/bin/tshark'].find((p) => existsSync(p)) ?? null;

/** One line per frame: epoch time, captured length, the frame's bytes (as tshark shows them). */
function frames(file: string, filter?: string): string[] {
  const args = ['-r', file, '-T', 'fields', '-e', 'frame.time_epoch', '-e', 'frame.cap_len', '-e', 'frame.len', '-e', 'tcp.srcport', '-e', 'tcp.seq_raw', '-e', 'tcp.flags'];
  if (filter !== undefined) args.push('-Y', filter);
  const r = spawnSync(tshark ?? 'tshark', args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.split('\n').filter((l) => l !== '');
}

interface Report {
  captures: { file: string }[];
  displayFilters: { file: string; connections: number; filter: string }[];
}

describe.skipIf(tshark === null)('--extract', () => {
  it('copies exactly the frames the display filter selects in each capture, with their timestamps', () => {
    const out = join(work, 'all.pcapng');
    const inputs = join(root, 'captures');
    const r = run(['--format', 'json', '--extract', out, inputs]);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    const expected = report.displayFilters.flatMap((f) => frames(f.file, f.filter));
    const connections = report.displayFilters.reduce((n, f) => n + f.connections, 0);
    expect(r.stderr).toContain(`closetrace: wrote ${expected.length} frames of ${connections} connections to ${out}`);
    expect(frames(out)).toEqual(expected);
  });

  it('gives every frame of each listed connection: as many streams as connections', () => {
    const out = join(work, 'streams.pcapng');
    expect(run(['--extract', out, capture]).status).toBe(0);
    const streams = new Set(spawnSync(tshark ?? '', ['-r', out, '-T', 'fields', '-e', 'tcp.stream'], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l !== ''));
    expect(streams.size).toBe(21);
  });

  it('writes pcapng: an interface per link type and timestamp unit, the capture application, a comment per source', () => {
    const out = join(work, 'three.pcapng');
    const sources = ['lo-ipv4.pcap', 'veth-ipv4-any-sll2.pcap', 'veth-ipv6-nsec.pcap'].map((f) => join(root, 'captures', f));
    expect(run(['--extract', out, ...sources]).status).toBe(0);
    const info = execFileSync('capinfos', ['-M', out], { encoding: 'utf8' });
    expect(info).toMatch(/File type:\s+pcapng/);
    expect(info).toMatch(/Capture application:\s+closetrace/);
    // Ethernet in microseconds, Linux SLL2 in microseconds, Ethernet in nanoseconds: as the sources were,
    // each with its source's snap length.
    const interfaces = info.split(/^Interface #\d+ info:$/m).slice(1);
    expect(interfaces).toHaveLength(3);
    expect(interfaces[0]).toMatch(/Encapsulation = Ethernet[\s\S]*Capture length = 262144[\s\S]*Time precision = microseconds/);
    expect(interfaces[1]).toMatch(/Encapsulation = .*sll2[\s\S]*Time precision = microseconds/i);
    expect(interfaces[2]).toMatch(/Encapsulation = Ethernet[\s\S]*Time precision = nanoseconds/);
    const comments = spawnSync(tshark ?? '', ['-r', out, '-Y', 'frame.comment', '-T', 'fields', '-e', 'frame.comment'], { encoding: 'utf8' }).stdout.trim().split('\n');
    // Each source's comment names the frame where its copied frames start: the first its filter selects.
    const report = JSON.parse(run(['--format', 'json', ...sources]).stdout) as Report;
    const first = report.displayFilters.map((f) => spawnSync(tshark ?? '', ['-r', f.file, '-Y', f.filter, '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8' }).stdout.split('\n')[0]);
    expect(comments).toEqual(sources.map((source, i) => `closetrace: from ${source}, frame ${first[i]} on`));
  });

  it('from standard input: the capture is spooled for the second pass', () => {
    const fromFile = join(work, 'file.pcapng');
    const fromStdin = join(work, 'stdin.pcapng');
    expect(run(['--extract', fromFile, capture]).status).toBe(0);
    const r = run(['--extract', fromStdin, '-'], { input: readFileSync(join(root, 'captures', 'lo-ipv4.pcap.gz')) });
    expect(r.status, r.stderr).toBe(0);
    expect(frames(fromStdin)).toEqual(frames(fromFile));
    // The temporary spool is gone.
    expect(readdirSync(tmpdir()).filter((f) => f.startsWith('closetrace-spool-') && existsSync(join(tmpdir(), f, 'stdin.capture')))).toEqual([]);
  });

  it.skipIf(!existsSync('/usr/bin/editcap'))('from a joined rotated set: the streams of the merged capture', () => {
    const dir = join(work, 'rotated');
    mkdirSync(dir);
    execFileSync('editcap', ['-c', '70', capture, join(dir, 'part.pcap')]);
    const parts = readdirSync(dir).sort().map((f) => join(dir, f));
    const joined = join(work, 'joined.pcapng');
    const whole = join(work, 'whole.pcapng');
    expect(run(['--join', '--extract', joined, ...parts]).status).toBe(0);
    expect(run(['--extract', whole, capture]).status).toBe(0);
    expect(frames(joined)).toEqual(frames(whole));
  });

  it('only the listed connections: --verdict narrows the extract too', () => {
    const out = join(work, 'refused.pcapng');
    const r = run(['--format', 'json', '--verdict', 'refused', '--extract', out, capture]);
    expect(JSON.parse(r.stdout).displayFilters).toEqual([{ file: capture, connections: 1, filter: 'tcp.stream eq 22' }]);
    expect(frames(out)).toEqual(frames(capture, 'tcp.stream eq 22'));
  });

  it('a file that cannot be written is one line and exit 2, after the report', () => {
    const r = run(['--extract', join(work, 'no', 'such', 'dir.pcapng'), capture]);
    expect(r.status).toBe(2);
    expect(r.stdout).toContain('closetrace 0.');
    expect(r.stderr).toMatch(/^closetrace: cannot write .*dir\.pcapng: ENOENT/m);
  });
});
