import type { Readable } from 'node:stream';
import type { CaptureFacts, Report } from '../report/model.js';
import { ReportBuilder } from '../report/report-builder.js';
import { DEFAULT_THRESHOLDS } from '../verdict/judge.js';
import type { ConnectionSummary } from '../verdict/judged-connection.js';
import type { ConnectionRecord } from '../verdict/types.js';
import { analyzeCapture } from './analyze-capture.js';
import { expandInputs } from './inputs.js';
import { VERSION } from './version.js';

export interface AnalyzeOptions {
  /** A FIN this many seconds after ACKing the peer's FIN makes a slow close (default 1). */
  slowCloseSeconds?: number;
  /** An un-ACKed FIN this old at the end is reported even without retransmissions (default 1). */
  finAckTimeoutSeconds?: number;
  /** Most connections tracked at once (default 1,000,000); beyond, the longest-idle is judged early. */
  maxConnections?: number;
  /** Capture-time seconds a finished connection waits for stragglers (default 10). */
  closeGraceSeconds?: number;
  /** Keep every connection in `connections`, not only findings. */
  all?: boolean;
  /** Which connections count at all (scope: summary, services, connections). Default: all. */
  scope?: (connection: ConnectionSummary) => boolean;
  /** Which in-scope connections are listed in `connections` (overrides `all`). */
  list?: (connection: ConnectionSummary) => boolean;
  /** Called with every in-scope connection as soon as it is judged, before any record is made. */
  onJudged?: (connection: ConnectionSummary) => void;
  /** Called with the record of every listed connection as soon as it is judged (streaming). */
  onConnection?: (record: ConnectionRecord) => void;
  /** Build records for listed connections but do not keep them in the report (ndjson streaming). */
  stream?: boolean;
  /** Called when a capture has been read. */
  onCapture?: (facts: CaptureFacts) => void;
  onProgress?: (progress: Progress) => void;
  /** Stops reading at the next packet; the report covers what was read. */
  signal?: AbortSignal;
  /** What `-` reads (process.stdin by default). */
  stdin?: Readable;
}

export interface Progress {
  file: string;
  fileIndex: number;
  files: number;
  rawBytesRead: number;
  rawSize: number;
  frames: number;
}

/**
 * Analyses captures (files, directories walked for captures, or `-` for stdin) and returns the report:
 * the same object `closetrace --format json` prints. Bad inputs become captures with an `error`; the
 * analysis goes on with the others.
 */
export async function analyze(inputs: string | string[], options: AnalyzeOptions = {}): Promise<Report> {
  const list = Array.isArray(inputs) ? inputs : [inputs];
  const thresholds = {
    slowCloseSeconds: options.slowCloseSeconds ?? DEFAULT_THRESHOLDS.slowCloseSeconds,
    finAckTimeoutSeconds: options.finAckTimeoutSeconds ?? DEFAULT_THRESHOLDS.finAckTimeoutSeconds,
  };
  const scope = options.scope ?? ((): boolean => true);
  const builder = new ReportBuilder(VERSION, options.list ?? (options.all ? (): boolean => true : undefined));
  const { files } = await expandInputs(list);
  for (let i = 0; i < files.length; i++) {
    const input = files[i];
    if (options.signal?.aborted) break;
    if (input.error !== null) {
      const facts = failedCapture(input.path, input.error);
      builder.addCapture(facts);
      options.onCapture?.(facts);
      continue;
    }
    const facts = await analyzeCapture(
      input.path,
      {
        judged: (connection) => {
          if (!scope(connection)) return false;
          options.onJudged?.(connection);
          return builder.addJudged(connection);
        },
        record: (record) => {
          if (!options.stream) builder.addRecord(record);
          options.onConnection?.(record);
        },
      },
      {
        thresholds,
        maxConnections: options.maxConnections,
        closeGraceSeconds: options.closeGraceSeconds,
        signal: options.signal,
        stdin: options.stdin,
        onProgress: options.onProgress
          ? (rawBytesRead, rawSize, frames): void => options.onProgress?.({ file: input.path, fileIndex: i, files: files.length, rawBytesRead, rawSize, frames })
          : undefined,
      },
    );
    builder.addCapture(facts);
    options.onCapture?.(facts);
  }
  return builder.build();
}

export function failedCapture(file: string, error: string): CaptureFacts {
  return {
    file,
    format: null,
    compressed: false,
    compression: null,
    linkTypes: [],
    frames: 0,
    tcpSegments: 0,
    connections: 0,
    start: null,
    end: null,
    notDecoded: {},
    error,
    warnings: [],
  };
}
