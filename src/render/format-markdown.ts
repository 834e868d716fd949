/**
 * The report for an incident ticket (`--format markdown`): capture facts, counts, services, then one
 * section per verdict with what it means, what to do, the connections, and worked examples with a
 * Wireshark filter and a ladder diagram. Everything from the capture is escaped (markdown-escape.ts).
 */
import type { ConnectionRecord } from '../verdict/types.js';
import { adviceFor, resetCauseAdvice, TIME_WAIT_PRESSURE_ADVICE } from '../verdict/catalogue.js';
import { findingsText, formatText, notDecodedText, skippedText } from './capture-text.js';
import { ladderText } from './ladder-text.js';
import { formulaSafe } from './formula-guard.js';
import { mdCode, mdFence, mdTable, mdText } from './markdown-escape.js';
import { listingOf, type Listing } from '../report/listing.js';
import type { Report } from '../report/model.js';
import type { RenderOptions } from './render.js';
import { filterHeading, filterLines, hiddenText, longFilterText, partialText } from './report-notes.js';
import { reportSections, type ReportSections, type VerdictSection } from './report-sections.js';
import { moreText } from './row-cap.js';
import { rowColumns } from './row-columns.js';
import { serviceCounts, serviceCountText, showsTimeWait, timeWaitText } from './service-text.js';
import { REUSE_MEANING } from './socket-advice.js';
import { peakTexts, PRESSURE_HEADERS, pressureRow, REUSE_HEADERS, reuseOutcomeTexts, reuseSentence, statesText } from './socket-sections.js';
import { humanDuration, timeSpan } from '../time/time-text.js';

/** What a shortened report still shows (see fit()). */
interface Plan {
  /** Examples (with a ladder) per verdict. */
  examples: number;
  /** Rows per table (connections, captures, services). */
  rows: number;
  /** What each verdict means and what to do about it. */
  advice: boolean;
}

export function renderMarkdown(report: Report, options: RenderOptions, listing: Listing = listingOf(report.connections, options.limit)): string {
  const s = reportSections(report, listing, options);
  const full: Plan = { examples: Infinity, rows: Infinity, advice: true };
  const text = document(report, s, options, full, null);
  const budget = options.markdownBudget ?? 0;
  return budget > 0 && text.length > budget ? fit(report, s, options, budget) : text;
}

/**
 * The report within `budget` characters (an issue tracker's comment limit): the least is left out that
 * makes it fit, in this order: the third and second example of each verdict, then rows of every table
 * (halved until they fit) keeping one example each, then the examples too, then the advice texts; a
 * note at the end says what is missing.
 * If even the summary does not fit, the text is cut at a line with the note after it.
 */
function fit(report: Report, s: ReportSections, options: RenderOptions, budget: number): string {
  const plans: Plan[] = [{ examples: 2, rows: Infinity, advice: true }];
  for (const examples of [1, 0]) {
    for (let rows = Math.min(options.limit, longestTable(s)); ; rows = Math.floor(rows / 2)) {
      plans.push({ examples, rows, advice: true });
      if (rows === 0) break;
    }
  }
  plans.push({ examples: 0, rows: 0, advice: false });
  for (const plan of plans) {
    const text = document(report, s, options, plan, leftOut(s, plan, budget));
    if (text.length <= budget) return text;
  }
  const last = plans[plans.length - 1];
  const note = `\n${leftOut(s, last, budget)}\n`;
  const text = document(report, s, options, last, null);
  const room = Math.max(0, budget - note.length);
  const cut = text.lastIndexOf('\n', room);
  return `${text.slice(0, cut < 0 ? 0 : cut)}\n${note}`.slice(0, budget);
}

function longestTable(s: ReportSections): number {
  const k = s.sockets;
  return Math.max(
    s.captures.length,
    s.services.length,
    ...s.verdicts.map((v) => v.shown.length),
    k.rows.length,
    k.pressure.length,
    k.reuse?.examples.length ?? 0,
    ...k.listings.map((l) => l.sockets.length),
  );
}

