import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze, type AnalyzeOptions } from '../../src/batch/analyze.js';
import type { Report } from '../../src/report/model.js';
import { loadSocketsManifest, SOCKETS_DIR, type SocketsNamespace, type SocketsRun } from '../support/sockets-manifest.js';

/**
 * Issue 9: closetrace's per-host socket table ("what `ss -tan` would have shown at the end of the
 * capture") against the kernel's own `ss -tan` taken right after each capture of captures/sockets/
 * stopped (scripts/captures/make-sockets.sh).
 *
 * EXPECTED TO FAIL until the socket-table engine lands: the tests named "closetrace hosts: ..." need
 * `report.hosts` (analyze(..., { sockets: true })), which does not exist yet, and fail with the message
 * "report.hosts is missing". Everything else here (the manifest's margins, the capture read in full,
 * no ss socket the capture never saw) passes today.
 *
 * API the engine is to provide (issue 9): analyze([capture], { all: true, sockets: true }) returns a
 * report with a top-level `hosts` array, one entry per IP address seen:
 *   { address: '192.0.2.2', states: { TIME_WAIT: 100, ESTABLISHED: 0, ... },
 *     sockets: [{ state: 'TIME_WAIT', local: '192.0.2.2:7001', peer: '192.0.2.1:41234' }] }
 * with states spelled as TcpStateName. Timers run to the capture's last frame: TIME_WAIT 60 s, an
 * orphaned FIN_WAIT_2 tcp_fin_timeout (the run finwait2-timeout passes `tcpFinTimeoutSeconds: 3`, the
 * client namespace's sysctl; the option name is this test's proposal).
 *
 * Compared: for every namespace of every run, the non-zero state counts equal ss's (LISTEN excluded: a
 * capture never shows a listener) and the socket sets (state, local, peer) are equal. A state count of
 * CLOSED is compared like any other: ss lists no socket that is gone, so closetrace must not count one.
 * ss ran 0.3-1.4 s after the last frame (gapSeconds, asserted < 2 s); every socket with a timer is
 * asserted to be far (>= 2 s + gap) from its boundary at the last frame, and the expired orphans of
 * finwait2-timeout far past theirs, so the gap cannot change any state.
 */

interface HostSocket {
  state: string;
  local: string;
  peer: string;
}

interface HostTable {
  address: string;
  states: Record<string, number>;
  sockets?: HostSocket[];
}

type ReportWithHosts = Report & { hosts?: HostTable[] };

const MISSING = 'report.hosts is missing: the socket-table engine (issue 9) has not landed yet';
const MAX_GAP_SECONDS = 2;
const MIN_MARGIN_SECONDS = 2;

const manifest = loadSocketsManifest();

