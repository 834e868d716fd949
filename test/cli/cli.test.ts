import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/** The built CLI, run as a user would (npm test builds first). */
const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'dist', 'src', 'cli', 'bin.js');
const capture = join(root, 'captures', 'lo-ipv4.pcap');
const work = mkdtempSync(join(tmpdir(), 'closetrace-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function run(args: string[], options: { input?: Buffer; env?: NodeJS.ProcessEnv } = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [bin, ...args], {
    cwd: root,
    input: options.input,
    encoding: 'utf8',
    timeout: 60_000,
    // `--format json --all captures/` prints every connection of every shipped capture (> 1 MB, the default)
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, COLUMNS: undefined, ...options.env },
  });
}

const noStackTrace = (text: string): void => expect(text).not.toMatch(/^\s+at .+\(.+:\d+:\d+\)$/m);

describe('formats', () => {
  it('table (the default) has no colour in a pipe, and fits COLUMNS when it is set', () => {
    const r = run([capture], { env: { COLUMNS: '100' } });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('close-wait');
    expect(r.stdout).not.toContain('\x1b[');
    for (const line of r.stdout.split('\n')) expect([...line].length).toBeLessThanOrEqual(100);
  });

  it('json is the documented report', () => {
    const r = run(['--format', 'json', capture]);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.schema).toBe(1);
    expect(report.summary.connections).toBe(27);
    expect(report.connections.every((c: { verdict: string }) => c.verdict !== 'orderly')).toBe(true);
    expect(JSON.parse(run(['--format', 'json', '--all', capture]).stdout).connections).toHaveLength(27);
  });

  it('ndjson: one connection per line, then a summary line', () => {
    const lines = run(['--format', 'ndjson', capture]).stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.at(-1).type).toBe('summary');
    expect(lines.slice(0, -1).every((l) => l.type === 'connection')).toBe(true);
    expect(lines.length - 1).toBe(lines.at(-1).summary.findings);
  });

  it('markdown has the Wireshark filter and a ladder', () => {
    const md = run(['--format', 'markdown', capture]).stdout;
    expect(md).toMatch(/tcp\.stream eq \d+/);
    expect(md).toContain('```text');
  });

  it('html is one self-contained page', () => {
    const html = run(['--format', 'html', capture]).stdout;
    expect(html.startsWith('<!DOCTYPE html>') || html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/<script[^>]*src=|<link[^>]*href=/i);
  });

  it('csv has a header and one row per listed connection', () => {
    const rows = run(['--format', 'csv', '--all', capture]).stdout.trim().split('\n');
    expect(rows[0].startsWith('file,stream,client,server')).toBe(true);
    expect(rows).toHaveLength(28);
  });
});

describe('exit codes', () => {
  it('0 without --fail-on, 0 when nothing matches it, 1 when a finding matches', () => {
    expect(run([capture]).status).toBe(0);
    expect(run(['--fail-on', 'fin-unacked', capture]).status).toBe(0);
    expect(run(['--fail-on', 'close-wait,abortive-close', capture]).status).toBe(1);
  });

  it('--min-stuck also narrows --fail-on for close-wait', () => {
    expect(run(['--fail-on', 'close-wait', '--min-stuck', '1h', capture]).status).toBe(0);
  });

  it('2 for usage errors, one line, no stack trace', () => {
    for (const args of [['--format', 'xml', capture], ['--fail-on', 'leaky', capture], ['--min-stuck', 'soon', capture], ['--bogus', capture], []]) {
      const r = run(args);
      expect(r.status, args.join(' ')).toBe(2);
      noStackTrace(r.stderr);
    }
  });

  it('2 for an input that cannot be read, after reporting the others', () => {
    const text = join(work, 'notes.pcap');
    writeFileSync(text, 'not a capture\n');
    const r = run(['--format', 'json', join(work, 'missing.pcap'), text, capture]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(2);
    expect(r.stderr).toContain('missing.pcap: cannot open: no such file');
    expect(r.stderr).toMatch(/notes\.pcap: at byte 0: not a pcap or pcapng capture/);
    noStackTrace(r.stderr);
    expect(JSON.parse(r.stdout).summary.connections).toBe(27);
  });

  it('2 for a truncated capture, with the connections read before the cut', () => {
    const cut = join(work, 'cut.pcap');
    const bytes = readFileSync(capture);
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2) + 7));
    const r = run(['--format', 'json', '--all', cut]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/cut\.pcap: at byte \d+: the capture is truncated/);
    expect(JSON.parse(r.stdout).connections.length).toBeGreaterThan(0);
  });
});

describe('narrowing', () => {
  it('--verdict, --host and --port select connections', () => {
    const only = JSON.parse(run(['--format', 'json', '--verdict', 'refused,unanswered', capture]).stdout);
    expect(new Set(only.connections.map((c: { verdict: string }) => c.verdict))).toEqual(new Set(['refused', 'unanswered']));
    const port = JSON.parse(run(['--format', 'json', '--all', '--port', '5005', capture]).stdout);
    expect(port.connections.map((c: { server: string }) => c.server)).toEqual(['127.0.0.1:5005']);
    expect(port.summary.connections).toBe(1);
    const host = JSON.parse(run(['--format', 'json', '--all', '--host', '192.0.2.99', capture]).stdout);
    expect(host.summary.connections).toBe(0);
  });
});

