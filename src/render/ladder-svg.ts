/**
 * A connection's close as an inline SVG ladder diagram for the HTML report: client and server as two
 * vertical lines, one labelled arrow per packet, time and frame on the left. FINs are thick blue, RSTs
 * thick red and dashed, evidence frames sit on a highlighted band, and a close-wait shows the endpoint
 * stuck in CLOSE_WAIT until the capture ended. Drawn with plain shapes (no markers or ids), so any
 * number of diagrams can share a page.
 */
import type { ConnectionRecord } from '../verdict/types.js';
import { html } from './html-escape.js';
import { ladderOf, shownText, type LadderRow } from './ladder-rows.js';
import { offsetText } from '../time/time-text.js';

const WIDTH = 760;
const LEFT = 210;
const RIGHT = 650;
const ROW = 28;
const TOP = 58;
const TIME_X = 104;
const FRAME_X = 160;

const STROKE = { normal: '#546e7a', fin: '#1565c0', rst: '#c62828' } as const;

/** The SVG element (one string), or '' when the record has no ladder. */
export function ladderSvg(record: ConnectionRecord): string {
  if (record.ladder.length === 0) return '';
  const ladder = ladderOf(record);
  const rows = ladder.rows;
  const shown = shownText(ladder);
  // The end of the capture gets three rows: the silence before it is the point of a close-wait.
  const heights = rows.map((r) => (r.kind === 'end' ? 3 * ROW : ROW));
  const tops = heights.map((_, i) => TOP + heights.slice(0, i).reduce((a, b) => a + b, 0));
  const height = TOP + heights.reduce((a, b) => a + b, 0) + (shown === '' ? 34 : 52);
  const y = (i: number): number => tops[i] + ROW / 2;
  const parts: string[] = [];
  const title = `Ladder diagram of stream ${record.stream}: ${record.client} to ${record.server}, ${record.verdict}`;
  parts.push(
    `<svg class="ladder" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-label="${html(title)}">`,
    `<title>${html(title)}</title>`,
    headerText('client', record.client + (record.roleInferred ? ' (inferred)' : ''), LEFT),
    headerText('server', record.server, RIGHT),
    `<text x="${TIME_X}" y="${TOP - 8}" class="lh" text-anchor="end">time</text>`,
    `<text x="${FRAME_X}" y="${TOP - 8}" class="lh" text-anchor="end">frame</text>`,
  );
  rows.forEach((row, i) => {
    if (row.kind === 'packet' && row.evidence) {
      parts.push(`<rect x="${FRAME_X - 52}" y="${y(i) - ROW / 2 + 2}" width="${RIGHT - FRAME_X + 100}" height="${ROW - 4}" rx="3" fill="#fff3c4"/>`);
    }
  });
  // The endpoints' lines, dotted across rows where packets were left out.
  // The endpoints' lines: dotted across rows where packets were left out and towards the capture's end.
  rows.forEach((row, i) => {
    const dash = row.kind === 'packet' ? '' : ' stroke-dasharray="2 4"';
    const bottom = tops[i] + heights[i] - (row.kind === 'end' ? ROW : 0);
    for (const x of [LEFT, RIGHT]) parts.push(`<line x1="${x}" y1="${tops[i]}" x2="${x}" y2="${bottom}" stroke="#263238" stroke-width="2"${dash}/>`);
  });
  parts.push(...closeWaitBand(record, rows, y, (i) => tops[i] + heights[i] - ROW));
  rows.forEach((row, i) => parts.push(...rowShapes(row, row.kind === 'end' ? tops[i] + heights[i] - ROW / 2 : y(i))));
  parts.push(
    shown === '' ? '' : `<text x="10" y="${height - 28}" class="ln">${html(shown)}</text>`,
    `<text x="10" y="${height - 10}" class="ln">time since the first packet · seq/ack relative · blue: FIN · red dashed: RST · highlighted: evidence</text>`,
    '</svg>',
  );
  return parts.join('\n');
}

function headerText(role: string, address: string, x: number): string {
  return (
    `<text x="${x}" y="18" class="lr" text-anchor="middle">${role}</text>` +
    `<text x="${x}" y="36" class="la" text-anchor="middle">${html(address)}</text>`
  );
}

function rowShapes(row: LadderRow, y: number): string[] {
  switch (row.kind) {
    case 'packet': {
      const kind = row.rst ? 'rst' : row.fin ? 'fin' : 'normal';
      const colour = STROKE[kind];
      const width = kind === 'normal' ? 1.4 : 2.6;
      const dash = kind === 'rst' ? ' stroke-dasharray="7 4"' : '';
      const rightward = row.step.from === 'client';
      const [from, to] = rightward ? [LEFT, RIGHT] : [RIGHT, LEFT];
      const tip = rightward ? to - 1 : to + 1;
      const back = rightward ? tip - 10 : tip + 10;
      const weight = row.evidence || kind !== 'normal' ? ' font-weight="700"' : '';
      return [
        `<text x="${TIME_X}" y="${y + 4}" class="lt" text-anchor="end">${offsetText(row.step.offset)}</text>`,
        `<text x="${FRAME_X}" y="${y + 4}" class="lt" text-anchor="end">${row.step.frame}</text>`,
        `<line x1="${from}" y1="${y + 4}" x2="${back}" y2="${y + 4}" stroke="${colour}" stroke-width="${width}"${dash}/>`,
        `<polygon points="${tip},${y + 4} ${back},${y - 0.5} ${back},${y + 8.5}" fill="${colour}"/>`,
        `<text x="${(LEFT + RIGHT) / 2}" y="${y - 2}" class="ll${kind === 'normal' ? '' : ` l-${kind}`}" text-anchor="middle"${weight}>${html(row.label)}</text>`,
      ];
    }
    case 'gap': {
      const text = row.count === null ? 'more packets not shown' : `${row.count} packet${row.count === 1 ? '' : 's'} not shown`;
      return [`<text x="${(LEFT + RIGHT) / 2}" y="${y + 4}" class="ln" text-anchor="middle">${text}</text>`];
    }
    case 'end':
      return [
        row.offset === null ? '' : `<text x="${TIME_X}" y="${y + 4}" class="lt" text-anchor="end">${offsetText(row.offset)}</text>`,
        `<text x="${(LEFT + RIGHT) / 2}" y="${y + 4}" class="le" text-anchor="middle">${html(row.text)}</text>`,
      ];
  }
}

/** close-wait: a red band on the endpoint's line from its ACK of the peer's FIN to the end of the capture. */
function closeWaitBand(record: ConnectionRecord, rows: LadderRow[], y: (i: number) => number, endY: (i: number) => number): string[] {
  if (record.verdict !== 'close-wait' || record.endpoint === null) return [];
  const ackFrame = record.evidence[1];
  const from = rows.findIndex((r) => r.kind === 'packet' && r.step.frame === ackFrame);
  const to = rows.findIndex((r) => r.kind === 'end');
  if (from < 0 || to < 0) return [];
  const x = record.endpoint === 'client' ? LEFT : RIGHT;
  const top = y(from) + 4;
  const bottom = endY(to);
  // The label runs along the band, outside the two lines where no arrow label can collide with it.
  const labelX = record.endpoint === 'client' ? x - 12 : x + 18;
  return [
    `<rect x="${x - 5}" y="${top}" width="10" height="${bottom - top}" fill="#c62828" fill-opacity="0.35"/>`,
    `<text transform="translate(${labelX},${(top + bottom) / 2}) rotate(-90)" class="lw" text-anchor="middle">CLOSE_WAIT</text>`,
  ];
}
