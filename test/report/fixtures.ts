/**
 * Reports and records for the renderer tests. Two kinds: real ones (fixtures/*.json, produced by
 * closetrace from the public corpus and from the Linux captures in captures/), and records built here
 * with one field changed at a time to corner a renderer (hostile file names, long IPv6 addresses, many
 * rows).
 */
import { emptyQuality } from '../../src/engine/capture-facts.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CaptureFacts, Report } from '../../src/report/model.js';
import type { RenderOptions } from '../../src/render/render.js';
import { FINDINGS, VERDICTS, type ConnectionRecord, type Verdict } from '../../src/verdict/types.js';

const DIR = join(import.meta.dirname, 'fixtures');

/** Findings of 8 public corpus captures (one of them missing: a capture with an error), as JSON. */
export function corpusReport(): Report {
  return JSON.parse(readFileSync(join(DIR, 'corpus-findings.json'), 'utf8')) as Report;
}

/** Records with ladders from the Linux captures: close-wait (sending and idle), abortive-close, late-fin-reset, keepalive-timeout. */
export function ladderRecords(): Record<'closeWait' | 'closeWaitIdle' | 'abortive' | 'lateFin' | 'keepalive', ConnectionRecord> {
  return JSON.parse(readFileSync(join(DIR, 'ladder-records.json'), 'utf8')) as Record<'closeWait' | 'closeWaitIdle' | 'abortive' | 'lateFin' | 'keepalive', ConnectionRecord>;
}

export const HOSTILE_FILE = '<img src=x onerror=alert(1)>.pcap';
export const LONG_IPV6_CLIENT = '[2001:db8:ffff:ffff:ffff:ffff:ffff:fffe]:65535';
export const LONG_IPV6_SERVER = '[2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff]:8443';

export const OPTIONS: RenderOptions = { color: false, width: 100, limit: 20, all: false };

export function record(overrides: Partial<ConnectionRecord> = {}): ConnectionRecord {
  return {
    file: 'capture.pcap',
    stream: 0,
    client: '10.0.0.1:40000',
    server: '10.0.0.5:8080',
    roleInferred: false,
    verdict: 'close-wait',
    endpoint: 'server',
    cause: null,
    confidence: null,
    since: '2024-05-01T10:00:01.500000Z',
    stuckSeconds: 41,
    delaySeconds: null,
    activity: 'idle',
    fromState: null,
    bytesDiscarded: null,
    halfClose: null,
    start: '2024-05-01T10:00:00.000000Z',
    end: '2024-05-01T10:00:01.500000Z',
    firstFrame: 1,
    lastFrame: 6,
    packets: 6,
    bytes: { client: 10, server: 20 },
    states: { client: 'FIN_WAIT_2', server: 'CLOSE_WAIT' },
    fins: [{ frame: 5, from: 'client', time: '2024-05-01T10:00:01.400000Z', ackFrame: 6, retransmission: false }],
    resets: [],
    icmpErrors: [],
    evidence: [5, 6],
    inferred: [],
    quality: null,
    ladder: [
      { frame: 1, from: 'client', offset: 0, flags: 'S', seq: 0, ack: null, length: 0 },
      { frame: 2, from: 'server', offset: 0.0001, flags: 'S.', seq: 0, ack: 1, length: 0 },
      { frame: 3, from: 'client', offset: 0.0002, flags: '.', seq: 1, ack: 1, length: 0 },
      { frame: 4, from: 'client', offset: 0.01, flags: 'P.', seq: 1, ack: 1, length: 10 },
      { frame: 5, from: 'client', offset: 1.4, flags: 'F.', seq: 11, ack: 1, length: 0 },
      { frame: 6, from: 'server', offset: 1.5, flags: '.', seq: 1, ack: 12, length: 0 },
    ],
    history: 'ShADaF',
    connState: 'S2',
    explanation: 'The server 10.0.0.5:8080 ACKed the client\'s FIN (frame 5) but never sent its own FIN or RST.',
    endReason: 'capture-end',
    packetsSent: { client: 4, server: 2 },
    late: null,
    ...overrides,
  };
}

export function capture(overrides: Partial<CaptureFacts> = {}): CaptureFacts {
  return {
    file: 'capture.pcap',
    format: 'pcap',
    compressed: false,
    compression: null,
    linkTypes: ['ethernet'],
    frames: 1000,
    tcpSegments: 990,
    connections: 10,
    start: '2024-05-01T10:00:00.000000Z',
    end: '2024-05-01T10:05:00.000000Z',
    notDecoded: {},
    error: null,
    warnings: [],
    quality: emptyQuality(),
    ...overrides,
  };
}

