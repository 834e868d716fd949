import type { FlowInfo } from '../flow/flow.js';
import type { ConnectionSnapshot } from '../track/connection-view.js';
import { TCP_STATE_NAMES } from '../track/tcp-state.js';
import { explain } from './explain.js';
import { describeIcmp } from './icmp-errors.js';
import { judge, type Thresholds } from './judge.js';
import { JudgedConnection } from './judged-connection.js';
import { clientDirection, ROLE_INFERRED } from './roles.js';
import { isoTime } from '../time/time-text.js';
import { ladderSteps } from './ladder-steps.js';
import { FINDINGS, type ConnectionRecord, type EndReason, type Side } from './types.js';

export interface RecordContext {
  file: string;
  /** Sub-second digits of the capture's timestamps. */
  precision: number;
  thresholds: Thresholds;
}

/**
 * Judges a connection that left the table, into `into` when given (reused: see JudgedConnection).
 * Cheap (no text), so it runs for every connection; the full record is made by buildRecord() only for
 * connections that will be shown.
 */
export function judgeConnection(
  flow: FlowInfo,
  conn: ConnectionSnapshot,
  horizon: { seconds: number; nanos: number },
  ctx: RecordContext,
  into: JudgedConnection = new JudgedConnection(),
): JudgedConnection {
  const roles = clientDirection(conn, flow.aPort, flow.bPort);
  const client = roles & 1;
  into.assign(ctx.file, flow, client, (roles & ROLE_INFERRED) !== 0, horizon.seconds, horizon.nanos, ctx.precision);
  into.setSpan(conn.firstSeconds, conn.firstNanos, conn.lastSeconds, conn.lastNanos);
  judge(conn, client, horizon, ctx.thresholds, into.judgement);
  return into;
}

/** The public record of a judged connection: verdict, evidence, ladder, explanation. */
export function buildRecord(judged: JudgedConnection, conn: ConnectionSnapshot, endReason: EndReason): ConnectionRecord {
  const j = judged.judgement;
  const clientDir = judged.clientDir;
  const precision = judged.precision;
  const sideOf = (dir: number): Side => judged.sideOf(dir);
  const addressOf = (dir: number): string => (dir === clientDir ? judged.client : judged.server);
  const time = (seconds: number, nanos: number): string => isoTime(seconds, nanos, precision);
  const client = conn.ends[clientDir];
  const server = conn.ends[clientDir ^ 1];
  return {
    file: judged.file,
    stream: judged.stream,
    client: judged.client,
    server: judged.server,
    roleInferred: judged.roleInferred,
    verdict: j.verdict,
    endpoint: judged.endpoint,
    cause: j.cause,
    confidence: j.confidence,
    since: j.since === null ? null : time(j.since.seconds, j.since.nanos),
    stuckSeconds: judged.stuckSeconds,
    delaySeconds: judged.delaySeconds,
    activity: j.activity,
    fromState: j.fromState,
    bytesDiscarded: j.bytesDiscarded,
    halfClose: j.halfClose,
    start: time(conn.firstSeconds, conn.firstNanos),
    end: time(conn.lastSeconds, conn.lastNanos),
    firstFrame: judged.firstFrame,
    lastFrame: judged.lastFrame,
    packets: judged.packets,
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
      seq: r.seq >>> 0,
      ack: (r.flags & 0x10) !== 0 ? r.ack >>> 0 : null,
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
    history: conn.history,
    connState: conn.connState,
    explanation: explain({
      judgement: j,
      sideOf,
      addressOf,
      clientDir,
      clock: (seconds, nanos) => time(seconds, nanos).slice(11, 23) + ' UTC',
    }),
    endReason,
    packetsSent: { client: client.packets, server: server.packets },
  };
}
