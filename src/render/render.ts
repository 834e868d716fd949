import type { Format } from './formats.js';
import { renderCsv } from './format-csv.js';
import { renderHtml } from './format-html.js';
import { renderJson } from './format-json.js';
import { renderMarkdown } from './format-markdown.js';
import { renderNdjson } from './format-ndjson.js';
import { renderTable } from './format-table.js';
import { renderZeek } from './format-zeek.js';
import type { Listing } from '../report/listing.js';
import type { Report } from '../report/model.js';

export interface RenderOptions {
  /** ANSI colours (terminal output only). */
  color: boolean;
  /** Columns the table must fit in. */
  width: number;
  /** Rows per verdict group in table and markdown before "... N more". */
  limit: number;
  /** The user asked for every connection (--all): mention it in headings instead of suggesting it. */
  all: boolean;
  /**
   * Markdown only: the most characters the report may have (an issue tracker comment takes 65,536);
   * beyond, examples, rows and advice are left out, and a note says so. 0 or undefined: no limit.
   */
  markdownBudget?: number;
}

/**
 * Renders a report. The table, markdown and HTML formats show a Listing of the connections: pass the
 * one gathered while analysing (then `report.connections` is not read), or it is made from
 * `report.connections`.
 */
export function renderReport(format: Format, report: Report, options: RenderOptions, listing?: Listing): string {
  switch (format) {
    case 'json':
      return renderJson(report);
    case 'ndjson':
      return renderNdjson(report);
    case 'table':
      return renderTable(report, options, listing);
    case 'markdown':
      return renderMarkdown(report, options, listing);
    case 'html':
      return renderHtml(report, options, listing);
    case 'csv':
      return renderCsv(report);
    case 'zeek':
      return renderZeek(report);
  }
}