function nonZero(states: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(states).filter(([, n]) => n !== 0).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

const socketKey = (s: HostSocket): string => `${s.state} ${s.local} ${s.peer}`;
const ssSockets = (ns: SocketsNamespace): string[] => ns.sockets.filter((s) => s.listen !== true).map(socketKey).sort();

describe.each(manifest.runs.map((r) => [r.name, r] as const))('%s', (_name, run: SocketsRun) => {
  const options: AnalyzeOptions = { all: true, sockets: true, ...run.analyzeOptions };
  let pending: Promise<ReportWithHosts> | undefined;
  const report = (): Promise<ReportWithHosts> => (pending ??= analyze([join(SOCKETS_DIR, run.file)], options));

  it('manifest: ss ran < 2 s after the last frame and every socket is far from a timer boundary', () => {
    expect(run.times.gapSeconds).toBeGreaterThanOrEqual(0);
    expect(run.times.gapSeconds).toBeLessThan(MAX_GAP_SECONDS);
    expect(Number(run.times.ssStart) - Number(run.times.lastFrame)).toBeCloseTo(run.times.gapSeconds, 5);
    for (const ns of run.namespaces) {
      if (ns.minTimerRemainingAtLastFrame !== null) expect(ns.minTimerRemainingAtLastFrame).toBeGreaterThanOrEqual(MIN_MARGIN_SECONDS + run.times.gapSeconds);
    }
    if (run.margins.minSecondsPastFinTimeoutOfExpiredOrphans !== undefined) {
      expect(run.margins.minSecondsPastFinTimeoutOfExpiredOrphans).toBeGreaterThanOrEqual(MIN_MARGIN_SECONDS);
    }
  });

  it('closetrace reads every frame, and every socket ss shows is a connection of the capture', async () => {
    const r = await report();
    expect(r.captures).toHaveLength(1);
    expect(r.captures[0].error).toBeNull();
    expect(r.captures[0].frames).toBe(run.frames);
    expect(r.captures[0].tcpSegments).toBe(run.tcpSegments);
    const pairs = new Set(r.connections.flatMap((c) => [`${c.client} ${c.server}`, `${c.server} ${c.client}`]));
    for (const ns of run.namespaces) {
      for (const s of ns.sockets.filter((x) => x.listen !== true)) expect(pairs.has(`${s.local} ${s.peer}`), `${ns.role} ${s.ssState} ${s.local} ${s.peer}`).toBe(true);
    }
  });

  it('closetrace hosts: one per address of the capture', async () => {
    const { hosts } = await report();
    expect(hosts, MISSING).toBeDefined();
    expect((hosts ?? []).map((h) => h.address).sort()).toEqual(run.namespaces.flatMap((ns) => ns.addresses).sort());
  });

  it.each(run.namespaces.map((ns) => [ns.role, ns.addresses[0], ns] as const))(
    'closetrace hosts: %s %s has the state counts ss -tan printed (LISTEN excluded)',
    async (_role, address, ns) => {
      const { hosts } = await report();
      expect(hosts, MISSING).toBeDefined();
      const host = hosts?.find((h) => h.address === address);
      expect(host, `no host ${address}`).toBeDefined();
      expect(nonZero(host?.states ?? {})).toEqual(nonZero(ns.states));
    },
  );

  it.each(run.namespaces.map((ns) => [ns.role, ns.addresses[0], ns] as const))(
    'closetrace hosts: %s %s has the sockets ss -tan printed (state, local, peer)',
    async (_role, address, ns) => {
      const { hosts } = await report();
      expect(hosts, MISSING).toBeDefined();
      const host = hosts?.find((h) => h.address === address);
      expect(host?.sockets, `no sockets for host ${address} (option sockets: true)`).toBeDefined();
      expect((host?.sockets ?? []).map(socketKey).sort()).toEqual(ssSockets(ns));
    },
  );
});

describe('TIME_WAIT findings against what the kernel did', () => {
  const run = (name: string): SocketsRun => {
    const r = manifest.runs.find((x) => x.name === name);
    if (r === undefined) throw new Error(`no run ${name} in captures/sockets/manifest.json`);
    return r;
  };

  it.each(['reconnect-tw', 'reconnect-tw-nots'])('%s: every SYN reusing a 4-tuple in TIME_WAIT, with how the TIME_WAIT socket answered', async (name) => {
    const r = run(name);
    const report = await analyze([join(SOCKETS_DIR, r.file)], { all: true });
    const expected = { accepted: 0, ack: 0, rst: 0, none: 0 };
    // The kernel's TIME_WAIT socket either accepted the SYN (SYN/ACK) or answered with an ACK (the
    // client's RST then killed it and its retried SYN reached the listener): its first answer counts.
    for (const reuse of r.reuses ?? []) expected[reuse.outcome === 'accepted' ? 'accepted' : 'ack']++;
    expect(report.timeWaitReuse.counts).toEqual(expected);
    expect(report.timeWaitReuse.examples.every((e) => e.holder.endsWith(`:${r.server.split(':')[1]}`) && e.inTimeWaitSeconds < 60)).toBe(true);
  });

  it('tw-pressure: a client whose TIME_WAIT sockets to one server port fill its ephemeral range is a time-wait-pressure finding', async () => {
    const r = run('tw-pressure');
    const client = r.namespaces.find((ns) => ns.role === 'client');
    const [low, high] = (client?.sysctls['net.ipv4.ip_local_port_range'] ?? '').split(/\s+/).map(Number);
    const narrowed = await analyze([join(SOCKETS_DIR, r.file)], { portRange: [low, high] });
    expect(narrowed.timeWaitPressure).toHaveLength(1);
    const p = narrowed.timeWaitPressure[0];
    expect(p.host).toBe(client?.addresses[0]);
    expect(p.peer).toBe(r.server);
    expect(p.peak).toBe(high - low + 1);
    expect(p.share).toBe(1);
    expect(p.connections).toBe(r.connections.made);
    expect(p.connectionsPerSecond).toBeGreaterThan(50);
    // With Linux's default range (28,232 ports) the same 200 sockets are no pressure.
    const defaults = await analyze([join(SOCKETS_DIR, r.file)], {});
    expect(defaults.timeWaitPressure).toEqual([]);
  });
});

describe('who holds TIME_WAIT and how fast a service leaks, per service', () => {
  const run = (name: string): SocketsRun => manifest.runs.find((x) => x.name === name) as SocketsRun;

  it.each([
    ['tw-server-first', 'server'],
    ['tw-client-first', 'client'],
  ] as const)('%s: every connection leaves its TIME_WAIT on the %s, the side that closed first', async (name, holder) => {
    const r = run(name);
    const report = await analyze([join(SOCKETS_DIR, r.file)], {});
    const service = report.services.find((s) => s.server === r.server);
    expect(service?.timeWait).toEqual({ client: holder === 'client' ? r.connections.made : 0, server: holder === 'server' ? r.connections.made : 0 });
  });

  it('closewait-leak: close-waits per minute over the time the service was seen', async () => {
    const r = run('closewait-leak');
    const report = await analyze([join(SOCKETS_DIR, r.file)], {});
    const service = report.services.find((s) => s.server === r.server);
    const closeWait = service?.closeWait;
    expect(closeWait).not.toBeNull();
    const span = (Date.parse(service?.lastSeen ?? '') - Date.parse(service?.firstSeen ?? '')) / 1000;
    expect(closeWait?.perMinute).toBeCloseTo(((closeWait?.count ?? 0) * 60) / span, 0);
    // One connection every ~200 ms: about 300 a minute (the young ones at the end are not leaks yet).
    expect(closeWait?.perMinute).toBeGreaterThan(200);
    expect(closeWait?.perMinute).toBeLessThan(330);
  });
});
