import type { Format } from './formats.js';
import { renderCsv } from './format-csv.js';
import { renderHtml } from './format-html.js';
import { renderJson } from './format-json.js';
import { renderMarkdown } from './format-markdown.js';
import { renderNdjson } from './format-ndjson.js';
import { renderTable } from './format-table.js';
import type { Report } from './model.js';

export interface RenderOptions {
  /** ANSI colours (terminal output only). */
  color: boolean;
  /** Columns the table must fit in. */
  width: number;
  /** Rows per verdict group in table and markdown before "... N more". */
  limit: number;
  /** The user asked for every connection (--all): mention it in headings instead of suggesting it. */
  all: boolean;
}

export function renderReport(format: Format, report: Report, options: RenderOptions): string {
  switch (format) {
    case 'json':
      return renderJson(report);
    case 'ndjson':
      return renderNdjson(report);
    case 'table':
      return renderTable(report, options);
    case 'markdown':
      return renderMarkdown(report, options);
    case 'html':
      return renderHtml(report, options);
    case 'csv':
      return renderCsv(report);
  }
}
