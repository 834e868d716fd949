/**
 * Issue 9 through the built binary: the per-host socket table, time-wait-pressure and TIME_WAIT reuse
 * in the reports; `--sockets` against the kernel's own `ss -tan` of captures/sockets/; the timer options
 * changing exactly the states they govern; `--port-range`, `--time-wait-pressure` and `--fail-on
 * time-wait-pressure`; `--host` narrowing the hosts; usage errors for bad values.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildPcap, conversation, LINKTYPE, mergeByTime } from '../../tools/craft/index.js';
import type { Report } from '../../src/report/model.js';
import { epochSeconds } from '../../src/time/time-text.js';
import { loadSocketsManifest, SOCKETS_DIR, type SocketsNamespace, type SocketsRun } from '../support/sockets-manifest.js';
import { noStackTrace, run } from './run-cli.js';

const manifest = loadSocketsManifest();
const work = mkdtempSync(join(tmpdir(), 'closetrace-sockets-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function runOf(name: string): SocketsRun {
  const r = manifest.runs.find((x) => x.name === name);
  if (r === undefined) throw new Error(`no run ${name} in captures/sockets/manifest.json`);
  return r;
}

const file = (r: SocketsRun): string => join(SOCKETS_DIR, r.file);

/** The command-line options that model a run's hosts (its analyzeOptions, as the library takes them). */
function runOptions(r: SocketsRun): string[] {
  return r.analyzeOptions === undefined ? [] : ['--tcp-fin-timeout', `${r.analyzeOptions.tcpFinTimeoutSeconds}s`];
}

function json(args: string[]): Report {
  const out = run(['--format', 'json', ...args]);
  // Capture-quality warnings may come (reconnect-tw-nots); nothing else.
  expect(out.stderr).not.toMatch(/^closetrace: (?!warning: )/m);
  expect(out.status).toBe(0);
  return JSON.parse(out.stdout) as Report;
}

const ssSockets = (ns: SocketsNamespace): string[] =>
  ns.sockets
    .filter((s) => s.listen !== true)
    .map((s) => `${s.state} ${s.local} ${s.peer}`)
    .sort();

/** The `--sockets` listing of the table: per host, `state local peer` of every row under its heading. */
function tableListings(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^Sockets of (\S+) at the end of the capture: (\d+)$/.exec(lines[i]);
    if (m === null) continue;
    // The heading, the column names, the rule, then one row per socket up to the blank line.
    const rows: string[] = [];
    for (let j = i + 3; j < lines.length && lines[j] !== ''; j++) rows.push(lines[j].trim().split(/\s+/).join(' '));
    expect(rows).toHaveLength(Number(m[2]));
    out.set(m[1], rows.sort());
  }
  return out;
}

describe('--sockets lists exactly the sockets ss -tan listed (captures/sockets/)', () => {
  it.each(manifest.runs.map((r) => [r.name, r] as const))('%s: JSON hosts[].sockets and the table listing', (_name, r) => {
    const report = json(['--sockets', ...runOptions(r), file(r)]);
    const table = run(['--sockets', ...runOptions(r), file(r)]);
    expect(table.status).toBe(0);
    const listed = tableListings(table.stdout);
    for (const ns of r.namespaces) {
      const address = ns.addresses[0];
      const host = report.hosts.find((h) => h.address === address);
      expect(host, address).toBeDefined();
      expect((host?.sockets ?? []).map((s) => `${s.state} ${s.local} ${s.peer}`).sort(), `${r.name} ${ns.role}`).toEqual(ssSockets(ns));
      // A host with no socket left gets no listing (ss printed only its listener).
      expect(listed.get(address) ?? [], `${r.name} ${ns.role} (table)`).toEqual(ssSockets(ns));
    }
  });

  it('without --sockets the JSON has the counts but no socket list, and the table points to --sockets', () => {
    const r = runOf('closewait-leak');
    const report = json([file(r)]);
    expect(report.hosts.every((h) => h.sockets === undefined)).toBe(true);
    const table = run([file(r)]).stdout;
    expect(table).not.toMatch(/^Sockets of /m);
    expect(table).toContain('Every socket: --sockets.');
    expect(table).toMatch(/^192\.0\.2\.2 +60 +CLOSE_WAIT 60 +(ESTABLISHED \d+ at \d\d:\d\d:\d\d\.\d{3}; )?CLOSE_WAIT 60 at \d\d:\d\d:\d\d\.\d{3}$/m);
    // The clients held ESTABLISHED sockets only briefly; FIN_WAIT_2 has no timeline of its own.
    expect(table).toMatch(/^192\.0\.2\.1 +60 +FIN_WAIT_2 60 +(-|ESTABLISHED \d+ at \d\d:\d\d:\d\d\.\d{3})$/m);
  });
});

