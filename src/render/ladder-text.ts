/**
 * A connection's close as a text ladder diagram, for a fenced code block in a ticket: the client's line
 * on the left, the server's on the right, one arrow per packet. FINs are drawn `===>` and RSTs `###>`
 * so the close stands out even without colour.
 */
import type { ConnectionRecord } from '../verdict/types.js';
import { ladderOf, shownText, type LadderRow } from './ladder-rows.js';
import { displayWidth, pad, printable } from './text-width.js';
import { offsetText } from '../time/time-text.js';

const TIME_WIDTH = 11;
const MIN_INNER = 48;
const MAX_INNER = 66;

/** The diagram's lines (no trailing newline); empty when the record has no ladder (normal ends). */
export function ladderText(record: ConnectionRecord): string[] {
  if (record.ladder.length === 0) return [];
  const ladder = ladderOf(record);
  const rows = ladder.rows;
  const labels = rows.map((r) => (r.kind === 'packet' ? displayWidth(r.label) : 0));
  const names = headerNames(record);
  const together = displayWidth(names.left) + 2 + displayWidth(names.right) - 2;
  // Room for the label, a space each side and at least three shaft characters and a head; a little more
  // if that puts both addresses on one line.
  const inner = Math.max(MIN_INNER, Math.max(...labels) + 10, together <= MAX_INNER ? together : 0);
  const frameWidth = Math.max(5, ...record.ladder.map((s) => String(s.frame).length));
  const prefix = (time: string, frame: string): string => `${pad(time, TIME_WIDTH, 'right')}  ${pad(frame, frameWidth, 'right')}  `;

  const bars = `${prefix('', '')}|${' '.repeat(inner)}|`;
  const lines = [...header(names, prefix('time', 'frame'), inner), bars];
  for (const row of rows) if (row.kind !== 'end') lines.push(rowLine(row, prefix, inner));
  lines.push(bars);
  for (const row of rows) if (row.kind === 'end') lines.push(rowLine(row, prefix, inner));
  const shown = shownText(ladder);
  if (shown !== '') lines.push(`${shown}.`);
  lines.push('time since the first packet; seq/ack relative; === FIN, ### RST; * evidence frame');
  return lines.map((l) => l.trimEnd());
}

function headerNames(record: ConnectionRecord): { left: string; right: string } {
  return {
    left: `client ${printable(record.client)}${record.roleInferred ? ' (inferred)' : ''}`,
    right: `server ${printable(record.server)}`,
  };
}

/** `client <address>` over the left line, `server <address>` over the right; two lines when they collide. */
function header(names: { left: string; right: string }, prefix: string, inner: number): string[] {
  const { left, right } = names;
  const span = inner + 2;
  const blank = ' '.repeat(displayWidth(prefix));
  if (displayWidth(left) + 2 + displayWidth(right) <= span) return [prefix + left + pad(right, span - displayWidth(left), 'right')];
  return [prefix + left, blank + pad(right, span, 'right')];
}

function rowLine(row: LadderRow, prefix: (time: string, frame: string) => string, inner: number): string {
  switch (row.kind) {
    case 'packet': {
      const shaft = row.rst ? '#' : row.fin ? '=' : '-';
      const body = ` ${row.label} `;
      const room = inner - displayWidth(body) - 1;
      const before = shaft.repeat(Math.floor(room / 2));
      const after = shaft.repeat(room - Math.floor(room / 2));
      const arrow = row.step.from === 'client' ? `${before}${body}${after}>` : `<${before}${body}${after}`;
      return `${prefix(offsetText(row.step.offset), String(row.step.frame))}|${arrow}|${row.evidence ? ' *' : ''}`;
    }
    case 'gap': {
      const text = row.count === null ? 'more packets not shown' : `${row.count} packet${row.count === 1 ? '' : 's'} not shown`;
      return `${prefix('', '')}:${centre(text, inner)}:`;
    }
    case 'end':
      return `${prefix(row.offset === null ? '' : offsetText(row.offset), '')}${row.text}`;
  }
}

function centre(text: string, width: number): string {
  const left = Math.max(0, Math.floor((width - displayWidth(text)) / 2));
  return pad(' '.repeat(left) + text, width);
}
