/**
 * The terminal report (`--format table`, the default): what was read, how many of each verdict, the
 * findings worst first, and which services they belong to -- every line within `options.width` columns
 * so it survives being pasted into a ticket or a chat.
 */
import type { Verdict } from '../verdict/types.js';
import { adviceFor, isFinding, TIME_WAIT_PRESSURE_ADVICE, VERDICTS } from '../verdict/catalogue.js';
import { painter, type Painter } from './ansi.js';
import { listingOf, type Listing } from '../report/listing.js';
import type { CaptureFacts, Report } from '../report/model.js';
import type { RenderOptions } from './render.js';
import { findingsText, skippedText } from './capture-text.js';
import { capRows, moreText } from './row-cap.js';
import { rowColumns, rowContext } from './row-columns.js';
import { listedServices, serviceCounts, serviceCountText, showsTimeWait, timeWaitText } from './service-text.js';
import { peakTexts, PRESSURE_HEADERS, pressureRow, REUSE_HEADERS, reuseOutcomeTexts, reuseSentence, socketSections, statesText, type SocketSections } from './socket-sections.js';
import { renderTextTable, type TextColumn } from './text-table.js';
import { filterHeading, filterLines, hiddenText, longFilterText, partialText } from './report-notes.js';
import { printable, truncateMiddle, wrap } from './text-width.js';
import { humanDuration, timeSpan } from '../time/time-text.js';

export function renderTable(report: Report, options: RenderOptions, listing: Listing = listingOf(report.connections, options.limit)): string {
  const paint = painter(options.color);
  const blocks = [
    title(report, options.width, paint),
    captures(report, options, paint),
    verdictCounts(report, options, paint),
    ...findings(report, listing, options, paint),
    displayFilters(report, options, paint),
    services(report, options, paint),
    ...hostSections(report, socketSections(report, options), options, paint),
  ].filter((b) => b !== '');
  return `${blocks.join('\n\n')}\n`;
}

function title(report: Report, width: number, paint: Painter): string {
  const s = report.summary;
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const pressure = report.timeWaitPressure?.length ?? 0;
  const text =
    `closetrace ${report.generator.version}: ${plural(s.captures, 'capture')}, ${plural(s.connections, 'connection')}, ${plural(s.findings, 'finding')}` +
    (pressure > 0 ? `, ${pressure} time-wait-pressure` : '');
  const partial = partialText(report);
  return wrap(text, width).map((l) => paint.style(l, 'bold')).join('\n') + (partial === null ? '' : `\n${paint.style(partial, 'yellow')}`);
}

/** Lines that must stay one line each (errors, notes): cut in the middle so both the file and the reason show. */
function line(text: string, width: number): string {
  return truncateMiddle(printable(text), width);
}

function captures(report: Report, options: RenderOptions, paint: Painter): string {
  if (report.captures.length === 0) return 'No captures were read.';
  const numbered = report.captures.length > 1;
  const columns: TextColumn[] = [
    ...(numbered ? [{ header: '#', align: 'right' as const, wraps: false }] : []),
    { header: 'capture', align: 'left', wraps: true },
    { header: 'time span (UTC)', align: 'left', wraps: true },
    { header: 'frames', align: 'right', wraps: false },
    { header: 'connections', align: 'right', wraps: false },
    // Which file holds the problems matters once there are several.
    ...(numbered ? [{ header: 'findings', align: 'right' as const, wraps: false }] : []),
  ];
  const { shown, hidden } = capRows(report.captures, options.limit);
  const rows = shown.map((c, i) => [
    ...(numbered ? [String(i + 1)] : []),
    printable(c.file) + (c.error !== null ? ' (error)' : ''),
    // No-break spaces keep "(11.3 s)" together when the column wraps.
    timeSpan(c.start, c.end).replace(/\([^)]*\)$/, (length) => length.replace(/ /g, '\u00a0')),
    String(c.frames),
    String(c.connections),
    ...(numbered ? [findingsText(c)] : []),
  ]);
  const out = [renderTextTable(columns, rows, { width: options.width, headStyle: (t) => paint.style(t, 'bold') })];
  if (hidden > 0) out.push(paint.style(`... ${hidden} more captures (use --format json)`, 'dim'));
  const skipped = skippedText(report);
  if (skipped !== null) out.push(...wrap(skipped, options.width).map((l) => paint.style(l, 'dim')));
  // Every bad file gets its line, even past the cap: the user must see which input failed.
  for (const c of report.captures) if (c.error !== null) out.push(paint.style(line(`error: ${c.error}`, options.width), 'red'));
  for (const c of report.captures) for (const w of c.warnings) out.push(paint.style(line(`warning: ${captureName(c, report)}${w}`, options.width), 'yellow'));
  return out.join('\n');
}