describe('the timer options change the states they govern', () => {
  it('--time-wait: TIME_WAIT sockets are those that entered it within that long of the capture end', () => {
    const r = runOf('tw-server-first');
    const server = r.namespaces.find((ns) => ns.role === 'server')?.addresses[0];
    const defaults = json([file(r)]);
    expect(defaults.hosts.find((h) => h.address === server)?.states.TIME_WAIT).toBe(100);
    // The server enters TIME_WAIT when the client's FIN arrives (the server closed first).
    const all = json(['--all', '--time-wait', '1s', file(r)]);
    const end = epochSeconds(all.captures[0].end ?? '');
    const recent = all.connections.filter((c) => c.fins.some((f) => f.from === 'client' && !f.retransmission && epochSeconds(f.time) > end - 1)).length;
    expect(recent).toBeGreaterThan(0);
    expect(recent).toBeLessThan(100);
    expect(all.hosts.find((h) => h.address === server)?.states.TIME_WAIT).toBe(recent);
    // No TIME_WAIT at all: nothing left, on any host.
    const none = json(['--time-wait', '0s', file(r)]);
    expect(none.hosts.map((h) => h.states.TIME_WAIT)).toEqual(none.hosts.map(() => 0));
  });

  it('--tcp-fin-timeout: the orphaned FIN_WAIT_2 sockets of finwait2-timeout expire after 3 s, as the kernel had them', () => {
    const r = runOf('finwait2-timeout');
    const client = r.namespaces.find((ns) => ns.role === 'client');
    const host = (report: Report): Report['hosts'][number] | undefined => report.hosts.find((h) => h.address === client?.addresses[0]);
    expect(host(json(['--tcp-fin-timeout', '3s', file(r)]))?.states.FIN_WAIT_2).toBe(client?.states.FIN_WAIT_2);
    // Linux's default 60 s keeps the 5 orphans too.
    expect(host(json([file(r)]))?.states.FIN_WAIT_2).toBe((client?.states.FIN_WAIT_2 ?? 0) + 5);
  });

  it('--synack-retries, --orphan-retries, --syn-retries: each ends only its own state', () => {
    // A SYN/ACK never ACKed (SYN_RECEIVED), a FIN never ACKed (FIN_WAIT_1), a SYN whose SYN/ACK is in
    // the capture but whose ACK is not (SYN_SENT), then a connection 20 s later that ends the capture.
    const half = conversation('10.0.0.1:40000', '10.0.0.2:80');
    half.syn({ at: 1_700_000_000 });
    half.synAck({ after: 0.001 });
    const fin = conversation('10.0.0.1:40001', '10.0.0.2:81');
    fin.syn({ at: 1_700_000_000.5 });
    fin.synAck();
    fin.ack();
    fin.data('a', 10);
    fin.ack('b');
    fin.fin('a', { after: 0.01 });
    const late = conversation('10.0.0.1:40002', '10.0.0.2:82');
    late.syn({ at: 1_700_000_020 });
    late.synAck();
    late.ack();
    const path = join(work, 'timers.pcap');
    writeFileSync(path, buildPcap(mergeByTime(half.packets, fin.packets, late.packets), { linkType: LINKTYPE.RAW }));
    const states = (args: string[]): Record<string, Record<string, number>> =>
      Object.fromEntries(json([...args, path]).hosts.map((h) => [h.address, Object.fromEntries(Object.entries(h.states).filter(([, n]) => n > 0))]));
    const defaults = states([]);
    expect(defaults).toEqual({ '10.0.0.1': { ESTABLISHED: 1, SYN_SENT: 1, FIN_WAIT_1: 1 }, '10.0.0.2': { ESTABLISHED: 2, SYN_RECEIVED: 1 } });
    expect(states(['--synack-retries', '5s'])).toEqual({ ...defaults, '10.0.0.2': { ESTABLISHED: 2 } });
    expect(states(['--orphan-retries', '5s'])).toEqual({ ...defaults, '10.0.0.1': { ESTABLISHED: 1, SYN_SENT: 1 } });
    expect(states(['--syn-retries', '5s'])).toEqual({ ...defaults, '10.0.0.1': { ESTABLISHED: 1, FIN_WAIT_1: 1 } });
    // Longer than the capture: nothing changes.
    expect(states(['--synack-retries', '30s', '--orphan-retries', '30s', '--syn-retries', '30s'])).toEqual(defaults);
  });
});