describe('-o', () => {
  it('writes the report to the file, and nothing to stdout', () => {
    const out = join(work, 'report.json');
    const r = run(['--format', 'json', '-o', out, capture]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    expect(JSON.parse(readFileSync(out, 'utf8')).schema).toBe(1);
  });

  it('replaces a file atomically: no temporary file left, the old report untouched on failure', () => {
    const dir = mkdtempSync(join(work, 'atomic-'));
    const out = join(dir, 'report.md');
    writeFileSync(out, 'old report\n');
    expect(run(['--format', 'markdown', '-o', out, capture]).status).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain('# ');
    expect(readdirSync(dir)).toEqual(['report.md']);
    // Writing into a path whose directory does not exist fails cleanly and creates nothing.
    const bad = run(['--format', 'json', '-o', join(dir, 'no', 'such', 'dir.json'), capture]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('cannot write');
    noStackTrace(bad.stderr);
    expect(readdirSync(dir)).toEqual(['report.md']);
  });
});

describe('standard input', () => {
  it('reads a capture from -, gzip-compressed too', () => {
    const plain = run(['--format', 'json', '-'], { input: readFileSync(capture) });
    expect(plain.status).toBe(0);
    expect(JSON.parse(plain.stdout).captures[0].file).toBe('-');
    const gz = run(['--format', 'json', '-'], { input: readFileSync(join(root, 'captures', 'lo-ipv4.pcap.gz')) });
    expect(JSON.parse(gz.stdout).summary).toEqual(JSON.parse(plain.stdout).summary);
  });

  it('Ctrl-C on a live pipe ends the capture and prints what was seen', async () => {
    const child = spawn(process.execPath, [bin, '--format', 'json', '-'], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    // The capture arrives, the pipe stays open (like tcpdump -U -w -), then the user presses Ctrl-C.
    child.stdin.write(readFileSync(capture));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const started = Date.now();
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(Date.now() - started).toBeLessThan(5000);
    // Interrupted: 128 + SIGINT, and the report says it is partial.
    expect(code).toBe(130);
    const report = JSON.parse(stdout);
    expect(report.partial).toBe(true);
    expect(report.summary.connections).toBe(27);
    expect(report.captures[0].warnings.join(' ')).toContain('interrupted');
  });
});

describe('colour', () => {
  const tty = existsSync('/usr/bin/script');
  it.skipIf(!tty)('colours a terminal, but never with NO_COLOR', () => {
    const onTty = (env: string): string =>
      spawnSync('/usr/bin/script', ['-qec', `${env} ${process.execPath} ${bin} ${capture}`, '/dev/null'], { cwd: root, encoding: 'utf8', timeout: 60_000 }).stdout;
    expect(onTty('env -u NO_COLOR')).toContain('\x1b[');
    expect(onTty('env NO_COLOR=1')).not.toContain('\x1b[');
  });
});

describe('hostile file names', () => {
  it('are escaped in HTML and Markdown', () => {
    const name = join(work, '<img src=x onerror=alert(1)>.pcap');
    copyFileSync(capture, name);
    const html = run(['--format', 'html', name]).stdout;
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    // Markdown renders no HTML inside code spans and fenced blocks: outside them the tag must not appear.
    const md = run(['--format', 'markdown', name]).stdout;
    const prose = md.replace(/^(`{3,}|~{3,})[\s\S]*?^\1/gm, '').replace(/(`+)[^`]*?\1/g, '');
    expect(md).toContain('<img src=x');
    expect(prose).not.toContain('<img');
  });
});

describe('batches', () => {
  const all = join(root, 'captures');

  it('--jobs gives the same report whatever the number of workers', () => {
    const one = run(['--format', 'json', '--all', '--jobs', '1', all]);
    const two = run(['--format', 'json', '--all', '--jobs', '2', all]);
    expect(one.status).toBe(0);
    expect(two.stdout).toBe(one.stdout);
  });

  it('--shard I/N parts merged with `merge` equal one run', () => {
    const parts = [1, 2, 3].map((i) => {
      const out = join(work, `part${i}.json`);
      expect(run(['--format', 'json', '--shard', `${i}/3`, '-o', out, all]).status).toBe(0);
      return out;
    });
    const merged = run(['merge', ...parts, '--format', 'json']);
    expect(merged.status).toBe(0);
    expect(JSON.parse(merged.stdout)).toEqual(JSON.parse(run(['--format', 'json', all]).stdout));
  });

  it('merge refuses what it cannot merge, in one line with exit code 2', () => {
    const bad = join(work, 'bad.json');
    writeFileSync(bad, '{"schema": 7}');
    for (const args of [['merge', join(work, 'missing.json')], ['merge', bad], ['merge', capture]]) {
      const r = run(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      noStackTrace(r.stderr);
    }
  });

  it('--join reads several files as one capture, naming the file and frame of each finding', () => {
    const r = JSON.parse(run(['--format', 'json', '--join', capture, join(root, 'captures', 'veth-ipv6-nsec.pcap')]).stdout);
    expect(r.captures).toHaveLength(2);
    expect(r.connections[0].file).toContain(' + ');
    const source = r.connections[0].sources[0];
    expect(source).toEqual({ frame: expect.any(Number), file: expect.stringContaining('captures/'), fileFrame: expect.any(Number) });
  });

  it('bad batch options are usage errors', () => {
    for (const args of [['--shard', '4/3', all], ['--shard', 'half', all], ['--jobs', '0', all], ['--shard', '1/2', '--join', all]]) {
      const r = run(args);
      expect(r.status, args.join(' ')).toBe(2);
      noStackTrace(r.stderr);
    }
  });
});
