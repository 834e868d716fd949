/**
 * closetrace as a library: `analyze()` returns the same typed report object `closetrace --format json`
 * prints (see README, "Library API").
 */
export { analyze, defaultJobs, type AnalyzeOptions, type Progress } from './batch/analyze.js';
// The public part of the batch stage only: its helpers (hashes, path order, option parsers) are not API.
export type { BatchProgress, FileInProgress } from './batch/batch-progress.js';
export { BatchOptionError } from './batch/errors.js';
export { AnalyzeOptionError } from './batch/option-check.js';
export { failOnMatched, type ConnectionFilterSpec } from './batch/filter-spec.js';
export type { FrameSource } from './batch/frame-sources.js';
export type { JoinedConnectionRecord } from './batch/joined-analysis.js';
export { mergeReports } from './batch/merge-reports.js';
export { readReportFile } from './batch/report-file.js';
export { inShard, type ShardSpec } from './batch/shard.js';
export type { OpenConnectionsPeek } from './engine/analysis-stages.js';
// The formats AnalyzeOptions.textFormat renders listed connections in.
export type { ListingFormat } from './render/streamed-formats.js';
export type { ConnectionSummary } from './verdict/judged-connection.js';
export { analyzeCapture, type CaptureAnalysisOptions } from './engine/analyze-capture.js';
export type { CaptureFacts, CloseWaitStats, DisplayFilter, Report, ServiceSummary, Summary } from './report/model.js';
export type {
  Activity,
  Cause,
  Confidence,
  ConnectionRecord,
  EndReason,
  FinEvidence,
  FromState,
  IcmpEvidence,
  LadderStep,
  ResetEvidence,
  ResetShape,
  Side,
  Verdict,
} from './verdict/types.js';
export { FINDINGS, VERDICTS } from './verdict/types.js';
export type { TcpStateName } from './track/tcp-state.js';
export type { NotDecodedReason } from './decode/reasons.js';
export { VERSION } from './batch/version.js';