/** The note that says what a shortened report left out. */
function leftOut(s: ReportSections, plan: Plan, budget: number): string {
  let examples = 0;
  let rows = 0;
  for (const v of s.verdicts) {
    examples += Math.max(0, v.examples.length - plan.examples);
    rows += Math.max(0, v.shown.length - plan.rows);
  }
  rows += Math.max(0, s.captures.length - plan.rows) + Math.max(0, s.services.length - plan.rows);
  const k = s.sockets;
  rows += Math.max(0, k.rows.length - plan.rows) + Math.max(0, k.pressure.length - plan.rows) + Math.max(0, (k.reuse?.examples.length ?? 0) - plan.rows);
  for (const l of k.listings) rows += Math.max(0, l.sockets.length - plan.rows);
  const parts = [
    ...(examples > 0 ? [`${examples} example${examples === 1 ? '' : 's'} with ladder diagrams`] : []),
    ...(rows > 0 ? [`${rows} table row${rows === 1 ? '' : 's'}`] : []),
    ...(plan.advice ? [] : ['what each verdict means and what to do']),
  ];
  const what = parts.length === 0 ? 'part of the text' : parts.join(', ');
  return `> **Shortened to fit ${budget.toLocaleString('en-US')} characters** (\`--markdown-budget\`): left out ${what}. The whole report: \`--format html\` or \`--format json\`.`;
}

function document(report: Report, s: ReportSections, options: RenderOptions, plan: Plan, note: string | null): string {
  const blocks = [
    intro(report),
    captures(report, s, plan),
    summary(report, s),
    services(s, options.all, plan),
    timeWaitPressure(report, s, plan),
    hostSockets(s, options.all, plan),
    displayFilters(report, plan),
    ...s.verdicts.map((v) => verdictSection(v, s, report.captures.length > 1, plan, options.all)),
    socketListings(s, plan),
    timeWaitReuse(s, plan, options.all),
    ...(note === null ? [] : [[note]]),
  ];
  return `${blocks.filter((b) => b.length > 0).map((b) => b.join('\n')).join('\n\n')}\n`;
}

function displayFilters(report: Report, plan: Plan): string[] {
  const lines = filterLines(report);
  if (lines.length === 0) return [];
  const several = report.captures.length > 1 || lines.length > 1;
  const shown = lines.slice(0, Math.max(1, Math.min(lines.length, plan.rows)));
  const out = ['## Wireshark', '', `${mdText(filterHeading(report))}:`, ''];
  for (const l of shown) {
    const filter = l.filter === null ? mdText(longFilterText(l)) : mdCode(l.filter);
    out.push(several ? `- ${mdCode(l.file)}: ${filter}` : filter);
  }
  if (shown.length < lines.length) out.push('', `... ${lines.length - shown.length} more captures (use --format json)`);
  return out;
}

function intro(report: Report): string[] {
  const s = report.summary;
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  return [
    '# closetrace report',
    '',
    `${plural(s.connections, 'TCP connection')} in ${plural(s.captures, 'capture')}: **${plural(s.findings, 'finding')}**. ` +
      `Made with closetrace ${mdText(report.generator.version)}; times are UTC.`,
    ...(partialText(report) === null ? [] : ['', `**${partialText(report)}**`]),
  ];
}

