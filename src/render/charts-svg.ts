/**
 * The HTML report's charts as inline SVG: how long close-waits have been stuck (one bar per connection
 * while they fit, a histogram over human-sized bins beyond), and when connections ended, by verdict --
 * both built from the listed connections only, like the rest of the page -- and per host the sockets it
 * held in ESTABLISHED, CLOSE_WAIT and TIME_WAIT through the capture (from the report's `hosts`).
 */
import { dateClock, epochSeconds, humanDuration } from '../time/time-text.js';
import type { ConnectionRecord, Verdict } from '../verdict/types.js';
import { html } from './html-escape.js';
import { streamLabel, type RowContext } from './row-columns.js';
import { verdictColour, VERDICTS } from '../verdict/catalogue.js';
import { MAX_STUCK_BARS, type Listing } from '../report/listing.js';
import type { HostReport } from '../report/model.js';
import { TIMELINE_STATES, type TimelineState } from '../sockets/socket-table.js';

const WIDTH = 760;

function svgOpen(height: number, label: string): string {
  return `<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-label="${html(label)}"><title>${html(label)}</title>`;
}

/** Stuck time of each close-wait, longest first; '' without close-waits. */
export function stuckChart(listing: Listing, ctx: RowContext): string {
  const count = listing.stuckSeconds.length;
  if (count === 0) return '';
  return count <= MAX_STUCK_BARS ? stuckBars(listing.longestStuck, ctx) : stuckHistogram(listing.stuckSeconds);
}