describe('time-wait-pressure', () => {
  const r = runOf('tw-pressure');
  const client = r.namespaces.find((ns) => ns.role === 'client');
  const range = (client?.sysctls['net.ipv4.ip_local_port_range'] ?? '').trim();

  it('--port-range with the client namespace range makes it a finding; --fail-on time-wait-pressure exits 1', () => {
    expect(range).toBe('42000 42199');
    const report = json(['--port-range', '42000-42199', file(r)]);
    expect(report.timeWaitPressure).toHaveLength(1);
    expect(report.timeWaitPressure[0]).toMatchObject({ host: client?.addresses[0], peer: r.server, peak: 200, ports: 200, share: 1 });
    const failed = run(['--port-range', '42000-42199', '--fail-on', 'time-wait-pressure', file(r)]);
    expect(failed.status).toBe(1);
    expect(failed.stdout).toContain('1 time-wait-pressure');
    expect(failed.stdout).toMatch(/^time-wait-pressure: 1 finding, /m);
    expect(failed.stdout).toMatch(/^192\.0\.2\.1 +192\.0\.2\.2:7006 +200 +200 +100% +\d\d:\d\d:\d\d\.\d{3} +200 +\d+\/s$/m);
    expect(failed.stdout).toContain('net.ipv4.tcp_tw_reuse');
    expect(failed.stdout).toContain('tcp_tw_recycle` no longer exists');
    // The range as `sysctl -n net.ipv4.ip_local_port_range` prints it is taken too.
    expect(run(['--port-range', '42000\t42199', '--fail-on', 'time-wait-pressure', file(r)]).status).toBe(1);
    // Other verdicts in --fail-on do not hide it, and it does not make them match.
    expect(run(['--port-range', '42000-42199', '--fail-on', 'close-wait,time-wait-pressure', file(r)]).status).toBe(1);
    expect(run(['--port-range', '42000-42199', '--fail-on', 'close-wait', file(r)]).status).toBe(0);
  });

  it("with Linux's default range the 200 sockets are no pressure, unless --time-wait-pressure asks for a smaller share", () => {
    expect(json([file(r)]).timeWaitPressure).toEqual([]);
    expect(run(['--fail-on', 'time-wait-pressure', file(r)]).status).toBe(0);
    // 28,232 ports: 0.7% is 198 sockets (below the 200 held), 0.71% is 201 (above).
    expect(json(['--time-wait-pressure', '0.007', file(r)]).timeWaitPressure).toHaveLength(1);
    expect(json(['--time-wait-pressure', '0.71%', file(r)]).timeWaitPressure).toEqual([]);
  });

  it('--host narrows hosts, pressure findings and --fail-on as it narrows connections', () => {
    const both = json(['--port-range', '42000-42199', file(r)]);
    expect(both.hosts.map((h) => h.address)).toEqual(['192.0.2.1', '192.0.2.2']);
    const server = json(['--port-range', '42000-42199', '--host', '192.0.2.2', file(r)]);
    expect(server.hosts.map((h) => h.address)).toEqual(['192.0.2.2']);
    // The finding has an end (its server) in 192.0.2.2, as the connections it counts do.
    expect(server.timeWaitPressure).toHaveLength(1);
    expect(server.summary.connections).toBe(200);
    const prefix = json(['--port-range', '42000-42199', '--host', '192.0.2.0/31', file(r)]);
    expect(prefix.hosts.map((h) => h.address)).toEqual(['192.0.2.1']);
    const elsewhere = json(['--port-range', '42000-42199', '--host', '10.0.0.0/8', file(r)]);
    expect(elsewhere.hosts).toEqual([]);
    expect(elsewhere.timeWaitPressure).toEqual([]);
    expect(elsewhere.summary.connections).toBe(0);
    expect(run(['--port-range', '42000-42199', '--host', '10.0.0.0/8', '--fail-on', 'time-wait-pressure', file(r)]).status).toBe(0);
    const table = run(['--port-range', '42000-42199', '--host', '192.0.2.2', file(r)]).stdout;
    expect(table).not.toMatch(/^192\.0\.2\.1 +200 +TIME_WAIT 200/m);
  });
});

