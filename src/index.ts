/**
 * closetrace as a library: `analyze()` returns the same typed report object `closetrace --format json`
 * prints (see README, "Library API").
 */
export { analyze, defaultJobs, type AnalyzeOptions, type Progress } from './batch/analyze.js';
export * from './batch/index.js';
export type { ConnectionSummary } from './verdict/judged-connection.js';
export { analyzeCapture, type CaptureAnalysisOptions } from './engine/analyze-capture.js';
export type { CaptureFacts, CloseWaitStats, Report, ServiceSummary, Summary } from './report/model.js';
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
