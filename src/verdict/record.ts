import type { Flow } from '../flow/flow.js';
import type { TrackedConnection } from '../track/connection.js';
import { TCP_STATE_NAMES } from '../track/tcp-state.js';
import { formatEndpoint } from '../decode/address-text.js';
import { explain } from './explain.js';
import { describeIcmp } from './icmp-errors.js';
import { judge, type Thresholds } from './judge.js';
import { clientDirection } from './roles.js';
import { isoTime, secondsBetween } from './time-format.js';
import { ladderSteps } from './ladder-steps.js';
import { FINDINGS, type ConnectionRecord, type EndReason, type Side } from './types.js';

export interface RecordContext {
  file: string;
  /** Sub-second digits of the capture's timestamps. */
  precision: number;
  thresholds: Thresholds;
}

/** Turns a flow that left the table into its public record: verdict, evidence, explanation. */
export function buildRecord(
  flow: Flow<TrackedConnection>,
  endReason: EndReason,
  horizon: { seconds: number; nanos: number },
  ctx: RecordContext,
): ConnectionRecord {
  const conn = flow.state;
  const { client: clientDir, inferred } = clientDirection(conn, flow.aPort, flow.bPort);
  const j = judge(conn, clientDir, horizon, ctx.thresholds);
  const sideOf = (dir: number): Side => (dir === clientDir ? 'client' : 'server');
  const addressA = formatEndpoint(flow.ipVersion, flow.a0, flow.a1, flow.a2, flow.a3, flow.aPort);
  const addressB = formatEndpoint(flow.ipVersion, flow.b0, flow.b1, flow.b2, flow.b3, flow.bPort);
  const addressOf = (dir: number): string => (dir === 0 ? addressA : addressB);
  const time = (seconds: number, nanos: number): string => isoTime(seconds, nanos, ctx.precision);
  const round = (value: number | null): number | null => (value === null ? null : secondsBetween(0, 0, 0, Math.round(value * 1e9), ctx.precision));
  const client = conn.ends[clientDir];
  const server = conn.ends[clientDir ^ 1];
  return {
    file: ctx.file,
    stream: flow.stream,
    client: addressOf(clientDir),
    server: addressOf(clientDir ^ 1),
    roleInferred: inferred,
    verdict: j.verdict,
    endpoint: j.endpoint < 0 ? null : sideOf(j.endpoint),
    cause: j.cause,
    confidence: j.confidence,
    since: j.since === null ? null : time(j.since.seconds, j.since.nanos),
    stuckSeconds:
      j.since === null || j.stuckSeconds === null
        ? null
        : Math.max(0, secondsBetween(j.since.seconds, j.since.nanos, horizon.seconds, horizon.nanos, ctx.precision)),
    delaySeconds: round(j.delaySeconds),
    activity: j.activity,
    fromState: j.fromState,
    bytesDiscarded: j.bytesDiscarded,
    halfClose: j.halfClose,
    start: time(conn.firstSeconds, conn.firstNanos),
    end: time(conn.lastSeconds, conn.lastNanos),
    firstFrame: flow.firstFrame,
    lastFrame: flow.lastFrame,
    packets: flow.packets,
    bytes: { client: client.payloadBytes, server: server.payloadBytes },
    states: { client: TCP_STATE_NAMES[client.state], server: TCP_STATE_NAMES[server.state] },
    fins: conn.fins.map((f) => ({
      frame: f.frame,
      from: sideOf(f.from),
      time: time(f.seconds, f.nanos),
      ackFrame: f.ackFrame === 0 ? null : f.ackFrame,
      retransmission: f.retransmission,
    })),
    resets: conn.resets.map((r) => ({
      frame: r.frame,
      from: sideOf(r.from),
      time: time(r.seconds, r.nanos),
      shape: r.shape,
      seq: r.seq,
      ack: (r.flags & 0x10) !== 0 ? r.ack : null,
      window: r.window,
      ttl: r.ttl,
      ipId: r.ipId < 0 ? null : r.ipId,
    })),
    icmpErrors: conn.icmp.map((e) => ({
      frame: e.frame,
      time: time(e.seconds, e.nanos),
      about: sideOf(e.about),
      type: e.type,
      code: e.code,
      description: describeIcmp(e),
      reporter: e.reporter,
    })),
    evidence: j.evidence.filter((f) => f > 0),
    ladder: FINDINGS.has(j.verdict) ? ladderSteps(conn, sideOf) : [],
    history: conn.zeek.history,
    connState: conn.zeek.connState(),
    explanation: explain({
      judgement: j,
      sideOf,
      addressOf,
      clock: (seconds, nanos) => time(seconds, nanos).slice(11, 23) + ' UTC',
    }),
    endReason,
  };
}
