import type { Readable } from 'node:stream';
import { analyzeCapture } from '../engine/analyze-capture.js';
import type { OpenConnectionsPeek } from '../engine/analysis-stages.js';
import type { CaptureFacts } from '../report/model.js';
import type { ConnectionSummary, JudgedConnection } from '../verdict/judged-connection.js';
import { FINDINGS, type ConnectionRecord } from '../verdict/types.js';
import type { AnalysisSettings } from './analysis-settings.js';
import { withFindings } from './capture-facts.js';

/** Where one file's connections go: the same steps on the main thread and in a worker. */
export interface FileSink {
  /** Which connections count at all. */
  scope(connection: ConnectionSummary): boolean;
  /** Every in-scope connection, before any record is made. */
  onJudged?(connection: ConnectionSummary): void;
  /**
   * Counts an in-scope connection (a ReportBuilder's addJudged); true to get its record through
   * record(), or it may call `record` itself during the call (a listing takes only the records it shows).
   */
  count(connection: JudgedConnection, record: () => ConnectionRecord): boolean;
  record(record: ConnectionRecord): void;
}

export interface FileRun {
  onOpenConnections?: (peek: OpenConnectionsPeek, file: string) => void;
  signal?: AbortSignal;
  stdin?: Readable;
  onProgress?: (rawBytesRead: number, rawSize: number, frames: number) => void;
}

/**
 * Analyses one capture file into `sink` and returns its facts with the per-file `findings` count (every
 * connection of the file, like its `connections` count, whatever the scope).
 */
export async function analyzeFile(path: string, sink: FileSink, settings: AnalysisSettings, run: FileRun = {}): Promise<CaptureFacts> {
  let findings = 0;
  const facts = await analyzeCapture(
    path,
    {
      judged: (connection, record) => {
        if (FINDINGS.has(connection.verdict)) findings++;
        if (!sink.scope(connection)) return false;
        sink.onJudged?.(connection);
        return sink.count(connection, record);
      },
      record: (record) => sink.record(record),
    },
    {
      thresholds: settings.thresholds,
      maxConnections: settings.maxConnections,
      closeGraceSeconds: settings.closeGraceSeconds,
      sockets: settings.sockets,
      zeekHistory: settings.zeekHistory,
      signal: run.signal,
      stdin: run.stdin,
      onProgress: run.onProgress,
      onOpenConnections: run.onOpenConnections === undefined ? undefined : (peek): void => run.onOpenConnections?.(peek, path),
    },
  );
  return withFindings(facts, findings);
}
