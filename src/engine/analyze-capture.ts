import type { Readable } from 'node:stream';
import type { Frame } from '../capture/frame.js';
import { readCapture } from '../capture/reader.js';
import { linkTypeName } from '../decode/link-types.js';
import { DEFAULT_FLOW_OPTIONS } from '../flow/flow-assembler.js';
import type { CaptureFacts } from './capture-facts.js';
import type { Thresholds } from '../verdict/judge.js';
import type { JudgedConnection } from '../verdict/judged-connection.js';
import { isoTime } from '../time/time-text.js';
import type { ConnectionRecord } from '../verdict/types.js';
import { AnalysisStages, type OpenConnectionsPeek } from './analysis-stages.js';

export interface CaptureAnalysisOptions {
  thresholds?: Thresholds;
  /** Most connections tracked at once (default 1,000,000). */
  maxConnections?: number;
  /** Capture-time seconds a finished connection waits for stragglers (default 60). */
  closeGraceSeconds?: number;
  signal?: AbortSignal;
  onProgress?: (rawBytesRead: number, rawSize: number, frames: number) => void;
  stdin?: Readable;
  /** Given, before reading starts, the function that visits the connections still open (a live view). */
  onOpenConnections?: (peek: OpenConnectionsPeek) => void;
}

/** Where judged connections go. Records are costly (text, evidence, ladder), so they are made on request. */
export interface ConnectionSink {
  /**
   * Every connection, as soon as it is judged. Return true to get its full record through record(); or
   * call `record` (only during this call) to make it yourself.
   */
  judged(connection: JudgedConnection, record: () => ConnectionRecord): boolean;
  record(record: ConnectionRecord): void;
}

/**
 * Runs one capture through every stage: bytes -> frames -> segments -> connections -> verdicts. Each
 * connection goes to the sink as soon as its verdict is known (so huge inputs stream in constant
 * memory); the capture's facts are returned at the end. A plain function receives every record.
 */
export async function analyzeCapture(file: string, sink: ConnectionSink | ((record: ConnectionRecord) => void), options: CaptureAnalysisOptions = {}): Promise<CaptureFacts> {
  const target: ConnectionSink = typeof sink === 'function' ? { judged: () => true, record: sink } : sink;
  const stages = new AnalysisStages(file, options, (judged, record) => {
    if (target.judged(judged, record)) target.record(record());
  });
  const onFrame = (frame: Frame): void => stages.frame(frame);
  options.onOpenConnections?.((visit) => stages.peekOpen(visit));
  const read = await readCapture(file, onFrame, { signal: options.signal, onProgress: options.onProgress, stdin: options.stdin });
  // Connections still open are judged as of the capture's last packet (its end).
  stages.finish(read.end, read.precision);
  const { decoder, flows } = stages;
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
    connections: stages.connections,
    start: read.start === null ? null : isoTime(read.start.seconds, read.start.nanos, read.precision),
    end: read.end === null ? null : isoTime(read.end.seconds, read.end.nanos, read.precision),
    notDecoded: decoder.notDecoded(),
    error: read.error,
    warnings,
  };
}
