/**
 * One connection per row (`--format csv`), for spreadsheets and scripts. RFC 4180: CRLF line ends,
 * fields quoted when they hold a comma or quote. Nested evidence is flattened into one field each
 * (`frame:from:ackFrame;...`); the ladder is left out. Numbers are written plainly (never 1e-7), null is
 * an empty field. Text from captures (file names above all) is made safe as in the other formats:
 * control characters become a visible `\xNN` (so a row is always one line), and a cell a spreadsheet
 * would run as a formula starts with `'` (formula-guard.ts). `csvHeader` and `csvRow` serve callers
 * that stream records.
 */
import type { ConnectionRecord, FinEvidence, IcmpEvidence, ResetEvidence } from '../verdict/types.js';
import type { Report } from '../report/model.js';
import { formulaSafe } from './formula-guard.js';
import { printable } from './text-width.js';

type Field = string | number | boolean | null;

const COLUMNS: readonly [string, (r: ConnectionRecord) => Field][] = [
  ['file', (r) => r.file],
  ['stream', (r) => r.stream],
  ['client', (r) => r.client],
  ['server', (r) => r.server],
  ['roleInferred', (r) => r.roleInferred],
  ['verdict', (r) => r.verdict],
  ['endpoint', (r) => r.endpoint],
  ['cause', (r) => r.cause],
  ['confidence', (r) => r.confidence],
  ['since', (r) => r.since],
  ['stuckSeconds', (r) => r.stuckSeconds],
  ['delaySeconds', (r) => r.delaySeconds],
  ['activity', (r) => r.activity],
  ['fromState', (r) => r.fromState],
  ['bytesDiscarded', (r) => r.bytesDiscarded],
  ['halfClose', (r) => r.halfClose],
  ['start', (r) => r.start],
  ['end', (r) => r.end],
  ['firstFrame', (r) => r.firstFrame],
  ['lastFrame', (r) => r.lastFrame],
  ['packets', (r) => r.packets],
  ['bytesClient', (r) => r.bytes.client],
  ['bytesServer', (r) => r.bytes.server],
  ['stateClient', (r) => r.states.client],
  ['stateServer', (r) => r.states.server],
  // frame:from:ackFrame, `:retransmission` appended for a copy; ackFrame empty if never ACKed.
  ['fins', (r) => r.fins.map(finText).join(';')],
  // frame:from:shape
  ['resets', (r) => r.resets.map(resetText).join(';')],
  // frame:about:type/code
  ['icmpErrors', (r) => r.icmpErrors.map(icmpText).join(';')],
  ['evidence', (r) => r.evidence.join(' ')],
  ['history', (r) => r.history],
  ['connState', (r) => r.connState],
  ['endReason', (r) => r.endReason],
  ['explanation', (r) => r.explanation],
];

function finText(f: FinEvidence): string {
  return `${f.frame}:${f.from}:${f.ackFrame ?? ''}${f.retransmission ? ':retransmission' : ''}`;
}

function resetText(r: ResetEvidence): string {
  return `${r.frame}:${r.from}:${r.shape}`;
}

function icmpText(e: IcmpEvidence): string {
  return `${e.frame}:${e.about}:${e.type}/${e.code}`;
}

/** The header line, CRLF included. */
export function csvHeader(): string {
  return `${COLUMNS.map(([name]) => name).join(',')}\r\n`;
}

/** One record's line, CRLF included. */
export function csvRow(record: ConnectionRecord): string {
  return `${COLUMNS.map(([, get]) => csvField(get(record))).join(',')}\r\n`;
}

export function renderCsv(report: Report): string {
  return csvHeader() + report.connections.map(csvRow).join('');
}

export function csvField(value: Field): string {
  if (value === null) return '';
  const text = typeof value === 'number' ? plainNumber(value) : typeof value === 'string' ? formulaSafe(printable(value)) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** 0.0000001 rather than 1e-7: spreadsheets and `cut` users should not meet exponents. Same digits, point moved. */
function plainNumber(n: number): string {
  const text = String(n);
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (m === null) return text;
  const digits = m[2] + (m[3] ?? '');
  const point = 1 + Number(m[4]);
  if (point <= 0) return `${m[1]}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return m[1] + digits + '0'.repeat(point - digits.length);
  return `${m[1]}${digits.slice(0, point)}.${digits.slice(point)}`;
}