function captureName(c: CaptureFacts, report: Report): string {
  return report.captures.length > 1 ? `${c.file}: ` : '';
}

function verdictCounts(report: Report, options: RenderOptions, paint: Painter): string {
  const counts = report.summary.verdicts;
  const present = VERDICTS.filter((v) => counts[v] > 0);
  const listed = present.filter((v) => options.all || isFinding(v));
  const normal = present.filter((v) => !listed.includes(v));
  if (report.summary.connections === 0) return 'No TCP connections were found.';
  const out: string[] = [];
  if (report.summary.findings === 0) out.push(paint.style(`No findings: every connection closed normally or is still open.`, 'green'));
  if (listed.length > 0) {
    const columns: TextColumn[] = [
      { header: 'verdict', align: 'left', wraps: false },
      { header: 'connections', align: 'right', wraps: false },
      { header: 'meaning', align: 'left', wraps: true },
    ];
    const rows = listed.map((v) => [v, String(counts[v]), adviceFor(v).summary]);
    const style = (text: string, row: number, column: number): string => (column === 0 ? paint.verdict(text, listed[row]) : text);
    out.push(renderTextTable(columns, rows, { width: options.width, style, headStyle: (t) => paint.style(t, 'bold') }));
  }
  if (normal.length > 0) {
    const text = `Also ${normal.map((v) => `${counts[v]} ${v}`).join(', ')} (normal; listed with --all).`;
    out.push(...wrap(text, options.width).map((l) => paint.style(l, 'dim')));
  }
  const hidden = hiddenText(report);
  if (hidden !== null) out.push(...wrap(hidden, options.width).map((l) => paint.style(l, 'dim')));
  return out.join('\n');
}

/** One filter per capture, never wrapped: it is made to be copied into Wireshark whole. */
function displayFilters(report: Report, options: RenderOptions, paint: Painter): string {
  const lines = filterLines(report);
  if (lines.length === 0) return '';
  const { shown, hidden } = capRows(lines, options.limit);
  const several = report.captures.length > 1 || lines.length > 1;
  const out = [paint.style(`${filterHeading(report)}:`, 'bold')];
  for (const l of shown) out.push(`${several ? `${printable(l.file)}: ` : ''}${l.filter ?? longFilterText(l)}`);
  if (hidden > 0) out.push(paint.style(`... ${hidden} more captures (use --format json)`, 'dim'));
  return out.join('\n');
}

function findings(report: Report, listing: Listing, options: RenderOptions, paint: Painter): string[] {
  const ctx = rowContext(report);
  let inferred = false;
  const blocks = listing.verdicts.map(({ verdict, count, shown }) => {
    const columns = rowColumns(verdict);
    const hidden = count - shown.length;
    inferred ||= shown.some((r) => r.roleInferred && r.endpoint !== null);
    const rows = shown.map((r) => columns.map((c) => printable(c.cell(r, ctx))));
    const out = [
      ...heading(verdict, count, options.width, paint),
      renderTextTable(columns, rows, { width: options.width, headStyle: (t) => paint.style(t, 'bold') }),
    ];
    if (hidden > 0) out.push(paint.style(moreText(hidden, options.all), 'dim'));
    return out.join('\n');
  });
  if (inferred) blocks.push(paint.style(line('?: no handshake seen, client and server were inferred from the ports.', options.width), 'dim'));
  return blocks;
}

