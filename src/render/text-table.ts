/**
 * A cli-table3 table that fits a given number of terminal columns. cli-table3 draws and pads but does
 * not choose column widths; this sizes every column to its content, then narrows the widest wrappable
 * columns until the table fits, and wraps cells at sensible points (IPv6 groups, path separators) before
 * cli-table3 sees them.
 */
import Table from 'cli-table3';
import { displayWidth, pad, wrap } from './text-width.js';

export interface TextColumn {
  header: string;
  align: 'left' | 'right';
  /** Cells may be wrapped onto several lines; otherwise the column keeps its natural width. */
  wraps: boolean;
  /**
   * Which wrappable columns give way first when the table is too wide: 0 (default) before 1 before 2.
   * Times (1) and addresses (2) are hard to read split, so free text and frame lists wrap first.
   */
  wrapOrder?: number;
  /** A wrappable column is not made narrower than this (or its content) while others can give way. */
  minWidth?: number;
}

export interface TextTableOptions {
  width: number;
  /** Styles a line of a cell after wrapping (colour); must not change its display width. */
  style?: (line: string, row: number, column: number) => string;
  /** Styles header text (bold). */
  headStyle?: (text: string) => string;
}

// A borderless layout (like `ss` or `kubectl get`): columns two spaces apart, the header underlined.
// It packs more into 100 columns than boxes would and pastes cleanly into chat and tickets.
const GAP = 2;
const CHARS = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '',
  bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', mid: '─', 'mid-mid': ' '.repeat(GAP), right: '', 'right-mid': '',
  middle: ' '.repeat(GAP),
};

/** Column content widths (two-space gaps not included) whose table fits `width` columns. */
function fitColumns(columns: readonly TextColumn[], rows: readonly string[][], width: number): number[] {
  // Loops, not Math.max(...rows): --limit may let through more rows than a call takes arguments.
  const natural = columns.map((c) => displayWidth(c.header));
  const words = columns.map(() => 0);
  for (const row of rows) {
    row.forEach((cell, i) => {
      natural[i] = Math.max(natural[i], maxLineWidth(cell));
      words[i] = Math.max(words[i], Math.min(longestWord(cell), 12));
    });
  }
  const minimum = columns.map((c, i) => (c.wraps ? Math.max(longestWord(c.header), Math.min(natural[i], c.minWidth ?? 10), words[i]) : natural[i]));
  const budget = width - GAP * (columns.length - 1);
  const widths = [...natural];
  const order = (c: TextColumn): number => c.wrapOrder ?? 0;
  const floors: number[][] = [];
  for (let stage = 0; stage <= Math.max(0, ...columns.map(order)); stage++) {
    floors.push(columns.map((c, i) => (c.wraps && order(c) <= stage ? minimum[i] : natural[i])));
  }
  // Normally the minimums fit; if not (a very narrow width), wrappable columns go down to 4 and then
  // everything to 1: a cut cell is better than a line the terminal folds.
  floors.push(columns.map((c, i) => (c.wraps ? Math.min(4, natural[i]) : natural[i])), columns.map(() => 1));
  for (const floor of floors) shrink(widths, floor, budget);
  return widths;
}

/** Takes one column at a time from whichever column has the most room above its floor. */
function shrink(widths: number[], floor: readonly number[], budget: number): void {
  let total = widths.reduce((a, b) => a + b, 0);
  while (total > budget) {
    let best = -1;
    for (let i = 0; i < widths.length; i++) {
      if (widths[i] > floor[i] && (best < 0 || widths[i] - floor[i] > widths[best] - floor[best])) best = i;
    }
    if (best < 0) return;
    widths[best]--;
    total--;
  }
}

function maxLineWidth(text: string): number {
  return Math.max(0, ...text.split('\n').map(displayWidth));
}

/** The longest space-separated word: a time like 14:04:54.189 must not be split. */
function longestWord(text: string): number {
  return Math.max(0, ...text.split(/[ \n]/).map(displayWidth));
}

/**
 * Rows drawn by cli-table3. It takes about half a millisecond a row (and overflows the stack on a
 * single push of ~100k rows), so with a --limit in the thousands the rest are laid out by padRows,
 * which writes exactly what cli-table3 writes for this borderless style.
 */
const CLI_TABLE_ROWS = 1000;

/** Renders the table; every line is at most `options.width` columns wide. */
export function renderTextTable(columns: readonly TextColumn[], rows: readonly string[][], options: TextTableOptions): string {
  const widths = fitColumns(columns, rows, options.width);
  const aligns = columns.map((c) => c.align);
  const cellLines = (cell: string, row: number, column: number): string[] =>
    wrap(cell, widths[column]).map((line) => (options.style === undefined ? line : options.style(line, row, column)));
  const head = columns.map((c, i) => {
    const lines = wrap(c.header, widths[i]);
    return (options.headStyle === undefined ? lines : lines.map(options.headStyle)).join('\n');
  });
  const table = new Table({
    head,
    colWidths: widths,
    colAligns: aligns,
    wordWrap: false,
    chars: CHARS,
    style: { head: [], border: [], compact: true, 'padding-left': 0, 'padding-right': 0 },
  });
  rows.slice(0, CLI_TABLE_ROWS).forEach((row, r) => table.push(row.map((cell, c) => cellLines(cell, r, c).join('\n'))));
  const lines = table.toString().split('\n');
  for (let r = CLI_TABLE_ROWS; r < rows.length; r++) {
    for (const line of padRows(rows[r].map((cell, c) => cellLines(cell, r, c)), widths, aligns)) lines.push(line);
  }
  return lines.map((line) => line.trimEnd()).join('\n');
}

/** One table row as text lines: each cell's lines padded to its column, columns GAP apart. */
function padRows(cells: readonly string[][], widths: readonly number[], aligns: readonly ('left' | 'right')[]): string[] {
  const height = Math.max(1, ...cells.map((c) => c.length));
  const out: string[] = [];
  for (let i = 0; i < height; i++) out.push(cells.map((c, j) => pad(c[i] ?? '', widths[j], aligns[j])).join(' '.repeat(GAP)));
  return out;
}