describe('TIME_WAIT reuse and the services', () => {
  it('reconnect-tw: the reuse counts, and with --all each reuse; --host narrows them', () => {
    const r = runOf('reconnect-tw');
    const table = run([file(r)]).stdout;
    expect(table).toContain('TIME_WAIT reuse\n10 SYNs reused a 4-tuple one side still held in TIME_WAIT:\n- 10 accepted: the TIME_WAIT socket answered with a SYN/ACK');
    expect(table).toContain('Each of them (stream, holder, how long in TIME_WAIT): --all.');
    const all = run(['--all', '--limit', '100', file(r)]).stdout;
    const rows = all.split('\n').filter((l) => /^ +\d+ +192\.0\.2\.2:7005 +192\.0\.2\.1:4300\d +\d\d:\d\d:\d\d\.\d{3} +\d+ ms +accepted$/.test(l));
    expect(rows).toHaveLength(10);
    expect(json(['--host', '192.0.2.1', file(r)]).timeWaitReuse.counts.accepted).toBe(10);
    const elsewhere = json(['--host', '192.0.2.3', file(r)]).timeWaitReuse;
    expect(elsewhere).toEqual({ counts: { accepted: 0, ack: 0, rst: 0, none: 0 }, examples: [] });
  });

  it('closewait-leak: the leak rate and how long 1,024 descriptors last; tw-server-first: who holds TIME_WAIT', () => {
    const leak = runOf('closewait-leak');
    const report = json([file(leak)]);
    const perMinute = report.services[0].closeWait?.perMinute ?? 0;
    expect(perMinute).toBeGreaterThan(200);
    const minutes = 1024 / perMinute;
    const table = run([file(leak)]).stdout;
    expect(table).toContain(`leaks ${Math.round(perMinute)} sockets a minute; at that rate 1,024 file descriptors last ${Number(minutes.toFixed(1))} min`);
    const tw = runOf('tw-server-first');
    // No finding: the service shows with --all, with the holder of its TIME_WAIT sockets.
    expect(run([file(tw)]).stdout).not.toContain('TIME_WAIT held by');
    expect(run(['--all', file(tw)]).stdout).toMatch(/^server +connections +verdicts +TIME_WAIT held by\n.*\n192\.0\.2\.2:7001 +100 +100 orderly +server 100$/m);
  });
});