function captures(report: Report, s: ReportSections, plan: Plan): string[] {
  if (s.captures.length === 0) return ['## Captures', '', 'No captures were read.'];
  const shownCaptures = s.captures.slice(0, Math.max(1, Math.min(s.captures.length, plan.rows)));
  const hiddenCaptures = s.hiddenCaptures + s.captures.length - shownCaptures.length;
  const numbered = s.captures[0].index !== null;
  const headers = [...(numbered ? ['#'] : []), 'capture', 'format', 'time span (UTC)', 'frames', 'TCP segments', 'connections', 'findings'];
  const aligns = [...(numbered ? ['right' as const] : []), 'left' as const, 'left' as const, 'left' as const, 'right' as const, 'right' as const, 'right' as const, 'right' as const];
  const rows = shownCaptures.map(({ index, facts }) => [
    ...(index !== null ? [String(index)] : []),
    // A table pasted into a spreadsheet keeps its cells: a file name must not arrive as a formula.
    mdCode(formulaSafe(facts.file)) + (facts.error !== null ? ' (error)' : ''),
    mdText(formatText(facts)),
    mdText(timeSpan(facts.start, facts.end)),
    String(facts.frames),
    String(facts.tcpSegments),
    String(facts.connections),
    findingsText(facts),
  ]);
  const out = ['## Captures', '', ...mdTable(headers, aligns, rows)];
  if (hiddenCaptures > 0) out.push('', `... ${hiddenCaptures} more captures (use --format json)`);
  const skipped = skippedText(report);
  const notes = [
    ...(skipped === null ? [] : [`- ${skipped}`]),
    ...s.errors.map((c) => `- **Error:** ${mdText(c.error ?? '')}`),
    ...s.captures.flatMap(({ facts }) => facts.warnings.map((w) => `- Warning, ${mdCode(facts.file)}: ${mdText(w)}`)),
    ...s.captures.flatMap(({ facts }) => {
      const text = notDecodedText(facts);
      return text === null ? [] : [`- ${mdCode(facts.file)}: ${mdText(text)}`];
    }),
  ];
  return notes.length > 0 ? out.concat('', notes) : out;
}

function summary(report: Report, s: ReportSections): string[] {
  const out = ['## Summary', ''];
  if (report.summary.connections === 0) return [...out, 'No TCP connections were found.'];
  if (report.summary.findings === 0) out.push('No findings: every connection closed normally or is still open.', '');
  if (s.counts.length > 0) {
    const rows = s.counts.map(({ verdict, count }) => [`\`${verdict}\``, String(count), mdText(adviceFor(verdict).summary)]);
    out.push(...mdTable(['verdict', 'connections', 'meaning'], ['left', 'right', 'left'], rows));
  }
  if (s.otherCounts.length > 0) {
    out.push('', `Also ${s.otherCounts.map((c) => `${c.count} \`${c.verdict}\``).join(', ')} (normal ends; listed with \`--all\`).`);
  }
  const hidden = hiddenText(report);
  if (hidden !== null) out.push('', mdText(hidden));
  return out;
}

function services(s: ReportSections, all: boolean, plan: Plan): string[] {
  if (s.services.length === 0 || plan.rows === 0) return [];
  const shown = s.services.slice(0, Math.min(s.services.length, plan.rows));
  const hiddenServices = s.hiddenServices + s.services.length - shown.length;
  const timeWait = showsTimeWait(shown);
  const rows = shown.map((svc) => [
    mdCode(svc.server),
    String(svc.connections),
    mdText(serviceCounts(svc, all).map(serviceCountText).join('; ')),
    ...(timeWait ? [mdText(timeWaitText(svc) ?? '-')] : []),
  ]);
  const headers = ['server', 'connections', all ? 'verdicts' : 'findings', ...(timeWait ? ['TIME_WAIT held by'] : [])];
  const aligns = ['left' as const, 'right' as const, 'left' as const, ...(timeWait ? ['left' as const] : [])];
  const out = [all ? '## Services' : '## Services with findings', '', ...mdTable(headers, aligns, rows)];
  if (hiddenServices > 0) out.push('', `... ${hiddenServices} more services (use --format json)`);
  return out;
}

