/** Output formats of the CLI and the renderers behind them. */
export const FORMATS = ['table', 'json', 'ndjson', 'markdown', 'html', 'csv', 'zeek'] as const;
export type Format = (typeof FORMATS)[number];

/**
 * Formats that print each record's Zeek `history` and `conn_state` (whole records or Zeek's columns); the
 * others (table, markdown, HTML) never show them, so the analysis behind them can skip Zeek's replay.
 */
export function showsZeekHistory(format: Format): boolean {
  return format === 'json' || format === 'ndjson' || format === 'csv' || format === 'zeek';
}

/** Formats that draw charts (the HTML report): only they need the listing's per-connection chart figures. */
export function drawsCharts(format: Format): boolean {
  return format === 'html';
}

/** The format a report file's name asks for (`-o report.html`), or null for a name that says nothing. */
export function formatOfFileName(path: string): Format | null {
  const m = /\.([A-Za-z0-9]+)$/.exec(path);
  if (m === null) return null;
  switch (m[1].toLowerCase()) {
    case 'txt':
      return 'table';
    case 'json':
      return 'json';
    case 'ndjson':
    case 'jsonl':
      return 'ndjson';
    case 'md':
    case 'markdown':
      return 'markdown';
    case 'html':
    case 'htm':
      return 'html';
    case 'csv':
      return 'csv';
    case 'log':
    case 'tsv':
      return 'zeek';
    default:
      return null;
  }
}
