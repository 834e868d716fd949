import type { Readable } from 'node:stream';
import type { Frame } from '../capture/frame.js';
import { readCapture } from '../capture/reader.js';
import { fragmentLimitWarning } from '../decode/fragments.js';
import { linkTypeName } from '../decode/link-types.js';
import { DEFAULT_FLOW_OPTIONS } from '../flow/flow-assembler.js';
import { qualityWarning, type CaptureFacts } from './capture-facts.js';
import type { CaptureReadResult } from '../capture/reader.js';
import type { Thresholds } from '../verdict/judge.js';
import type { JudgedConnection } from '../verdict/judged-connection.js';
import { isoTime } from '../time/time-text.js';
import type { ConnectionRecord } from '../verdict/types.js';
import type { SocketSettings } from '../sockets/socket-table.js';
import { AnalysisStages, type OpenConnectionsPeek } from './analysis-stages.js';

export interface CaptureAnalysisOptions {
  thresholds?: Thresholds;
  /** Most connections tracked at once (default DEFAULT_MAX_CONNECTIONS, 200,000). */
  maxConnections?: number;
  /** Capture-time seconds a finished connection waits for stragglers (default 5). */
  closeGraceSeconds?: number;
  /** The socket table's timers, listing and TIME_WAIT pressure threshold. */
  sockets?: SocketSettings;
  /** Zeek's `history` and `connState` in records (default true; see StageSettings). */
  zeekHistory?: boolean;
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
  // Standard input may be a live capture, whose records should not wait for late packets.
  const stages = new AnalysisStages(file, { ...options, heldRecords: file === '-' ? 0 : undefined }, (judged, record) => target.judged(judged, record), (record) => target.record(record));
  const onFrame = (frame: Frame): void => stages.frame(frame);
  options.onOpenConnections?.((visit) => stages.peekOpen(visit));
  const read = await readCapture(file, onFrame, { signal: options.signal, onProgress: options.onProgress, stdin: options.stdin });
  // Connections still open are judged as of the capture's end: its last packet, the end the capturing
  // host recorded (pcapng isb_endtime) when later, or for a live pipe the moment reading stopped.
  stages.finish(captureEnd(read, file === '-' ? wallClock() : null), read.precision);
  const { decoder, flows } = stages;
  const warnings: string[] = [];
  if (flows.evicted > 0) {
    warnings.push(`${flows.evicted} connections were judged early because more than ${options.maxConnections ?? DEFAULT_FLOW_OPTIONS.maxFlows} were open at once (raise --max-connections)`);
  }
  if (flows.stragglers > 0) {
    warnings.push(lateWarning(flows.stragglers, options.closeGraceSeconds ?? DEFAULT_FLOW_OPTIONS.graceSeconds));
  }
  const notDecoded = decoder.notDecoded();
  const fragments = fragmentLimitWarning(notDecoded['ip-fragment-dropped'] ?? 0, decoder.fragmentDatagramsGivenUp);
  if (fragments !== null) warnings.push(fragments);
  if (read.interrupted) warnings.push('reading was interrupted; the report covers the packets read until then');
  const sockets = stages.socketTable();
  if (sockets.untracked > 0) warnings.push(`the socket table was full: ${sockets.untracked} sockets were left out of it (it holds two sockets per connection --max-connections allows, on at most 8,192 addresses)`);
  const quality = { ...stages.quality, droppedByInterface: read.statistics?.interfaceDrops ?? null, droppedByOs: read.statistics?.osDrops ?? null };
  const qualityText = qualityWarning(quality);
  if (qualityText !== null) warnings.push(qualityText);
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
    notDecoded,
    error: read.error,
    warnings,
    quality,
    sockets,
  };
}

/** Packets of judged connections: in their streams (and records, as `late`), not in their verdicts. */
export function lateWarning(packets: number, graceSeconds: number): string {
  return `${packets} packets arrived for connections already judged (after the ${graceSeconds} s grace period) and are not part of any verdict`;
}

type Instant = { seconds: number; nanos: number };

/** The latest of the last packet, the capturing host's recorded end, and (live input) the end of reading. */
export function captureEnd(read: CaptureReadResult, readingEnded: Instant | null): Instant | null {
  let end = read.end;
  const later = (x: Instant | null): void => {
    if (x !== null && (end === null || x.seconds > end.seconds || (x.seconds === end.seconds && x.nanos > end.nanos))) end = x;
  };
  later(read.statistics?.endTime ?? null);
  // The wall clock counts only when the packets' clock is the same one (a live capture, not a replay).
  if (readingEnded !== null && read.end !== null && readingEnded.seconds >= read.end.seconds && readingEnded.seconds - read.end.seconds < LIVE_CLOCK_TOLERANCE) later(readingEnded);
  return end;
}

/** A live capture's last packet is at most this long (seconds) before reading stops. */
const LIVE_CLOCK_TOLERANCE = 86_400;

function wallClock(): Instant {
  const ms = Date.now();
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 };
}
