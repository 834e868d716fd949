import { describe, expect, it } from 'vitest';
import { renderTextTable, type TextColumn } from '../../src/render/text-table.js';
import { displayWidth } from '../../src/render/text-width.js';

const COLUMNS: TextColumn[] = [
  { header: 'stream', align: 'right', wraps: false },
  { header: 'client', align: 'left', wraps: true, wrapOrder: 2, minWidth: 21 },
  { header: 'note', align: 'left', wraps: true },
  { header: 'n', align: 'right', wraps: false },
];
const ROW = ['7', '[2001:470:1f05:17a6:d69a:20ff:fefd:6b88]:58895', 'a note long enough to wrap over several lines', '42'];

describe('renderTextTable', () => {
  it('underlines the header and fits the width, wrapping free text before addresses', () => {
    const text = renderTextTable(COLUMNS, [ROW], { width: 60 });
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^stream  client +note +n$/);
    expect(lines[1]).toMatch(/^─{6}  ─+  ─+  ─+$/);
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(60);
    expect(lines[2].startsWith('     7  [2001:470:1f05:17a6:')).toBe(true);
  });

  it('lays out rows past the cli-table3 part exactly as cli-table3 does', () => {
    const rows = Array.from({ length: 1003 }, () => ROW);
    const lines = renderTextTable(COLUMNS, rows, { width: 60, style: (line, _r, c) => (c === 3 ? `\u001b[1m${line}\u001b[22m` : line) }).split('\n');
    const perRow = (lines.length - 2) / rows.length;
    expect(Number.isInteger(perRow)).toBe(true);
    const block = (r: number): string[] => lines.slice(2 + r * perRow, 2 + (r + 1) * perRow);
    expect(block(1002)).toEqual(block(0));
    expect(block(999)).toEqual(block(1000));
  });
});
