import type { FlowInfo } from '../flow/flow.js';
import type { ConnectionSnapshot } from '../track/connection-view.js';
import { TCP_STATE_NAMES } from '../track/tcp-state.js';
import { explain } from './explain.js';
import { describeIcmp } from './icmp-errors.js';
import { judge, type CaptureView, type Thresholds } from './judge.js';
import { JudgedConnection } from './judged-connection.js';
import { clientDirection, ROLE_INFERRED } from './roles.js';
import { isoTime } from '../time/time-text.js';
import { ladderSteps } from './ladder-steps.js';
import { FINDINGS, type ConnectionQuality, type ConnectionRecord, type EndReason, type Side } from './types.js';

export interface RecordContext {
  file: string;
  /** Sub-second digits of the capture's timestamps. */
  precision: number;
  thresholds: Thresholds;
  /** How the capture as a whole looks so far (one-directional or not). */
  capture: CaptureView;
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
  const last = conn.instant(conn.lastTime);
  into.setSpan(conn.firstSeconds, conn.firstNanos, last.seconds, last.nanos);
  judge(conn, client, horizon, ctx.thresholds, into.judgement, ctx.capture, into.case);
  into.timeWaitSides = (conn.ends[client].wasTimeWait ? 1 : 0) | (conn.ends[client ^ 1].wasTimeWait ? 2 : 0);
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
    end: time(judged.endSeconds, judged.endNanos),
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
      window: r.window < 0 ? null : r.window,
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
    inferred: j.inferred.map((x) => ({
      kind: x.kind,
      from: sideOf(x.from),
      provedBy: x.proofFrame,
      note:
        x.kind === 'data'
          ? `data not captured; the RST in frame ${x.proofFrame} answers it`
          : conn.ends[x.from].finAckFrame === x.proofFrame
          ? `FIN not captured; frame ${x.proofFrame} ACKs it`
          : `FIN not captured; frame ${x.proofFrame}, the ${sideOf(x.from)}'s next segment, starts one past it`,
    })),
    quality: connectionQuality(conn, clientDir, j.unseen, sideOf),
    ladder: FINDINGS.has(j.verdict) ? ladderSteps(conn, sideOf) : [],
    history: conn.history,
    connState: conn.connState,
    explanation: explain({
      judgement: j,
      sideOf,
      addressOf,
      clientDir,
      clock: (seconds, nanos) => time(seconds, nanos).slice(11, 23) + ' UTC',
      endReason,
    }),
    endReason,
    packetsSent: { client: client.packets, server: server.packets },
    late: null,
  };
}

/** What the capture missed of this connection, or null when it looks complete. */
function connectionQuality(conn: ConnectionSnapshot, clientDir: number, unseen: number, sideOf: (dir: number) => Side): ConnectionQuality | null {
  const client = conn.ends[clientDir];
  const server = conn.ends[clientDir ^ 1];
  const startedBeforeCapture = !client.synSeen && !server.synSeen;
  const duplicates = client.duplicates + server.duplicates;
  const missing = client.ackedUnseen + server.ackedUnseen + client.gaps + server.gaps;
  if (unseen < 0 && !startedBeforeCapture && duplicates === 0 && missing === 0) return null;
  return {
    unseen: unseen < 0 ? null : sideOf(unseen),
    startedBeforeCapture,
    ackedUnseen: { client: client.ackedUnseen, server: server.ackedUnseen },
    gaps: { client: client.gaps, server: server.gaps },
    duplicates,
  };
}
