/**
 * The HTML report's stylesheet, inlined into the page: system fonts only, tables that scroll rather
 * than overflow on a narrow screen, and a print layout (no navigation, no page break inside a diagram,
 * colours kept so verdict chips and charts stay readable on paper). Class names used inside the SVGs
 * (l* for ladders, c* for charts) are styled here too.
 */
export const HTML_STYLE = `
:root { color-scheme: light; --ink: #1f2a30; --muted: #5f6f78; --line: #d8dee2; --soft: #f5f7f8; }
* { box-sizing: border-box; }
body { margin: 0; background: #fff; color: var(--ink); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1080px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 1.9em; margin: 0 0 4px; }
h2 { font-size: 1.35em; margin: 36px 0 10px; padding-bottom: 4px; border-bottom: 2px solid var(--line); }
h3 { font-size: 1.05em; margin: 20px 0 6px; }
h4 { font-size: 1em; margin: 0 0 6px; }
.lead { font-size: 1.1em; margin: 0; color: var(--muted); }
.lead strong { color: var(--ink); }
nav { margin: 14px 0 0; padding: 8px 12px; background: var(--soft); border-radius: 6px; font-size: 0.92em; }
nav a, a { color: #0d47a1; text-decoration: none; }
nav a:hover { text-decoration: underline; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 0.9em; background: var(--soft); padding: 1px 4px; border-radius: 3px; overflow-wrap: anywhere; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; font-size: 0.9em; }
th, td { text-align: left; vertical-align: top; padding: 5px 8px; border-bottom: 1px solid var(--line); }
th { background: var(--soft); font-weight: 600; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tbody tr:nth-child(even) td { background: #fafbfc; }
.chip { display: inline-block; color: #fff; border-radius: 10px; padding: 0 8px; font-size: 0.85em; font-weight: 600; white-space: nowrap; line-height: 1.6; }
h2 .chip { font-size: 0.7em; vertical-align: middle; margin-right: 6px; }
.verdict { border-left: 4px solid transparent; padding-left: 14px; margin-left: -18px; }
.sev-critical { border-left-color: #b71c1c; }
.sev-error { border-left-color: #e64a19; }
.sev-warning { border-left-color: #f9a825; }
.sev-notice { border-left-color: #0288d1; }
.todo { background: #f1f8e9; border: 1px solid #dcedc8; border-radius: 6px; padding: 4px 14px; margin: 10px 0; }
.todo h3 { margin-top: 8px; }
.error { color: #b71c1c; background: #ffebee; border-radius: 6px; padding: 6px 10px; overflow-wrap: anywhere; }
.warning { color: #7a5c00; background: #fff8e1; border-radius: 6px; padding: 6px 10px; overflow-wrap: anywhere; }
.bad { color: #b71c1c; font-weight: 600; }
.ok { color: #2e7d32; font-weight: 600; }
.note, .more { color: var(--muted); font-size: 0.92em; }
.example { border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; margin: 14px 0; }
.example .facts { margin: 0 0 6px; padding-left: 20px; }
.explanation { margin: 6px 0; }
figure { margin: 10px 0; overflow-x: auto; }
figcaption { color: var(--muted); font-size: 0.88em; }
svg { max-width: 100%; height: auto; display: block; }
svg text { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 12px; fill: var(--ink); }
svg .lr { font-family: system-ui, sans-serif; font-weight: 700; font-size: 13px; }
svg .la { font-size: 12px; }
svg .lh { fill: var(--muted); font-size: 11px; }
svg .lt { fill: var(--muted); font-size: 11px; }
svg .ln { fill: var(--muted); font-style: italic; font-size: 11px; }
svg .le { fill: #b71c1c; font-style: italic; font-weight: 700; }
svg .l-fin { fill: #1565c0; }
svg .l-rst { fill: #c62828; }
svg .lw { fill: #b71c1c; font-weight: 700; font-size: 11px; }
svg .cl { fill: var(--muted); font-family: system-ui, sans-serif; font-size: 12px; }
svg .ct { font-size: 11px; }
footer { margin-top: 40px; color: var(--muted); font-size: 0.85em; border-top: 1px solid var(--line); padding-top: 8px; }
@media print {
  body { font-size: 10pt; }
  main { max-width: none; padding: 0; }
  nav { display: none; }
  a { color: inherit; }
  h2 { break-after: avoid; }
  .example, figure, tr { break-inside: avoid; }
  .scroll, figure { overflow: visible; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
`;
