import type { CaptureFacts } from '../report/model.js';
import type { ListingPartial } from '../report/listing.js';
import type { ReportPartial } from '../report/report-builder.js';
import type { AnalysisSettings } from './analysis-settings.js';
import type { ListingFormat } from '../render/streamed-formats.js';
import type { ConnectionFilterSpec } from './filter-spec.js';

/**
 * What crosses the thread boundary. Only plain data (structured clone): the worker never sees the main
 * thread's functions or JudgedConnection objects; it rebuilds the filters from their parameters and sends
 * back per-file figures (a ReportPartial) plus the records to list.
 */

/** Given once, as workerData, to every worker of a run. */
export interface WorkerSetup {
  settings: AnalysisSettings;
  filter: ConnectionFilterSpec;
  /** Send the records of listed connections (false when nobody would use them). */
  records: boolean;
  /**
   * Rows per verdict when the run gathers a listing (table, markdown, HTML) instead of every record:
   * the worker then sends its file's ListingPartial with 'done' and no 'records'. Null otherwise.
   */
  listLimit: number | null;
  /** The listing keeps the charts' figures (ListingBuilder's `charts`). */
  listCharts: boolean;
  /**
   * Send listed connections as their text in this format (recordText), in 'texts' messages instead of
   * 'records': the main thread then appends them as they are, rebuilding no record. Null: records.
   */
  recordTexts: ListingFormat | null;
}

export type ToWorker = { type: 'analyze'; index: number; path: string } | { type: 'abort' };

export type FromWorker =
  | { type: 'progress'; index: number; rawBytesRead: number; rawSize: number; frames: number }
  /**
   * Records of the file being analysed, in batches as they are made (so no worker holds them all), as
   * the JSON text of a ConnectionRecord[]: JSON.parse rebuilds them on the main thread in about half the
   * time structured clone takes for these nested objects, and that time is spent on the main thread.
   * (A report is defined by its JSON form, so nothing is lost on the way.)
   */
  | { type: 'records'; index: number; json: string }
  /** The same as texts (WorkerSetup.recordTexts), with each one's file and stream (the report's sort key). */
  | { type: 'texts'; index: number; files: string[]; streams: number[]; texts: string[] }
  /** The file is done; every 'records' message of it came before this one. */
  | { type: 'done'; index: number; facts: CaptureFacts; partial: ReportPartial; listing: ListingPartial | null }
  /** Something went wrong outside the capture reading (which never throws): a bug, reported as the file's error. */
  | { type: 'failed'; index: number; message: string };
