/**
 * Exit codes and messages through the built binary: interrupts with a real child process and real
 * signals, inputs that yield nothing, a named pipe without a writer, standard input on a terminal, and
 * usage errors in the `closetrace: ...` form.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { capture, hasScript, noStackTrace, onTerminal, root, run, start } from './run-cli.js';

const work = mkdtempSync(join(tmpdir(), 'closetrace-exit-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function fifo(name: string): string {
  const path = join(work, name);
  execFileSync('mkfifo', [path]);
  return path;
}

describe('interrupted runs', () => {
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    it(`${signal} while reading a pipe: the partial report, "partial": true, exit ${code}`, async () => {
      const run = start(['--format', 'json', '-']);
      // The capture arrives and the pipe stays open, as with tcpdump -U -w -.
      run.child.stdin.write(readFileSync(capture));
      // The progress of the read is not observable from outside; a generous pause lets it be read.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      run.child.kill(signal);
      const { code: exitCode } = await run.exit;
      expect(exitCode).toBe(code);
      const report = JSON.parse(run.stdout());
      expect(report.partial).toBe(true);
      expect(report.summary.connections).toBe(27);
      expect(run.stderr()).toContain('reading was interrupted');
    });
  }

  it('a second Ctrl-C ends the process at once, even while it is stuck writing the report, and leaves no temporary file', async () => {
    // The whole archive as JSON is far more than a pipe holds: with nobody reading stdout, the report
    // cannot be written, so after the first Ctrl-C the process stays busy until the second one.
    const temporary = join(work, 'tmp-second-ctrl-c');
    mkdirSync(temporary);
    const run = start(['--format', 'json', '--all', '--jobs', '1', join(root, 'captures'), '-'], { env: { TMPDIR: temporary } });
    run.child.stdout.pause();
    run.child.stdin.write(readFileSync(capture));
    await new Promise((resolve) => setTimeout(resolve, 3000));
    run.child.kill('SIGINT');
    // Still alive: blocked on the full pipe.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(run.child.exitCode).toBe(null);
    run.child.kill('SIGINT');
    const { code, signal } = await run.exit;
    // The default action of SIGINT: killed by the signal (a shell reports 130).
    expect(signal).toBe('SIGINT');
    expect(code).toBe(null);
    // No handler ran, yet the records kept on disk for the report are gone with the process.
    expect(readdirSync(temporary)).toEqual([]);
  }, 60_000);

  it.skipIf(process.platform !== 'linux')('killed while spooling standard input for --extract: no temporary file is left', async () => {
    const temporary = join(work, 'tmp-killed-spool');
    mkdirSync(temporary);
    const run = start(['--extract', join(work, 'killed.pcapng'), '-'], { env: { TMPDIR: temporary } });
    run.child.stdin.write(readFileSync(capture));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    run.child.kill('SIGKILL');
    const { signal } = await run.exit;
    expect(signal).toBe('SIGKILL');
    expect(readdirSync(temporary)).toEqual([]);
  });

  it('a named pipe without a writer waits until Ctrl-C, and the other inputs are reported', async () => {
    const pipe = fifo('no-writer');
    const run = start(['--format', 'json', pipe, capture]);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(run.child.exitCode).toBe(null);
    run.child.kill('SIGINT');
    const { code } = await run.exit;
    expect(code).toBe(130);
    const report = JSON.parse(run.stdout());
    expect(report.partial).toBe(true);
    expect(report.captures.map((c: { file: string }) => c.file)).toEqual([pipe, capture]);
    expect(report.captures[1].connections).toBe(27);
  });

  it('a named pipe with a writer is read like a file, compressed or not', async () => {
    const pipe = fifo('with-writer');
    const run = start(['--format', 'json', pipe]);
    // The writer comes late: the reader waits for it (in the event loop, not a blocked thread).
    await new Promise((resolve) => setTimeout(resolve, 500));
    writeFileSync(pipe, readFileSync(join(root, 'captures', 'lo-ipv4.pcap.gz')));
    const { code } = await run.exit;
    expect(code).toBe(0);
    const report = JSON.parse(run.stdout());
    expect(report.partial).toBe(false);
    expect(report.captures[0]).toMatchObject({ file: pipe, compression: 'gzip', connections: 27 });
  });

  it('with several jobs, a pipe is read on the main thread while workers take the files', async () => {
    const pipe = fifo('jobs');
    const run = start(['--format', 'json', '--jobs', '2', capture, pipe, join(root, 'captures', 'two-paths.pcapng')]);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    run.child.kill('SIGINT');
    const { code } = await run.exit;
    expect(code).toBe(130);
    expect(JSON.parse(run.stdout()).captures).toHaveLength(3);
  });
});

describe('nothing read is exit 2, with a message and no empty report', () => {
  it('an empty directory, with --fail-on', () => {
    const empty = join(work, 'empty');
    mkdirSync(empty);
    writeFileSync(join(empty, 'notes.txt'), 'not a capture\n');
    const r = run(['--fail-on', 'close-wait', empty]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`closetrace: no capture was read: ${empty} holds no capture file (1 other file skipped)\n`);
  });

  it('a missing file: its error, and nothing on stdout', () => {
    const r = run(['--format', 'json', join(work, 'missing.pcap')]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')).toEqual([`closetrace: ${join(work, 'missing.pcap')}: cannot open: no such file`, 'closetrace: no capture was read: the input could not be read', '']);
  });

  it('but a capture cut short still gives what it holds (exit 2 and a report)', () => {
    const cut = join(work, 'cut.pcap');
    const bytes = readFileSync(capture);
    writeFileSync(cut, bytes.subarray(0, 5000));
    const r = run(['--format', 'json', cut]);
    expect(r.status).toBe(2);
    expect(JSON.parse(r.stdout).captures[0].frames).toBeGreaterThan(0);
  });
});

describe('standard input on a terminal', () => {
  it.skipIf(!hasScript)('is refused with a hint instead of waiting silently', () => {
    const r = onTerminal(['-']);
    expect(r.status).toBe(2);
    expect(r.stdout).toContain('closetrace: standard input is a terminal: pipe a capture into it');
  });
});

describe('usage errors', () => {
  it("carry the closetrace: prefix and a hint, never commander's bare form", () => {
    const cases: [string[], RegExp][] = [
      [['--bogus', capture], /^closetrace: unknown option '--bogus'\nTry 'closetrace --help' for more information\.\n$/],
      [['--format', 'xml', capture], /^closetrace: unknown format "xml" \(expected one of .*zeek\)\nTry 'closetrace --help'/],
      [[], /^closetrace: no input: name capture files/],
      [['--limit'], /^closetrace: option '--limit <n>' argument missing\n/],
      [['merge', '--bogus', 'x.json'], /^closetrace: unknown option '--bogus'\nTry 'closetrace merge --help'/],
      [['--host', 'example.com', capture], /^closetrace: --host: "example.com" is not an IP address or CIDR prefix/],
      [['-i', 'lo', '--join'], /^closetrace: -i reads one live capture/],
    ];
    for (const [args, pattern] of cases) {
      const r = run(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(pattern);
      expect(r.stderr).not.toMatch(/^error:/m);
      expect(r.stdout).toBe('');
      noStackTrace(r.stderr);
    }
  });
});