function stuckBars(stuck: readonly ConnectionRecord[], ctx: RowContext): string {
  const row = 22;
  const labelWidth = 300;
  const barMax = WIDTH - labelWidth - 90;
  const max = Math.max(...stuck.map((r) => r.stuckSeconds ?? 0), 1e-9);
  const height = 30 + stuck.length * row;
  const parts = [svgOpen(height, `Close-wait connections by time stuck in CLOSE_WAIT (${stuck.length})`)];
  parts.push(`<text x="${labelWidth}" y="14" class="cl">time in CLOSE_WAIT until the capture ended</text>`);
  stuck.forEach((r, i) => {
    const y = 24 + i * row;
    const seconds = r.stuckSeconds ?? 0;
    const w = Math.max(1, (seconds / max) * barMax);
    const address = r.endpoint === 'client' ? r.client : r.server;
    const label = `stream ${streamLabel(r, ctx)} · ${r.endpoint ?? '?'} ${shorten(address, 30)}`;
    parts.push(
      `<text x="${labelWidth - 8}" y="${y + 14}" class="ct" text-anchor="end">${html(label)}</text>`,
      `<rect x="${labelWidth}" y="${y + 3}" width="${w.toFixed(1)}" height="${row - 6}" fill="${verdictColour('close-wait')}"/>`,
      `<text x="${(labelWidth + w + 6).toFixed(1)}" y="${y + 14}" class="ct">${html(humanDuration(seconds))}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}

// Bins a person thinks in: seconds, minutes, hours.
const BINS: readonly [number, string][] = [
  [1, '< 1 s'],
  [5, '1-5 s'],
  [10, '5-10 s'],
  [30, '10-30 s'],
  [60, '30-60 s'],
  [300, '1-5 min'],
  [900, '5-15 min'],
  [3600, '15-60 min'],
  [14400, '1-4 h'],
  [86400, '4-24 h'],
  [Number.POSITIVE_INFINITY, '≥ 1 day'],
];

function stuckHistogram(seconds: readonly number[]): string {
  const counts = BINS.map(() => 0);
  for (const s of seconds) counts[BINS.findIndex(([upper]) => s < upper)]++;
  const first = counts.findIndex((c) => c > 0);
  const last = counts.length - 1 - [...counts].reverse().findIndex((c) => c > 0);
  const bins = BINS.slice(first, last + 1).map(([, label], i) => ({ label, count: counts[first + i] }));
  const height = 240;
  const base = 200;
  const left = 50;
  const slot = (WIDTH - left - 20) / bins.length;
  const max = Math.max(...bins.map((b) => b.count));
  const parts = [svgOpen(height, `Histogram of time stuck in CLOSE_WAIT (${seconds.length} connections)`)];
  parts.push(...yAxis(left, base, 170, max));
  bins.forEach((b, i) => {
    const h = (b.count / max) * 170;
    const x = left + i * slot;
    parts.push(
      `<rect x="${(x + slot * 0.12).toFixed(1)}" y="${(base - h).toFixed(1)}" width="${(slot * 0.76).toFixed(1)}" height="${h.toFixed(1)}" fill="${verdictColour('close-wait')}"/>`,
      `<text x="${(x + slot / 2).toFixed(1)}" y="${(base - h - 4).toFixed(1)}" class="ct" text-anchor="middle">${b.count}</text>`,
      `<text x="${(x + slot / 2).toFixed(1)}" y="${base + 16}" class="ct" text-anchor="middle">${html(b.label)}</text>`,
    );
  });
  parts.push(`<text x="${left}" y="${base + 34}" class="cl">time in CLOSE_WAIT until the capture ended</text>`, '</svg>');
  return parts.join('\n');
}

/** A vertical axis from 0 to `max` connections (or sockets), with a few whole-number ticks and light grid lines. */
function yAxis(left: number, base: number, height: number, max: number, unit = 'connections'): string[] {
  const step = Math.max(1, niceStep(max / 4));
  const out = [
    `<line x1="${left}" y1="${base}" x2="${WIDTH - 20}" y2="${base}" stroke="#90a4ae"/>`,
    `<text transform="translate(14,${base - height / 2}) rotate(-90)" class="cl" text-anchor="middle">${unit}</text>`,
  ];
  for (let v = step; v <= max; v += step) {
    const y = base - (v / max) * height;
    out.push(
      `<line x1="${left}" y1="${y.toFixed(1)}" x2="${WIDTH - 20}" y2="${y.toFixed(1)}" stroke="#eceff1"/>`,
      `<text x="${left - 6}" y="${(y + 4).toFixed(1)}" class="ct" text-anchor="end">${v}</text>`,
    );
  }
  return out;
}

function niceStep(raw: number): number {
  if (raw <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  const n = raw / power;
  return (n <= 1 ? 1 : n <= 2 ? 2 : n <= 5 ? 5 : 10) * power;
}

/** Connections ending per time bucket, stacked by verdict; '' when nothing ended. */
export function closesChart(listing: Listing): string {
  // Open connections did not end (their `end` is only their last packet): the listing leaves them out.
  const all = Array.from(listing.ends, (t, i) => ({ verdict: VERDICTS[listing.endVerdicts[i]], t }));
  if (all.length === 0) return '';
  const range = bulkRange(all.map((e) => e.t));
  const ends = all.filter((e) => e.t >= range.from && e.t <= range.to);
  const outside = all.filter((e) => e.t < range.from || e.t > range.to);
  let t0 = Number.POSITIVE_INFINITY;
  let t1 = Number.NEGATIVE_INFINITY;
  for (const e of ends) {
    t0 = Math.min(t0, e.t);
    t1 = Math.max(t1, e.t);
  }
  const buckets = t1 > t0 ? 40 : 1;
  const size = (t1 - t0) / buckets || 1;
  const counts: Map<Verdict, number>[] = Array.from({ length: buckets }, () => new Map());
  for (const e of ends) {
    const b = Math.min(buckets - 1, Math.floor((e.t - t0) / size));
    counts[b].set(e.verdict, (counts[b].get(e.verdict) ?? 0) + 1);
  }
  const totals = counts.map((m) => [...m.values()].reduce((a, b) => a + b, 0));
  const max = Math.max(...totals);
  const present = VERDICTS.filter((v) => ends.some((e) => e.verdict === v));
  const left = 50;
  const base = 200;
  const plot = 170;
  const slot = (WIDTH - left - 20) / buckets;
  const legendRows = Math.ceil(present.length / 4);
  const height = base + 52 + legendRows * 18 + (outside.length > 0 ? 18 : 0);
  const parts = [svgOpen(height, `Connections ending over time, by verdict (${ends.length})`)];
  parts.push(...yAxis(left, base, plot, max));
  counts.forEach((m, i) => {
    let y = base;
    for (const v of present) {
      const n = m.get(v) ?? 0;
      if (n === 0) continue;
      const h = (n / max) * plot;
      y -= h;
      const x = left + i * slot + (buckets > 1 ? slot * 0.1 : slot * 0.35);
      const w = buckets > 1 ? slot * 0.8 : slot * 0.3;
      parts.push(`<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${w.toFixed(1)}" height="${h.toFixed(1)}" fill="${verdictColour(v)}"><title>${n} ${v}</title></rect>`);
    }
  });
  const span = t1 - t0;
  parts.push(
    `<text x="${left}" y="${base + 16}" class="ct">${html(dateClock(isoOf(t0)))}</text>`,
    buckets > 1 ? `<text x="${WIDTH - 20}" y="${base + 16}" class="ct" text-anchor="end">${html(dateClock(isoOf(t1)))}</text>` : '',
    `<text x="${(left + WIDTH - 20) / 2}" y="${base + 16}" class="ct" text-anchor="middle">${buckets > 1 ? `${html(humanDuration(size))} per bar, ${html(humanDuration(span))} in all (UTC)` : 'UTC'}</text>`,
  );
  present.forEach((v, i) => {
    const x = left + (i % 4) * 170;
    const y = base + 34 + Math.floor(i / 4) * 18;
    parts.push(`<rect x="${x}" y="${y}" width="12" height="12" fill="${verdictColour(v)}"/>`, `<text x="${x + 18}" y="${y + 11}" class="ct">${v}</text>`);
  });
  if (outside.length > 0) {
    const times = outside.map((e) => e.t).sort((a, b) => a - b);
    const when = times.length === 1 ? farTime(times[0]) : `${farTime(times[0])} to ${farTime(times[times.length - 1])}`;
    const y = base + 34 + legendRows * 18 + 4;
    parts.push(`<text x="${left}" y="${y}" class="cl">${html(`Not shown: ${outside.length} connection${outside.length === 1 ? '' : 's'} ending far from the others (${when}); their timestamps look wrong.`)}</text>`);
  }
  parts.push('</svg>');
  return parts.join('\n');
}