describe('every format', () => {
  const r = runOf('tw-pressure');
  const args = ['--port-range', '42000-42199', '--sockets', file(r)];

  it('markdown and HTML carry the sections; ndjson its summary line; CSV and Zeek stay one row per connection', () => {
    const md = run(['--format', 'markdown', ...args]).stdout;
    for (const heading of ['## TIME_WAIT pressure: ephemeral ports held by TIME_WAIT sockets', '## Sockets at the end of the capture', '## Every socket at the end of the capture', '### `192.0.2.1`: 200 sockets']) {
      expect(md).toContain(`\n${heading}\n`);
    }
    expect(md).toMatch(/\| `192\.0\.2\.1` \| 200 \| TIME_WAIT 200 \| (ESTABLISHED \d+ at [\d:.]+; )?TIME_WAIT 200 at /);
    const html = run(['--format', 'html', ...args]).stdout;
    for (const id of ['time-wait-pressure', 'sockets', 'every-socket']) expect(html).toContain(`<section id="${id}"`);
    expect(html).toContain('aria-label="Sockets of 192.0.2.1 in ESTABLISHED, TIME_WAIT over time"');
    expect(html.match(/<tr><td>TIME_WAIT<\/td><td><code>192\.0\.2\.1:42\d{3}<\/code><\/td><td><code>192\.0\.2\.2:7006<\/code><\/td><\/tr>/g)).toHaveLength(200);
    const lines = run(['--format', 'ndjson', ...args]).stdout.trimEnd().split('\n');
    const summary = JSON.parse(lines[lines.length - 1]) as Report & { type: string };
    expect(summary.type).toBe('summary');
    expect(summary.hosts.find((h) => h.address === '192.0.2.1')?.sockets).toHaveLength(200);
    expect(summary.timeWaitPressure).toHaveLength(1);
    expect(summary.timeWaitReuse.counts).toEqual({ accepted: 0, ack: 0, rst: 0, none: 0 });
    // One row per connection: the host sections are in JSON (README says so), not in these.
    expect(run(['--format', 'csv', ...args]).stdout).toBe(run(['--format', 'csv', file(r)]).stdout);
    expect(run(['--format', 'zeek', '--all', ...args]).stdout).toBe(run(['--format', 'zeek', '--all', file(r)]).stdout);
  });
});

describe('usage errors', () => {
  it.each([
    ['--port-range', '60999-32768'],
    ['--port-range', '0-100'],
    ['--port-range', '1024-70000'],
    ['--port-range', '32768'],
    ['--time-wait-pressure', '0'],
    ['--time-wait-pressure', '1.5'],
    ['--time-wait-pressure', 'half'],
    ['--time-wait', 'forever'],
    ['--tcp-fin-timeout', '-3s'],
    ['--orphan-retries', '8x'],
    ['--syn-retries', 'six'],
    ['--synack-retries', ''],
    ['--fail-on', 'time-wait'],
  ])('%s %j: one line naming the option, exit 2', (option, value) => {
    const out = run([option, value, join(SOCKETS_DIR, runOf('tw-pressure').file)]);
    expect(out.status).toBe(2);
    expect(out.stdout).toBe('');
    expect(out.stderr).toMatch(new RegExp(`^closetrace: ${option}: .*\\nTry 'closetrace --help' for more information\\.\\n$`));
    noStackTrace(out.stderr);
  });

  it('--verdict does not take time-wait-pressure (it lists connections)', () => {
    const out = run(['--verdict', 'time-wait-pressure', join(SOCKETS_DIR, runOf('tw-pressure').file)]);
    expect(out.status).toBe(2);
    expect(out.stderr).toMatch(/^closetrace: --verdict: unknown verdict "time-wait-pressure"/);
  });
});
