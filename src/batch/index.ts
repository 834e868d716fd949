/** Batch scanning: parallel workers, joined (rotated) captures, shards and their merge. */
export { analysisSettings, type AnalysisSettings } from './analysis-settings.js';
export type { BatchProgress, FileInProgress } from './batch-progress.js';
export { BatchOptionError } from './errors.js';
export { checkFilterSpec, failOnMatched, filterPredicates, type ConnectionFilterSpec, type FilterPredicates } from './filter-spec.js';
export type { FrameSource } from './frame-sources.js';
export { joinedCaptureName, type JoinedConnectionRecord } from './joined-analysis.js';
export { comparePaths, displayFiltersOf, mergeReports } from './merge-reports.js';
export { readReportFile } from './report-file.js';
export { checkShard, fnv1a32, inShard, parseShard, type ShardSpec } from './shard.js';
export { planWorkers, type WorkerPolicy } from './worker-plan.js';
