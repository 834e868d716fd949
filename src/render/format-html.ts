/**
 * The report as one self-contained HTML page (`--format html`): the markdown report's content plus SVG
 * ladder diagrams and charts, with inline CSS only -- no script, font, image or stylesheet is fetched,
 * so it can be mailed, attached to a ticket and printed. Every string from a capture goes through
 * html() (html-escape.ts).
 */
import type { ConnectionRecord } from '../verdict/types.js';
import { adviceFor, resetCauseAdvice, severity, TIME_WAIT_PRESSURE_ADVICE, verdictColour } from '../verdict/catalogue.js';
import { findingsText, formatText, notDecodedText, skippedText } from './capture-text.js';
import { closesChart, hostTimelineChart, stuckChart } from './charts-svg.js';
import { html, htmlProse } from './html-escape.js';
import { HTML_STYLE } from './html-style.js';
import { ladderSvg } from './ladder-svg.js';
import { listingOf, type Listing } from '../report/listing.js';
import type { Report } from '../report/model.js';
import type { RenderOptions } from './render.js';
import { filterHeading, filterLines, hiddenText, longFilterText, partialText } from './report-notes.js';
import { reportSections, type ReportSections, type VerdictSection } from './report-sections.js';
import { rowColumns } from './row-columns.js';
import { capRows } from './row-cap.js';
import { serviceCounts, showsTimeWait, timeWaitText } from './service-text.js';
import { REUSE_MEANING } from './socket-advice.js';
import { peakTexts, PRESSURE_HEADERS, pressureRow, REUSE_HEADERS, reuseOutcomeTexts, reuseSentence, statesText } from './socket-sections.js';
import { humanDuration, timeSpan } from '../time/time-text.js';