function heading(verdict: Verdict, count: number, width: number, paint: Painter): string[] {
  const lines = wrap(`${verdict}: ${count} connection${count === 1 ? '' : 's'}, ${adviceFor(verdict).summary}`, width);
  // Colour only the verdict name at the start of the first line.
  lines[0] = paint.verdict(verdict, verdict) + paint.style(lines[0].slice(verdict.length), 'bold');
  return lines;
}

function services(report: Report, options: RenderOptions, paint: Painter): string {
  const list = listedServices(report.services, options.all);
  if (list.length === 0) return '';
  const { shown, hidden } = capRows(list, options.limit);
  const timeWait = showsTimeWait(shown);
  const columns: TextColumn[] = [
    { header: 'server', align: 'left', wraps: true, wrapOrder: 2, minWidth: 21 },
    { header: 'connections', align: 'right', wraps: false },
    { header: options.all ? 'verdicts' : 'findings', align: 'left', wraps: true },
    ...(timeWait ? [{ header: 'TIME_WAIT held by', align: 'left' as const, wraps: true, minWidth: 10 }] : []),
  ];
  const rows = shown.map((s) => [
    printable(s.server),
    String(s.connections),
    serviceCounts(s, options.all).map(serviceCountText).join('; '),
    ...(timeWait ? [timeWaitText(s) ?? '-'] : []),
  ]);
  const style = (text: string, _row: number, column: number): string => (column === 2 ? paintVerdictNames(text, paint) : text);
  const out = [
    paint.style(options.all ? 'Services' : 'Services with findings', 'bold'),
    renderTextTable(columns, rows, { width: options.width, style, headStyle: (t) => paint.style(t, 'bold') }),
  ];
  if (hidden > 0) out.push(paint.style(`... ${hidden} more services (use --format json)`, 'dim'));
  return out.join('\n');
}

// Longest names first so `reset` does not match inside `late-fin-reset`; '-' counts as part of a name.
const VERDICT_NAME = new RegExp(`(?<![\\w-])(${[...VERDICTS].sort((a, b) => b.length - a.length).join('|')})(?![\\w-])`, 'g');

function paintVerdictNames(text: string, paint: Painter): string {
  return text.replace(VERDICT_NAME, (name) => paint.verdict(name, name as Verdict));
}

/**
 * The host-level sections: time-wait-pressure findings with what to do, the sockets each host held at
 * the end (with --sockets every one of them), and the SYNs that met a TIME_WAIT socket.
 */
