/**
 * The columns of a verdict's connection list, shared by table, markdown and HTML: the same facts in the
 * same order whatever the format. Besides stream, endpoints and evidence, each verdict shows the times
 * that matter for it (how long a close-wait has been stuck, how late a FIN came, when the RST hit).
 * Cells are plain text; each format escapes and styles them itself.
 */
import type { ConnectionRecord, ResetEvidence, Verdict } from '../verdict/types.js';
import { allOnOneDay, humanDuration, rowClock } from '../time/time-text.js';
import type { Report } from '../report/model.js';
import type { TextColumn } from './text-table.js';

export interface RowContext {
  /** Time of day, or date and time when the captures span several days. */
  time: (iso: string) => string;
  /** Index (1-based) of the record's capture when there are several, for `2:26` stream labels. */
  captureIndex: (file: string) => number | null;
}

/** A column of the table (TextColumn says how it wraps in a terminal) and how to fill its cell. */
export interface RowColumn extends TextColumn {
  cell: (record: ConnectionRecord, ctx: RowContext) => string;
}

const stream: RowColumn = {
  header: 'stream',
  align: 'right',
  wraps: false,
  cell: (r, ctx) => streamLabel(r, ctx),
};
const client: RowColumn = { header: 'client', align: 'left', wraps: true, wrapOrder: 2, minWidth: 21, cell: (r) => r.client };
const server: RowColumn = { header: 'server', align: 'left', wraps: true, wrapOrder: 2, minWidth: 21, cell: (r) => r.server };
const endpoint: RowColumn = {
  header: 'at fault',
  align: 'left',
  wraps: false,
  // `?`: client and server were guessed from the ports, so the blame is as good as that guess.
  cell: (r) => (r.endpoint === null ? '-' : r.roleInferred ? `${r.endpoint}?` : r.endpoint),
};
const evidence: RowColumn = { header: 'evidence', align: 'left', wraps: true, minWidth: 8, cell: (r) => r.evidence.join(' ') };

function timeColumn(header: string, iso: (r: ConnectionRecord) => string | null): RowColumn {
  const cell = (r: ConnectionRecord, ctx: RowContext): string => {
    const t = iso(r);
    return t === null ? '-' : ctx.time(t);
  };
  // Wraps (at the space between date and time) only when the captures span several days.
  return { header, align: 'left', wraps: true, wrapOrder: 1, cell };
}

function durationColumn(header: string, seconds: (r: ConnectionRecord) => number | null): RowColumn {
  const cell = (r: ConnectionRecord): string => {
    const s = seconds(r);
    return s === null ? '-' : humanDuration(s);
  };
  return { header, align: 'right', wraps: false, cell };
}

function textColumn(header: string, text: (r: ConnectionRecord) => string): RowColumn {
  return { header, align: 'left', wraps: true, minWidth: 16, cell: (r) => text(r) };
}

/** The RST the verdict rests on: the one among the evidence frames, else the first. */
function decisiveReset(r: ConnectionRecord): ResetEvidence | null {
  return r.resets.find((x) => r.evidence.includes(x.frame)) ?? r.resets[0] ?? null;
}

/** The first (original) FIN the blamed endpoint sent. */
function endpointFin(r: ConnectionRecord): string | null {
  const fin = r.fins.find((f) => f.from === r.endpoint && !f.retransmission) ?? r.fins.find((f) => f.from === r.endpoint);
  return fin?.time ?? null;
}

const rstAt = timeColumn('RST at', (r) => decisiveReset(r)?.time ?? null);

function abortiveCause(r: ConnectionRecord): string {
  const cause = r.cause === 'linger-zero' ? `SO_LINGER 0${r.confidence === 'likely' ? ' (likely)' : ''}` : 'SO_LINGER 0 or unread data';
  // From CLOSE_WAIT the peer had closed already: the RST replaced this side's FIN.
  const state = r.fromState === 'CLOSE_WAIT' ? ' in CLOSE_WAIT' : '';
  const lost = r.bytesDiscarded !== null && r.bytesDiscarded > 0 ? `; ${r.bytesDiscarded} B discarded` : '';
  return cause + state + lost;
}

function refusedBy(r: ConnectionRecord): string {
  const icmp = r.icmpErrors[0];
  return decisiveReset(r) !== null || icmp === undefined ? 'RST' : `ICMP ${icmp.description}`;
}

/** The times and facts that matter for each verdict; a verdict without an entry shows when it started and ended. */
const FACTS: Partial<Record<Verdict, RowColumn[]>> = {
  'close-wait': [
    durationColumn('stuck', (r) => r.stuckSeconds),
    timeColumn('since', (r) => r.since),
    textColumn('activity', (r) => r.activity ?? '-'),
  ],
  'late-fin-reset': [durationColumn('FIN delay', (r) => r.delaySeconds), rstAt],
  'slow-close': [durationColumn('FIN delay', (r) => r.delaySeconds), timeColumn('FIN at', endpointFin)],
  'abortive-close': [rstAt, textColumn('cause', abortiveCause)],
  'reset-after-close': [timeColumn('FIN at', endpointFin), rstAt],
  'keepalive-timeout': [rstAt],
  reset: [rstAt, textColumn('cause', (r) => r.cause ?? '-')],
  'fin-unacked': [
    timeColumn('FIN at', endpointFin),
    textColumn('confidence', (r) => r.confidence ?? '-'),
  ],
  refused: [timeColumn('at', (r) => decisiveReset(r)?.time ?? r.icmpErrors[0]?.time ?? r.end), textColumn('by', refusedBy)],
  unanswered: [
    timeColumn('SYN at', (r) => r.start),
    textColumn('answer', (r) => (r.icmpErrors[0] === undefined ? 'none' : `ICMP ${r.icmpErrors[0].description}`)),
  ],
  orderly: [timeColumn('closed at', (r) => r.end), textColumn('half-close', (r) => (r.halfClose ? 'yes' : 'no'))],
  'simultaneous-close': [timeColumn('closed at', (r) => r.end)],
  open: [timeColumn('started', (r) => r.start), timeColumn('last packet', (r) => r.end)],
  'one-sided': [timeColumn('started', (r) => r.start), textColumn('not captured', (r) => r.quality?.unseen ?? '-')],
};

const DEFAULT_FACTS: RowColumn[] = [timeColumn('started', (r) => r.start), timeColumn('ended', (r) => r.end)];

/** All columns of a verdict's list, left to right. */
export function rowColumns(verdict: Verdict): RowColumn[] {
  return [stream, client, server, endpoint, ...(FACTS[verdict] ?? DEFAULT_FACTS), evidence];
}

export function streamLabel(r: ConnectionRecord, ctx: RowContext): string {
  const index = ctx.captureIndex(r.file);
  const stream = r.stream < 0 ? '-' : String(r.stream);
  return index === null ? stream : `${index}:${stream}`;
}

/** How rows of this report name streams and times (see RowContext). */
export function rowContext(report: Report): RowContext {
  const index = new Map<string, number>();
  if (report.captures.length > 1) report.captures.forEach((c, i) => index.set(c.file, i + 1));
  const times = report.captures.flatMap((c) => [c.start, c.end]);
  return { time: rowClock(allOnOneDay(times)), captureIndex: (file) => index.get(file) ?? null };
}
