/**
 * Sentences every text report (table, markdown, HTML) says the same way: that the report is partial,
 * that --min-stuck kept close-waits out of the lists, and the Wireshark display filters of the listed
 * connections.
 */
import type { DisplayFilter, Report } from '../report/model.js';

/** Longer filters are left to the JSON report: a screenful of stream numbers helps nobody in a ticket. */
export const MAX_FILTER_TEXT = 4000;

export function partialText(report: Report): string | null {
  return report.partial === true ? 'Reading was interrupted: this report covers only what was read until then.' : null;
}

export function hiddenText(report: Report): string | null {
  const n = report.summary.hiddenByMinStuck ?? 0;
  if (n === 0) return null;
  return `${n} close-wait${n === 1 ? ' was' : 's were'} stuck for less than --min-stuck: counted, but not listed.`;
}

export interface FilterLine {
  file: string;
  connections: number;
  /** The filter, or null when it is longer than MAX_FILTER_TEXT. */
  filter: string | null;
}

export function filterLines(report: Report): FilterLine[] {
  return (report.displayFilters ?? []).map((f: DisplayFilter) => ({ file: f.file, connections: f.connections, filter: f.filter.length <= MAX_FILTER_TEXT ? f.filter : null }));
}

/** What replaces a filter too long to show. */
export function longFilterText(line: FilterLine): string {
  return `(${line.connections} streams; too long to show here: displayFilters in --format json)`;
}

export function filterHeading(report: Report): string {
  const n = (report.displayFilters ?? []).reduce((sum, f) => sum + f.connections, 0);
  return `Wireshark display filter${(report.displayFilters ?? []).length > 1 ? 's, per capture,' : ''} for the ${n} listed connection${n === 1 ? '' : 's'}`;
}
