import type { ConnectionRecord } from '../verdict/types.js';
import type { Report } from '../report/model.js';

/** One connection as one line, written as soon as its record is final (see engine/late-records.ts). */
export function ndjsonLine(record: ConnectionRecord): string {
  return `${JSON.stringify({ type: 'connection', ...record })}\n`;
}

/** The closing line: everything of the JSON report except the connections. */
export function ndjsonSummaryLine(report: Report): string {
  const { connections: _omitted, ...rest } = report;
  return `${JSON.stringify({ type: 'summary', ...rest })}\n`;
}

/** A whole report as ndjson (for -o, where nothing is streamed). */
export function renderNdjson(report: Report): string {
  return report.connections.map(ndjsonLine).join('') + ndjsonSummaryLine(report);
}
