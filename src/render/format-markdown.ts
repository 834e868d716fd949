/**
 * The report for an incident ticket (`--format markdown`): capture facts, counts, services, then one
 * section per verdict with what it means, what to do, the connections, and worked examples with a
 * Wireshark filter and a ladder diagram. Everything from the capture is escaped (markdown-escape.ts).
 */
import type { ConnectionRecord } from '../verdict/types.js';
import { adviceFor, resetCauseAdvice } from '../verdict/catalogue.js';
import { findingsText, formatText, notDecodedText, skippedText } from './capture-text.js';
import { ladderText } from './ladder-text.js';
import { mdCode, mdFence, mdTable, mdText } from './markdown-escape.js';
import { listingOf, type Listing } from '../report/listing.js';
import type { Report } from '../report/model.js';
import type { RenderOptions } from './render.js';
import { reportSections, type ReportSections, type VerdictSection } from './report-sections.js';
import { rowColumns } from './row-columns.js';
import { serviceCounts, serviceCountText } from './service-text.js';
import { timeSpan } from '../time/time-text.js';

export function renderMarkdown(report: Report, options: RenderOptions, listing: Listing = listingOf(report.connections, options.limit)): string {
  const s = reportSections(report, listing, options);
  const blocks = [
    intro(report),
    captures(report, s),
    summary(report, s),
    services(s, options.all),
    ...s.verdicts.map((v) => verdictSection(v, s, report.captures.length > 1)),
  ];
  return `${blocks.filter((b) => b.length > 0).map((b) => b.join('\n')).join('\n\n')}\n`;
}

function intro(report: Report): string[] {
  const s = report.summary;
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  return [
    '# closetrace report',
    '',
    `${plural(s.connections, 'TCP connection')} in ${plural(s.captures, 'capture')}: **${plural(s.findings, 'finding')}**. ` +
      `Made with closetrace ${mdText(report.generator.version)}; times are UTC.`,
  ];
}

function captures(report: Report, s: ReportSections): string[] {
  if (s.captures.length === 0) return ['## Captures', '', 'No captures were read.'];
  const numbered = s.captures[0].index !== null;
  const headers = [...(numbered ? ['#'] : []), 'capture', 'format', 'time span (UTC)', 'frames', 'TCP segments', 'connections', 'findings'];
  const aligns = [...(numbered ? ['right' as const] : []), 'left' as const, 'left' as const, 'left' as const, 'right' as const, 'right' as const, 'right' as const, 'right' as const];
  const rows = s.captures.map(({ index, facts }) => [
    ...(index !== null ? [String(index)] : []),
    mdCode(facts.file) + (facts.error !== null ? ' (error)' : ''),
    mdText(formatText(facts)),
    mdText(timeSpan(facts.start, facts.end)),
    String(facts.frames),
    String(facts.tcpSegments),
    String(facts.connections),
    findingsText(facts),
  ]);
  const out = ['## Captures', '', ...mdTable(headers, aligns, rows)];
  if (s.hiddenCaptures > 0) out.push('', `... ${s.hiddenCaptures} more captures (use --format json)`);
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
  return out;
}

function services(s: ReportSections, all: boolean): string[] {
  if (s.services.length === 0) return [];
  const rows = s.services.map((svc) => [mdCode(svc.server), String(svc.connections), mdText(serviceCounts(svc, all).map(serviceCountText).join('; '))]);
  const out = [all ? '## Services' : '## Services with findings', '', ...mdTable(['server', 'connections', all ? 'verdicts' : 'findings'], ['left', 'right', 'left'], rows)];
  if (s.hiddenServices > 0) out.push('', `... ${s.hiddenServices} more services (use --format json)`);
  return out;
}

function verdictSection(v: VerdictSection, s: ReportSections, several: boolean): string[] {
  const out = [`## ${mdText(v.advice.title)}`, '', `**${v.count} connection${v.count === 1 ? '' : 's'}** with verdict \`${v.verdict}\`.`, '', v.advice.meaning];
  for (const c of v.causes) {
    const advice = resetCauseAdvice(c.cause);
    out.push('', `- **${advice.title}** (${c.count}): ${advice.meaning}`, ...advice.actions.map((a) => `  - ${a}`));
  }
  if (v.advice.actions.length > 0) out.push('', '**What to do:**', '', ...v.advice.actions.map((a) => `- ${a}`));
  // concat, not push(...rows): --limit may allow more rows than a call takes arguments.
  let lines = out.concat('', connectionTable(v, s));
  if (v.more !== null) lines.push('', mdText(v.more));
  v.examples.forEach((r, i) => (lines = lines.concat('', example(r, i + 1, v.examples.length, s, several))));
  return lines;
}

function connectionTable(v: VerdictSection, s: ReportSections): string[] {
  const columns = rowColumns(v.verdict);
  const code = new Set(['client', 'server']);
  const rows = v.shown.map((r) => columns.map((c) => (code.has(c.header) ? mdCode(c.cell(r, s.ctx)) : mdText(c.cell(r, s.ctx)))));
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
