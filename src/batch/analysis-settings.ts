import { DEFAULT_THRESHOLDS, type Thresholds } from '../verdict/judge.js';

/**
 * The analysis knobs as plain data (they go to worker threads as is): everything of AnalyzeOptions that
 * changes verdicts, none of the callbacks.
 */
export interface AnalysisSettings {
  thresholds: Thresholds;
  maxConnections?: number;
  closeGraceSeconds?: number;
}

export function analysisSettings(options: {
  slowCloseSeconds?: number;
  finAckTimeoutSeconds?: number;
  maxConnections?: number;
  closeGraceSeconds?: number;
}): AnalysisSettings {
  return {
    thresholds: {
      slowCloseSeconds: options.slowCloseSeconds ?? DEFAULT_THRESHOLDS.slowCloseSeconds,
      finAckTimeoutSeconds: options.finAckTimeoutSeconds ?? DEFAULT_THRESHOLDS.finAckTimeoutSeconds,
    },
    maxConnections: options.maxConnections,
    closeGraceSeconds: options.closeGraceSeconds,
  };
}
