/** Output formats of the CLI and the renderers behind them. */
export const FORMATS = ['table', 'json', 'ndjson', 'markdown', 'html', 'csv'] as const;
export type Format = (typeof FORMATS)[number];
