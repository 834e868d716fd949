import type { Readable } from 'node:stream';
import type { Frame } from '../capture/frame.js';
import { readCapture } from '../capture/reader.js';
import { SegmentDecoder } from '../decode/decoder.js';
import { linkTypeName } from '../decode/link-types.js';
import { newSegment } from '../decode/segment.js';
import { FlowAssembler, DEFAULT_FLOW_OPTIONS } from '../flow/flow-assembler.js';
import type { Flow, FlowEndReason } from '../flow/flow.js';
import type { CaptureFacts } from '../report/model.js';
import { TrackedConnection } from '../track/connection.js';
import { trackSegment } from '../track/transitions.js';
import { DEFAULT_THRESHOLDS, type Thresholds } from '../verdict/judge.js';
import { buildRecord } from '../verdict/record.js';
import { isoTime } from '../verdict/time-format.js';
import type { ConnectionRecord } from '../verdict/types.js';

export interface CaptureAnalysisOptions {
  thresholds?: Thresholds;
  /** Most connections tracked at once (default 1,000,000). */
  maxConnections?: number;
  /** Capture-time seconds a finished connection waits for stragglers (default 60). */
  closeGraceSeconds?: number;
  signal?: AbortSignal;
  onProgress?: (rawBytesRead: number, rawSize: number, frames: number) => void;
  stdin?: Readable;
}

/**
 * Runs one capture through every stage: bytes -> frames -> segments -> connections -> verdicts. Each
 * connection's record is handed to `onConnection` as soon as its verdict is known (so huge inputs
 * stream in constant memory); the capture's facts are returned at the end.
 */
export async function analyzeCapture(file: string, onConnection: (record: ConnectionRecord) => void, options: CaptureAnalysisOptions = {}): Promise<CaptureFacts> {
  const thresholds = options.thresholds ?? DEFAULT_THRESHOLDS;
  const decoder = new SegmentDecoder();
  const seg = newSegment();
  let precision = 6;
  let nowSeconds = -Infinity;
  let nowNanos = 0;
  let connections = 0;
  const emit = (flow: Flow<TrackedConnection>, reason: FlowEndReason): void => {
    // A stream tshark numbered only because an ICMP error quoted it is not a connection.
    if (flow.packets === 0) return;
    connections++;
    onConnection(buildRecord(flow, reason, { seconds: nowSeconds, nanos: nowNanos }, { file, precision, thresholds }));
  };
  const flows = new FlowAssembler<TrackedConnection>(
    { create: () => new TrackedConnection(), track: trackSegment, finished: (c) => c.isFinished(), end: emit },
    {
      ...DEFAULT_FLOW_OPTIONS,
      maxFlows: options.maxConnections ?? DEFAULT_FLOW_OPTIONS.maxFlows,
      graceSeconds: options.closeGraceSeconds ?? DEFAULT_FLOW_OPTIONS.graceSeconds,
    },
  );
  const onFrame = (frame: Frame): void => {
    if (frame.precision > precision) precision = frame.precision;
    if (!decoder.decode(frame, seg)) return;
    if (seg.seconds > nowSeconds || (seg.seconds === nowSeconds && seg.nanos > nowNanos)) {
      nowSeconds = seg.seconds;
      nowNanos = seg.nanos;
    }
    flows.segment(seg);
  };
  const read = await readCapture(file, onFrame, { signal: options.signal, onProgress: options.onProgress, stdin: options.stdin });
  // Connections still open are judged as of the capture's last packet (its end).
  if (read.end !== null) {
    nowSeconds = read.end.seconds;
    nowNanos = read.end.nanos;
  }
  precision = Math.max(precision, read.precision);
  flows.finish();
  const warnings: string[] = [];
  if (flows.evicted > 0) {
    warnings.push(`${flows.evicted} connections were judged early because more than ${options.maxConnections ?? DEFAULT_FLOW_OPTIONS.maxFlows} were open at once (raise --max-connections)`);
  }
  if (flows.stragglers > 0) {
    warnings.push(`${flows.stragglers} packets arrived for connections already judged (after the ${options.closeGraceSeconds ?? DEFAULT_FLOW_OPTIONS.graceSeconds} s grace period) and are not part of any verdict`);
  }
  if (read.interrupted) warnings.push('reading was interrupted; the report covers the packets read until then');
  return {
    file,
    format: read.format,
    compressed: read.compression !== null,
    compression: read.compression,
    linkTypes: read.linkTypes.map(linkTypeName),
    frames: read.frames,
    tcpSegments: decoder.segments,
    connections,
    start: read.start === null ? null : isoTime(read.start.seconds, read.start.nanos, read.precision),
    end: read.end === null ? null : isoTime(read.end.seconds, read.end.nanos, read.precision),
    notDecoded: decoder.notDecoded(),
    error: read.error,
    warnings,
  };
}