function verdictSection(v: VerdictSection, s: ReportSections, several: boolean, plan: Plan, all: boolean): string[] {
  const out = [`## ${mdText(v.advice.title)}`, '', `**${v.count} connection${v.count === 1 ? '' : 's'}** with verdict \`${v.verdict}\`.`];
  if (plan.advice) out.push('', v.advice.meaning);
  for (const c of v.causes) {
    const advice = resetCauseAdvice(c.cause);
    if (plan.advice) out.push('', `- **${advice.title}** (${c.count}): ${advice.meaning}`, ...advice.actions.map((a) => `  - ${a}`));
    else out.push('', `- **${advice.title}** (${c.count})`);
  }
  if (plan.advice && v.advice.actions.length > 0) out.push('', '**What to do:**', '', ...v.advice.actions.map((a) => `- ${a}`));
  const shown = v.shown.slice(0, Math.min(v.shown.length, plan.rows));
  // concat, not push(...rows): --limit may allow more rows than a call takes arguments.
  let lines = shown.length > 0 ? out.concat('', connectionTable(v, shown, s)) : out;
  const more = shown.length === v.shown.length ? v.more : moreText(v.count - shown.length, all);
  if (more !== null) lines.push('', mdText(more));
  const examples = v.examples.slice(0, Math.min(v.examples.length, plan.examples));
  examples.forEach((r, i) => (lines = lines.concat('', example(r, i + 1, examples.length, s, several))));
  return lines;
}

function connectionTable(v: VerdictSection, shown: readonly ConnectionRecord[], s: ReportSections): string[] {
  const columns = rowColumns(v.verdict);
  const code = new Set(['client', 'server']);
  const rows = shown.map((r) => columns.map((c) => (code.has(c.header) ? mdCode(c.cell(r, s.ctx)) : mdText(c.cell(r, s.ctx)))));
  return mdTable(
    columns.map((c) => c.header),
    columns.map((c) => c.align),
    rows,
  );
}

function example(r: ConnectionRecord, n: number, of: number, s: ReportSections, several: boolean): string[] {
  const where = several ? ` in ${mdCode(r.file)}` : '';
  const index = s.ctx.captureIndex(r.file);
  const ladder = ladderText(r).join('\n');
  const fence = mdFence(ladder);
  return [
    `### ${r.verdict} example ${n} of ${of}: stream ${r.stream}${index === null ? '' : ` of capture ${index}`}`,
    '',
    `- Wireshark display filter: \`tcp.stream eq ${r.stream}\`${where}`,
    `- Evidence frames: ${r.evidence.join(', ')}`,
    `- ${mdText(r.explanation)}`,
    '',
    `${fence}text`,
    ladder,
    fence,
  ];
}

/** The time-wait-pressure findings: what they mean, what to do, and the table. */
function timeWaitPressure(report: Report, s: ReportSections, plan: Plan): string[] {
  const k = s.sockets;
  const count = k.pressure.length + k.hiddenPressure;
  if (count === 0) return [];
  const advice = TIME_WAIT_PRESSURE_ADVICE;
  const out = [`## ${mdText(advice.title)}`, '', `**${count} finding${count === 1 ? '' : 's'}** \`time-wait-pressure\`: ${mdText(advice.summary)}.`];
  if (plan.advice) out.push('', advice.meaning, '', '**What to do:**', '', ...advice.actions.map((a) => `- ${a}`));
  const shown = k.pressure.slice(0, Math.min(k.pressure.length, plan.rows));
  const several = report.captures.length > 1;
  if (shown.length > 0) {
    const rows = shown.map((p) => {
      const cells = pressureRow(p, s.ctx).map((c, i) => (i < 2 ? mdCode(c) : mdText(c)));
      return several ? [String(s.ctx.captureIndex(p.file) ?? '-'), ...cells] : cells;
    });
    const headers = [...(several ? ['#'] : []), ...PRESSURE_HEADERS];
    const aligns = headers.map((h) => (h === '#' || h === 'TIME_WAIT peak' || h === 'of ports' || h === 'share' || h === 'connections' || h === 'rate' ? ('right' as const) : ('left' as const)));
    out.push('', ...mdTable(headers, aligns, rows));
  }
  const hidden = count - shown.length;
  if (hidden > 0) out.push('', `... ${hidden} more (use --format json)`);
  return out;
}