/**
 * The time range the chart shows: the bulk of the end times, so that a few absurd timestamps (a capture
 * whose clock said 1970, or year 586524) do not squeeze every real close into one bar. The bulk is the
 * range without the extreme 1% (at least one value) at each end; values further from it than its own
 * width (at least a minute) are left out, and the chart says so.
 */
function bulkRange(times: readonly number[]): { from: number; to: number } {
  if (times.length < 3) return { from: -Infinity, to: Infinity };
  const sorted = [...times].sort((a, b) => a - b);
  const k = Math.max(1, Math.floor(sorted.length / 100));
  const lo = sorted[k];
  const hi = sorted[sorted.length - 1 - k];
  const width = Math.max(hi - lo, 60);
  return { from: lo - width, to: hi + width };
}

/** A date and time, or the year alone for times a JavaScript Date cannot hold (beyond ±275,000 years). */
function farTime(seconds: number): string {
  const iso = isoOf(seconds);
  return iso === '?' ? `year ${Math.floor(1970 + seconds / 31556952)}` : dateClock(iso);
}

/** Seconds since 1970 back to an ISO string with milliseconds (Date suffices for axis labels). */
function isoOf(seconds: number): string {
  const d = new Date(Math.round(seconds * 1000));
  return Number.isNaN(d.getTime()) ? '?' : d.toISOString();
}

/** Line colours of the socket states: CLOSE_WAIT in the close-wait verdict's red, TIME_WAIT blue, ESTABLISHED green. */
const STATE_COLOURS: Record<TimelineState, string> = {
  ESTABLISHED: verdictColour('orderly'),
  CLOSE_WAIT: verdictColour('close-wait'),
  TIME_WAIT: '#1565c0',
};

/**
 * The sockets a host held in ESTABLISHED, CLOSE_WAIT and TIME_WAIT through the capture, as steps (the
 * average of each bucket of `timeline.bucketSeconds`), with the peaks in the legend; '' without a
 * timeline or when the host never held any.
 */
export function hostTimelineChart(host: HostReport, time: (iso: string) => string): string {
  const t = host.timeline;
  if (t === null) return '';
  const buckets = Math.max(1, ...TIMELINE_STATES.map((s) => t.counts[s].length));
  let max = 0;
  for (const s of TIMELINE_STATES) for (const v of t.counts[s]) max = Math.max(max, v);
  if (!(max > 0)) return '';
  // A host that held a fraction of a socket on average is drawn against one socket, not magnified.
  const top = Math.max(1, max);
  const left = 50;
  const base = 200;
  const plot = 170;
  const slot = (WIDTH - left - 20) / buckets;
  const present = TIMELINE_STATES.filter((s) => t.counts[s].some((v) => v > 0));
  const height = base + 52 + present.length * 18;
  const parts = [svgOpen(height, `Sockets of ${host.address} in ${present.join(', ')} over time`)];
  parts.push(...yAxis(left, base, plot, top, 'sockets'));
  const y = (v: number): string => (base - (v / top) * plot).toFixed(1);
  for (const state of present) {
    const counts = t.counts[state];
    let d = `M${left},${y(counts[0] ?? 0)}`;
    for (let i = 0; i < buckets; i++) {
      if (i > 0) d += ` V${y(counts[i] ?? 0)}`;
      d += ` H${(left + (i + 1) * slot).toFixed(1)}`;
    }
    parts.push(`<path d="${d}" fill="none" stroke="${STATE_COLOURS[state]}" stroke-width="2"><title>${html(state)}</title></path>`);
  }
  const start = epochSeconds(t.start);
  const span = buckets * t.bucketSeconds;
  parts.push(
    `<text x="${left}" y="${base + 16}" class="ct">${html(dateClock(t.start))}</text>`,
    `<text x="${WIDTH - 20}" y="${base + 16}" class="ct" text-anchor="end">${html(dateClock(isoOf(start + span)))}</text>`,
    `<text x="${(left + WIDTH - 20) / 2}" y="${base + 16}" class="ct" text-anchor="middle">${html(`average per ${humanDuration(t.bucketSeconds)}, ${humanDuration(span)} in all (UTC)`)}</text>`,
  );
  present.forEach((state, i) => {
    const yy = base + 34 + i * 18;
    const peak = host.peaks[state];
    const most = peak.count > 0 ? `at most ${peak.count} at once${peak.at === null ? '' : ` (${time(peak.at)})`}, ` : '';
    const note = `: ${most}${host.states[state]} at the end`;
    parts.push(`<rect x="${left}" y="${yy}" width="12" height="12" fill="${STATE_COLOURS[state]}"/>`, `<text x="${left + 18}" y="${yy + 11}" class="ct">${html(state + note)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