function hostSections(report: Report, s: SocketSections, options: RenderOptions, paint: Painter): string[] {
  const ctx = rowContext(report);
  const head = (t: string): string => paint.style(t, 'bold');
  const dim = (text: string): string[] => wrap(text, options.width).map((l) => paint.style(l, 'dim'));
  const blocks: string[] = [];
  const pressureCount = s.pressure.length + s.hiddenPressure;
  if (pressureCount > 0) {
    const lines = wrap(
      `time-wait-pressure: ${pressureCount} finding${pressureCount === 1 ? '' : 's'}, ${TIME_WAIT_PRESSURE_ADVICE.summary} (connect() fails with EADDRNOTAVAIL once it is all held)`,
      options.width,
    );
    lines[0] = paint.style('time-wait-pressure', 'red') + paint.style(lines[0].slice('time-wait-pressure'.length), 'bold');
    const several = report.captures.length > 1;
    const columns: TextColumn[] = PRESSURE_HEADERS.map((header, i) => ({
      header,
      align: i >= 2 && i !== 5 ? ('right' as const) : ('left' as const),
      wraps: i < 2,
      ...(i < 2 ? { wrapOrder: 2, minWidth: 15 } : {}),
    }));
    if (several) columns.unshift({ header: '#', align: 'right', wraps: false });
    const rows = s.pressure.map((p) => [...(several ? [String(ctx.captureIndex(p.file) ?? '-')] : []), ...pressureRow(p, ctx).map(printable)]);
    const out = [...lines, renderTextTable(columns, rows, { width: options.width, headStyle: head })];
    if (s.hiddenPressure > 0) out.push(paint.style(`... ${s.hiddenPressure} more (use --format json)`, 'dim'));
    out.push(head('What to do:'));
    for (const action of TIME_WAIT_PRESSURE_ADVICE.actions) {
      const wrapped = wrap(`- ${action}`, Math.max(20, options.width - 2));
      out.push(...wrapped.map((l, i) => (i === 0 ? l : `  ${l}`)));
    }
    blocks.push(out.join('\n'));
  }
  if (s.rows.length > 0 || s.quietHosts > 0) {
    const columns: TextColumn[] = [
      { header: 'host', align: 'left', wraps: true, wrapOrder: 2, minWidth: 15 },
      { header: 'sockets', align: 'right', wraps: false },
      { header: 'by state', align: 'left', wraps: true, minWidth: 14 },
      { header: 'most at once (UTC)', align: 'left', wraps: true, wrapOrder: 1, minWidth: 20 },
    ];
    const rows = s.rows.map((r) => [printable(r.address), String(r.total), statesText(r), peakTexts(r, ctx).join('; ') || '-']);
    const out = wrap('Sockets at the end of the capture, per host (what ss -tan would have listed)', options.width).map(head);
    if (rows.length > 0) out.push(renderTextTable(columns, rows, { width: options.width, headStyle: head }));
    if (s.hiddenRows > 0) out.push(paint.style(`... ${s.hiddenRows} more hosts (use --format json)`, 'dim'));
    if (s.quietHosts > 0) out.push(...dim(`${rows.length > 0 ? 'Also ' : ''}${s.quietHosts} host${s.quietHosts === 1 ? '' : 's'} held no socket at the end and no CLOSE_WAIT or TIME_WAIT on the way (listed with --all).`));
    if (s.timeWaitLeft) out.push(...dim(`TIME_WAIT is held by the side that closed first (per service: ${options.all ? 'above' : '--all'}, or services[].timeWait in --format json).`));
    if (s.listings.length === 0 && s.rows.some((r) => r.total > 0)) out.push(...dim('Every socket: --sockets.'));
    blocks.push(out.join('\n'));
  }
  for (const l of s.listings) {
    const columns: TextColumn[] = [
      { header: 'state', align: 'left', wraps: false },
      { header: 'local address:port', align: 'left', wraps: true, wrapOrder: 2, minWidth: 21 },
      { header: 'peer address:port', align: 'left', wraps: true, wrapOrder: 2, minWidth: 21 },
    ];
    const rows = l.sockets.map((x) => [x.state, printable(x.local), printable(x.peer)]);
    const heading = wrap(`Sockets of ${printable(l.address)} at the end of the capture: ${l.sockets.length}`, options.width).map(head);
    blocks.push([...heading, renderTextTable(columns, rows, { width: options.width, headStyle: head })].join('\n'));
  }
  if (s.reuse !== null) {
    const out = [head('TIME_WAIT reuse'), ...wrap(reuseSentence(s.reuse), options.width)];
    for (const text of reuseOutcomeTexts(s.reuse)) out.push(...wrap(`- ${text}`, options.width));
    if (s.reuse.examples.length > 0) {
      const columns: TextColumn[] = REUSE_HEADERS.map((header, i) => ({
        header,
        align: i === 0 || i === 4 ? ('right' as const) : ('left' as const),
        wraps: i === 1 || i === 2,
        ...(i === 1 || i === 2 ? { wrapOrder: 2, minWidth: 21 } : {}),
      }));
      const rows = s.reuse.examples.map((e) => {
        const index = ctx.captureIndex(e.file);
        return [index === null ? String(e.stream) : `${index}:${e.stream}`, printable(e.holder), printable(e.peer), ctx.time(e.at), humanDuration(e.inTimeWaitSeconds), e.outcome];
      });
      out.push(renderTextTable(columns, rows, { width: options.width, headStyle: head }));
      if (s.reuse.hiddenExamples > 0) out.push(paint.style(`... ${s.reuse.hiddenExamples} more (use --format json)`, 'dim'));
    } else if (!options.all) out.push(...dim('Each of them (stream, holder, how long in TIME_WAIT): --all.'));
    blocks.push(out.join('\n'));
  }
  return blocks;
}