/** Per host, the sockets left at the end: the netstat|awk summary, and the most held at once. */
function hostSockets(s: ReportSections, all: boolean, plan: Plan): string[] {
  const k = s.sockets;
  if (k.rows.length === 0 && k.quietHosts === 0) return [];
  const out = [
    '## Sockets at the end of the capture',
    '',
    "What `ss -tan` on each host would have listed when the capture ended, counted by state as `netstat -n | awk '/^tcp/ {++S[$NF]} END {for (a in S) print a, S[a]}'` counts them, and the most held at once.",
  ];
  const shown = k.rows.slice(0, Math.min(k.rows.length, plan.rows));
  if (shown.length > 0) {
    const rows = shown.map((r) => [mdCode(r.address), String(r.total), mdText(statesText(r)), mdText(peakTexts(r, s.ctx).join('; ') || '-')]);
    out.push('', ...mdTable(['host', 'sockets', 'by state', 'most at once (UTC)'], ['left', 'right', 'left', 'left'], rows));
  }
  const hidden = k.hiddenRows + k.rows.length - shown.length;
  if (hidden > 0) out.push('', `... ${hidden} more hosts (use --format json)`);
  const notes = [
    ...(k.quietHosts > 0 ? [`- ${k.quietHosts} host${k.quietHosts === 1 ? '' : 's'} held no socket at the end and no CLOSE_WAIT or TIME_WAIT on the way (listed with \`--all\`).`] : []),
    ...(k.timeWaitLeft ? [`- TIME_WAIT is held by the side that closed first (per service: ${all ? 'above' : '`--all`'}, or \`services[].timeWait\` in \`--format json\`).`] : []),
    ...(k.listings.length === 0 && k.rows.some((r) => r.total > 0) ? ['- Every socket: `--sockets`.'] : []),
  ];
  return notes.length > 0 ? out.concat('', notes) : out;
}

/** With --sockets: every socket of every host, as `ss -tan` lists them. */
function socketListings(s: ReportSections, plan: Plan): string[] {
  const k = s.sockets;
  if (k.listings.length === 0) return [];
  let out = ['## Every socket at the end of the capture'];
  for (const l of k.listings) {
    const shown = l.sockets.slice(0, Math.min(l.sockets.length, plan.rows));
    out.push('', `### ${mdCode(l.address)}: ${l.sockets.length} socket${l.sockets.length === 1 ? '' : 's'}`);
    if (shown.length > 0) {
      out = out.concat('', mdTable(['state', 'local address:port', 'peer address:port'], ['left', 'left', 'left'], shown.map((x) => [x.state, mdCode(x.local), mdCode(x.peer)])));
    }
    if (shown.length < l.sockets.length) out.push('', `... ${l.sockets.length - shown.length} more sockets (use --format json)`);
  }
  return out;
}

/** SYNs that met a TIME_WAIT socket on their 4-tuple, by how it answered (the connections with --all). */
function timeWaitReuse(s: ReportSections, plan: Plan, all: boolean): string[] {
  const reuse = s.sockets.reuse;
  if (reuse === null) return [];
  const out = ['## TIME_WAIT reuse', '', mdText(reuseSentence(reuse)), '', ...reuseOutcomeTexts(reuse).map((t) => `- ${mdText(t)}`)];
  if (plan.advice) out.push('', REUSE_MEANING);
  const shown = reuse.examples.slice(0, Math.min(reuse.examples.length, plan.rows));
  if (shown.length > 0) {
    const rows = shown.map((e) => {
      const index = s.ctx.captureIndex(e.file);
      return [index === null ? String(e.stream) : `${index}:${e.stream}`, mdCode(e.holder), mdCode(e.peer), mdText(s.ctx.time(e.at)), mdText(humanDuration(e.inTimeWaitSeconds)), e.outcome];
    });
    out.push('', ...mdTable([...REUSE_HEADERS], ['right', 'left', 'left', 'left', 'right', 'left'], rows));
  }
  const hidden = reuse.hiddenExamples + reuse.examples.length - shown.length;
  if (hidden > 0) out.push('', `... ${hidden} more (use --format json)`);
  else if (!all && reuse.examples.length === 0) out.push('', 'Each of them (stream, holder, how long in TIME_WAIT): `--all`.');
  return out;
}