export function renderHtml(report: Report, options: RenderOptions, listing: Listing = listingOf(report.connections, options.limit)): string {
  const s = reportSections(report, listing, options);
  const several = report.captures.length > 1;
  const title = `closetrace report: ${report.summary.findings} finding${report.summary.findings === 1 ? '' : 's'} in ${report.summary.connections} connections`;
  const body = [
    header(report),
    nav(s),
    captures(report, s),
    summary(report, s),
    charts(listing, s),
    services(s, options.all),
    timeWaitPressure(s, several),
    hostSockets(report, s, options.all),
    displayFilters(report, options.limit),
    ...s.verdicts.map((v) => verdictSection(v, s, several)),
    socketListings(s),
    timeWaitReuse(s, options.all),
    `<footer>Made with closetrace ${html(report.generator.version)} · times are UTC · Wireshark: <code>tcp.stream eq N</code> shows a connection</footer>`,
  ];
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // Nothing on this page may load anything: a report can be opened from an untrusted mailbox.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    `<title>${html(title)}</title>`,
    `<style>${HTML_STYLE}</style>`,
    '</head>',
    '<body>',
    '<main>',
    ...body.filter((b) => b !== ''),
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function chip(verdict: ConnectionRecord['verdict']): string {
  return `<span class="chip" style="background:${verdictColour(verdict)}">${verdict}</span>`;
}

function header(report: Report): string {
  const s = report.summary;
  return [
    '<header>',
    '<h1>closetrace report</h1>',
    `<p class="lead">${plural(s.connections, 'TCP connection')} in ${plural(s.captures, 'capture')}: <strong>${plural(s.findings, 'finding')}</strong>.</p>`,
    ...(partialText(report) === null ? [] : [`<p class="warning"><strong>${html(partialText(report) ?? '')}</strong></p>`]),
    '</header>',
  ].join('\n');
}

function nav(s: ReportSections): string {
  const links = [
    '<a href="#captures">Captures</a>',
    '<a href="#summary">Summary</a>',
    ...(s.verdicts.length > 0 ? ['<a href="#charts">Charts</a>'] : []),
    ...(s.services.length > 0 ? ['<a href="#services">Services</a>'] : []),
    ...(s.sockets.pressure.length > 0 ? [`<a href="#time-wait-pressure">time-wait-pressure (${s.sockets.pressure.length + s.sockets.hiddenPressure})</a>`] : []),
    ...(s.sockets.rows.length > 0 || s.sockets.quietHosts > 0 ? ['<a href="#sockets">Sockets</a>'] : []),
    ...s.verdicts.map((v) => `<a href="#v-${v.verdict}">${v.verdict} (${v.count})</a>`),
    ...(s.sockets.listings.length > 0 ? ['<a href="#every-socket">Every socket</a>'] : []),
    ...(s.sockets.reuse !== null ? ['<a href="#time-wait-reuse">TIME_WAIT reuse</a>'] : []),
  ];
  return `<nav>${links.join(' · ')}</nav>`;
}

function table(headers: readonly string[], aligns: readonly ('left' | 'right')[], rows: readonly string[][]): string {
  const cls = (i: number): string => (aligns[i] === 'right' ? ' class="num"' : '');
  return [
    '<div class="scroll"><table>',
    `<thead><tr>${headers.map((h, i) => `<th${cls(i)}>${html(h)}</th>`).join('')}</tr></thead>`,
    '<tbody>',
    ...rows.map((r) => `<tr>${r.map((c, i) => `<td${cls(i)}>${c}</td>`).join('')}</tr>`),
    '</tbody></table></div>',
  ].join('\n');
}

function captures(report: Report, s: ReportSections): string {
  const out = ['<section id="captures">', '<h2>Captures</h2>'];
  if (s.captures.length === 0) out.push('<p>No captures were read.</p>');
  else {
    const numbered = s.captures[0].index !== null;
    const rows = s.captures.map(({ index, facts }) => [
      ...(index !== null ? [String(index)] : []),
      `<code>${html(facts.file)}</code>${facts.error !== null ? ' <span class="bad">(error)</span>' : ''}`,
      html(formatText(facts)),
      html(timeSpan(facts.start, facts.end)),
      String(facts.frames),
      String(facts.tcpSegments),
      String(facts.connections),
      findingsText(facts),
    ]);
    const headers = [...(numbered ? ['#'] : []), 'capture', 'format', 'time span (UTC)', 'frames', 'TCP segments', 'connections', 'findings'];
    const aligns = [...(numbered ? ['right' as const] : []), 'left' as const, 'left' as const, 'left' as const, 'right' as const, 'right' as const, 'right' as const, 'right' as const];
    out.push(table(headers, aligns, rows));
  }
  if (s.hiddenCaptures > 0) out.push(`<p class="more">... ${s.hiddenCaptures} more captures (use --format json)</p>`);
  const skipped = skippedText(report);
  if (skipped !== null) out.push(`<p class="note">${html(skipped)}</p>`);
  for (const c of s.errors) out.push(`<p class="error"><strong>Error:</strong> ${html(c.error ?? '')}</p>`);
  for (const { facts } of s.captures) for (const w of facts.warnings) out.push(`<p class="warning"><strong>Warning</strong>, <code>${html(facts.file)}</code>: ${html(w)}</p>`);
  for (const { facts } of s.captures) {
    const text = notDecodedText(facts);
    if (text !== null) out.push(`<p class="note"><code>${html(facts.file)}</code>: ${html(text)}</p>`);
  }
  out.push('</section>');
  return out.join('\n');
}

function summary(report: Report, s: ReportSections): string {
  const out = ['<section id="summary">', '<h2>Summary</h2>'];
  if (report.summary.connections === 0) out.push('<p>No TCP connections were found.</p>');
  else if (report.summary.findings === 0) out.push('<p class="ok">No findings: every connection closed normally or is still open.</p>');
  if (s.counts.length > 0) {
    const rows = s.counts.map(({ verdict, count }) => [
      s.verdicts.some((v) => v.verdict === verdict) ? `<a href="#v-${verdict}">${chip(verdict)}</a>` : chip(verdict),
      String(count),
      html(adviceFor(verdict).summary),
    ]);
    out.push(table(['verdict', 'connections', 'meaning'], ['left', 'right', 'left'], rows));
  }
  if (s.otherCounts.length > 0) {
    out.push(`<p class="note">Also ${s.otherCounts.map((c) => `${c.count} ${c.verdict}`).join(', ')} (normal ends; listed with <code>--all</code>).</p>`);
  }
  const hidden = hiddenText(report);
  if (hidden !== null) out.push(`<p class="note">${html(hidden)}</p>`);
  out.push('</section>');
  return out.join('\n');
}

function charts(listing: Listing, s: ReportSections): string {
  const stuck = stuckChart(listing, s.ctx);
  const closes = closesChart(listing);
  if (stuck === '' && closes === '') return '';
  const out = ['<section id="charts">', '<h2>Charts</h2>'];
  if (stuck !== '') out.push(`<h3>Time stuck in CLOSE_WAIT</h3>`, `<figure>${stuck}<figcaption>How long each close-wait had been stuck when the capture ended.</figcaption></figure>`);
  if (closes !== '') out.push(`<h3>Closes over time</h3>`, `<figure>${closes}<figcaption>Connections ending per time slice, by verdict (listed connections; open ones left out).</figcaption></figure>`);
  out.push('</section>');
  return out.join('\n');
}

function displayFilters(report: Report, limit: number): string {
  const { shown: lines, hidden } = capRows(filterLines(report), limit);
  if (lines.length === 0) return '';
  const several = report.captures.length > 1 || lines.length > 1;
  const out = ['<section id="wireshark">', '<h2>Wireshark</h2>', `<p>${html(filterHeading(report))}:</p>`, '<ul class="filters">'];
  for (const l of lines) {
    const filter = l.filter === null ? html(longFilterText(l)) : `<code>${html(l.filter)}</code>`;
    out.push(`<li>${several ? `<code>${html(l.file)}</code>: ` : ''}${filter}</li>`);
  }
  out.push('</ul>');
  if (hidden > 0) out.push(`<p class="more">... ${hidden} more captures (use --format json)</p>`);
  out.push('</section>');
  return out.join('\n');
}

function services(s: ReportSections, all: boolean): string {
  if (s.services.length === 0) return '';
  const timeWait = showsTimeWait(s.services);
  const rows = s.services.map((svc) => [
    `<code>${html(svc.server)}</code>`,
    String(svc.connections),
    serviceCounts(svc, all)
      .map((c) => `${c.count} ${chip(c.verdict)}${c.note === null ? '' : ` (${html(c.note)})`}`)
      .join('; '),
    ...(timeWait ? [html(timeWaitText(svc) ?? '-')] : []),
  ]);
  const headers = ['server', 'connections', all ? 'verdicts' : 'findings', ...(timeWait ? ['TIME_WAIT held by'] : [])];
  const aligns = ['left' as const, 'right' as const, 'left' as const, ...(timeWait ? ['left' as const] : [])];
  const out = ['<section id="services">', `<h2>${all ? 'Services' : 'Services with findings'}</h2>`, table(headers, aligns, rows)];
  if (s.hiddenServices > 0) out.push(`<p class="more">... ${s.hiddenServices} more services (use --format json)</p>`);
  out.push('</section>');
  return out.join('\n');
}

function verdictSection(v: VerdictSection, s: ReportSections, several: boolean): string {
  const out = [
    `<section id="v-${v.verdict}" class="verdict sev-${severity(v.verdict)}">`,
    `<h2>${chip(v.verdict)} ${html(v.advice.title)}</h2>`,
    `<p><strong>${plural(v.count, 'connection')}</strong>.</p>`,
    `<p>${htmlProse(v.advice.meaning)}</p>`,
  ];
  if (v.causes.length > 0) {
    out.push('<ul class="causes">');
    for (const c of v.causes) {
      const a = resetCauseAdvice(c.cause);
      out.push(`<li><strong>${html(a.title)}</strong> (${c.count}): ${htmlProse(a.meaning)}<ul>${a.actions.map((x) => `<li>${htmlProse(x)}</li>`).join('')}</ul></li>`);
    }
    out.push('</ul>');
  }
  if (v.advice.actions.length > 0) {
    out.push('<div class="todo"><h3>What to do</h3><ul>', ...v.advice.actions.map((a) => `<li>${htmlProse(a)}</li>`), '</ul></div>');
  }
  const columns = rowColumns(v.verdict);
  const code = new Set(['client', 'server']);
  const rows = v.shown.map((r) => columns.map((c) => (code.has(c.header) ? `<code>${html(c.cell(r, s.ctx))}</code>` : html(c.cell(r, s.ctx)))));
  out.push(
    table(
      columns.map((c) => c.header),
      columns.map((c) => c.align),
      rows,
    ),
  );
  if (v.more !== null) out.push(`<p class="more">${html(v.more)}</p>`);
  if (v.examples.length > 0) out.push('<h3>Examples</h3>', ...v.examples.map((r, i) => example(r, i + 1, v.examples.length, s, several)));
  out.push('</section>');
  return out.join('\n');
}

function example(r: ConnectionRecord, n: number, of: number, s: ReportSections, several: boolean): string {
  const index = s.ctx.captureIndex(r.file);
  return [
    '<article class="example">',
    `<h4>${r.verdict} example ${n} of ${of}: stream ${r.stream}${index === null ? '' : ` of capture ${index}`}</h4>`,
    '<ul class="facts">',
    `<li>Wireshark display filter: <code>tcp.stream eq ${r.stream}</code>${several ? ` in <code>${html(r.file)}</code>` : ''}</li>`,
    `<li>Evidence frames: ${r.evidence.join(', ')}</li>`,
    '</ul>',
    `<p class="explanation">${html(r.explanation)}</p>`,
    `<figure class="ladder-figure">${ladderSvg(r)}</figure>`,
    '</article>',
  ].join('\n');
}

/** Hosts given a chart of their sockets over time: the busiest few (the JSON report has every timeline). */
const HOST_CHARTS = 6;

function timeWaitPressure(s: ReportSections, several: boolean): string {
  const k = s.sockets;
  const count = k.pressure.length + k.hiddenPressure;
  if (count === 0) return '';
  const advice = TIME_WAIT_PRESSURE_ADVICE;
  const headers = [...(several ? ['#'] : []), ...PRESSURE_HEADERS];
  const aligns = headers.map((h) => (h === '#' || h === 'TIME_WAIT peak' || h === 'of ports' || h === 'share' || h === 'connections' || h === 'rate' ? ('right' as const) : ('left' as const)));
  const rows = k.pressure.map((p) => {
    const cells = pressureRow(p, s.ctx).map((c, i) => (i < 2 ? `<code>${html(c)}</code>` : html(c)));
    return several ? [String(s.ctx.captureIndex(p.file) ?? '-'), ...cells] : cells;
  });
  const out = [
    '<section id="time-wait-pressure" class="verdict sev-error">',
    `<h2><span class="chip" style="background:#e64a19">time-wait-pressure</span> ${html(advice.title)}</h2>`,
    `<p><strong>${plural(count, 'finding')}</strong>: ${html(advice.summary)}.</p>`,
    `<p>${htmlProse(advice.meaning)}</p>`,
    '<div class="todo"><h3>What to do</h3><ul>',
    ...advice.actions.map((a) => `<li>${htmlProse(a)}</li>`),
    '</ul></div>',
    table(headers, aligns, rows),
  ];
  if (k.hiddenPressure > 0) out.push(`<p class="more">... ${k.hiddenPressure} more (use --format json)</p>`);
  out.push('</section>');
  return out.join('\n');
}

function hostSockets(report: Report, s: ReportSections, all: boolean): string {
  const k = s.sockets;
  if (k.rows.length === 0 && k.quietHosts === 0) return '';
  const out = [
    '<section id="sockets">',
    '<h2>Sockets at the end of the capture</h2>',
    `<p>What <code>ss -tan</code> on each host would have listed when the capture ended, counted by state as <code>${html("netstat -n | awk '/^tcp/ {++S[$NF]} END {for (a in S) print a, S[a]}'")}</code> counts them, and the most held at once.</p>`,
  ];
  if (k.rows.length > 0) {
    const rows = k.rows.map((r) => [`<code>${html(r.address)}</code>`, String(r.total), html(statesText(r)), html(peakTexts(r, s.ctx).join('; ') || '-')]);
    out.push(table(['host', 'sockets', 'by state', 'most at once (UTC)'], ['left', 'right', 'left', 'left'], rows));
  }
  if (k.hiddenRows > 0) out.push(`<p class="more">... ${k.hiddenRows} more hosts (use --format json)</p>`);
  if (k.quietHosts > 0) out.push(`<p class="note">${plural(k.quietHosts, 'host')} held no socket at the end and no CLOSE_WAIT or TIME_WAIT on the way (listed with <code>--all</code>).</p>`);
  if (k.timeWaitLeft) out.push(`<p class="note">TIME_WAIT is held by the side that closed first (per service: ${all ? 'above' : '<code>--all</code>'}, or <code>services[].timeWait</code> in <code>--format json</code>).</p>`);
  if (k.listings.length === 0 && k.rows.some((r) => r.total > 0)) out.push('<p class="note">Every socket: <code>--sockets</code>.</p>');
  const busiest = [...(report.hosts ?? [])]
    .filter((h) => h.timeline !== null)
    .sort((a, b) => busy(b) - busy(a))
    .slice(0, HOST_CHARTS)
    .map((h) => ({ host: h, chart: hostTimelineChart(h, s.ctx.time) }))
    .filter((c) => c.chart !== '');
  if (busiest.length > 0) {
    out.push('<h3>Sockets over time</h3>');
    for (const { host, chart } of busiest) {
      out.push(`<figure>${chart}<figcaption>Sockets of <code>${html(host.address)}</code> in ESTABLISHED, CLOSE_WAIT and TIME_WAIT through the capture (average per step).</figcaption></figure>`);
    }
    const charted = (report.hosts ?? []).filter((h) => h.timeline !== null).length;
    if (charted > busiest.length) out.push(`<p class="more">... ${charted - busiest.length} more hosts have a timeline (<code>hosts[].timeline</code> in --format json)</p>`);
  }
  out.push('</section>');
  return out.join('\n');
}

/** How much a host held through the capture: its CLOSE_WAIT and TIME_WAIT peaks first, then ESTABLISHED. */
function busy(h: NonNullable<Report['hosts']>[number]): number {
  return (h.peaks.CLOSE_WAIT.count + h.peaks.TIME_WAIT.count) * 1e6 + h.peaks.ESTABLISHED.count;
}

function socketListings(s: ReportSections): string {
  const k = s.sockets;
  if (k.listings.length === 0) return '';
  const out = ['<section id="every-socket">', '<h2>Every socket at the end of the capture</h2>', '<p>As <code>ss -tan</code> on each host would have listed them.</p>'];
  for (const l of k.listings) {
    out.push(
      `<details><summary><code>${html(l.address)}</code>: ${plural(l.sockets.length, 'socket')}</summary>`,
      table(['state', 'local address:port', 'peer address:port'], ['left', 'left', 'left'], l.sockets.map((x) => [html(x.state), `<code>${html(x.local)}</code>`, `<code>${html(x.peer)}</code>`])),
      '</details>',
    );
  }
  out.push('</section>');
  return out.join('\n');
}

function timeWaitReuse(s: ReportSections, all: boolean): string {
  const reuse = s.sockets.reuse;
  if (reuse === null) return '';
  const out = [
    '<section id="time-wait-reuse">',
    '<h2>TIME_WAIT reuse</h2>',
    `<p>${html(reuseSentence(reuse))}</p>`,
    '<ul>',
    ...reuseOutcomeTexts(reuse).map((t) => `<li>${html(t)}</li>`),
    '</ul>',
    `<p>${htmlProse(REUSE_MEANING)}</p>`,
  ];
  if (reuse.examples.length > 0) {
    const rows = reuse.examples.map((e) => {
      const index = s.ctx.captureIndex(e.file);
      return [html(index === null ? String(e.stream) : `${index}:${e.stream}`), `<code>${html(e.holder)}</code>`, `<code>${html(e.peer)}</code>`, html(s.ctx.time(e.at)), html(humanDuration(e.inTimeWaitSeconds)), html(e.outcome)];
    });
    out.push(table([...REUSE_HEADERS], ['right', 'left', 'left', 'left', 'right', 'left'], rows));
    if (reuse.hiddenExamples > 0) out.push(`<p class="more">... ${reuse.hiddenExamples} more (use --format json)</p>`);
  } else if (!all) out.push('<p class="note">Each of them (stream, holder, how long in TIME_WAIT): <code>--all</code>.</p>');
  out.push('</section>');
  return out.join('\n');
}