/** A report around `records`, with summary and services computed from them the way the builder does. */
export function report(records: ConnectionRecord[], captures: CaptureFacts[] = [capture()]): Report {
  const verdicts = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
  for (const r of records) verdicts[r.verdict]++;
  const servers = new Map<string, ConnectionRecord[]>();
  for (const r of records) servers.set(r.server, [...(servers.get(r.server) ?? []), r]);
  return {
    schema: 1,
    generator: { name: 'closetrace', version: '0.1.0' },
    captures,
    summary: { captures: captures.length, connections: records.length, findings: records.filter((r) => FINDINGS.has(r.verdict)).length, verdicts },
    hosts: [],
    timeWaitPressure: [],
    timeWaitReuse: { counts: { accepted: 0, ack: 0, rst: 0, none: 0 }, examples: [] },
    services: [...servers].map(([server, list]) => {
      const stuck = list.filter((r) => r.verdict === 'close-wait').map((r) => r.stuckSeconds ?? 0).sort((a, b) => a - b);
      const counts: Partial<Record<Verdict, number>> = {};
      for (const r of list) counts[r.verdict] = (counts[r.verdict] ?? 0) + 1;
      return {
        server,
        connections: list.length,
        verdicts: counts,
        closeWait: stuck.length === 0 ? null : { count: stuck.length, medianStuckSeconds: stuck[stuck.length >> 1], maxStuckSeconds: stuck[stuck.length - 1], perMinute: null },
        timeWait: null,
        firstSeen: list[0].start,
        lastSeen: list[0].end,
      };
    }),
    connections: records,
  };
}

/** One record of each finding kind (and the normal ends), each on its own stream. */
export function everyVerdict(): ConnectionRecord[] {
  const rst = (frame: number, from: 'client' | 'server', shape: 'active' | 'passive'): ConnectionRecord['resets'][number] => ({
    frame,
    from,
    time: '2024-05-01T10:00:02.000000Z',
    shape,
    seq: 1,
    ack: null,
    window: 0,
    ttl: 64,
    ipId: 0,
  });
  return [
    record({ stream: 0, stuckSeconds: 12 }),
    record({ stream: 1, verdict: 'late-fin-reset', endpoint: 'server', since: null, stuckSeconds: null, delaySeconds: 65.2, resets: [rst(8, 'client', 'passive')], evidence: [5, 6, 7, 8] }),
    record({ stream: 2, verdict: 'abortive-close', endpoint: 'client', cause: 'linger-zero', confidence: 'certain', fromState: 'ESTABLISHED', bytesDiscarded: 1200, since: null, stuckSeconds: null, resets: [rst(5, 'client', 'active')], evidence: [5] }),
    record({ stream: 3, verdict: 'reset-after-close', endpoint: 'server', since: null, stuckSeconds: null, resets: [rst(7, 'server', 'passive')], evidence: [5, 6, 7] }),
    record({ stream: 4, verdict: 'keepalive-timeout', endpoint: 'client', since: null, stuckSeconds: null, resets: [rst(9, 'client', 'active')], evidence: [6, 9] }),
    record({ stream: 5, verdict: 'reset', endpoint: 'server', cause: 'no-socket', since: null, stuckSeconds: null, resets: [rst(6, 'server', 'passive')], evidence: [6] }),
    record({ stream: 6, verdict: 'reset', endpoint: 'server', cause: 'middlebox-suspected', since: null, stuckSeconds: null, resets: [rst(6, 'server', 'passive')], evidence: [6] }),
    record({ stream: 7, verdict: 'fin-unacked', endpoint: 'client', confidence: 'certain', since: null, stuckSeconds: null, evidence: [5, 7] }),
    record({ stream: 8, verdict: 'slow-close', endpoint: 'server', since: null, stuckSeconds: null, delaySeconds: 3.5, evidence: [5, 6, 7] }),
    record({ stream: 9, verdict: 'refused', endpoint: 'server', since: null, stuckSeconds: null, resets: [rst(2, 'server', 'passive')], evidence: [1, 2], ladder: [] }),
    record({ stream: 10, verdict: 'unanswered', endpoint: 'server', since: null, stuckSeconds: null, evidence: [1], ladder: [] }),
    record({ stream: 11, verdict: 'orderly', endpoint: 'client', halfClose: false, since: null, stuckSeconds: null, ladder: [] }),
    record({ stream: 12, verdict: 'simultaneous-close', endpoint: null, since: null, stuckSeconds: null, ladder: [] }),
    record({ stream: 13, verdict: 'open', endpoint: null, since: null, stuckSeconds: null, evidence: [], ladder: [] }),
  ];
}
