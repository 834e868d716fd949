/**
 * The host-level sections in the table, markdown and HTML renderers, on reports built here to corner
 * them: many hosts (rows capped, quiet hosts summarised, --all lists them), long IPv6 addresses within
 * the terminal width, text escaped in HTML, the markdown budget obeyed by a long --sockets listing,
 * the timeline chart, the leak-rate sentence, and --host narrowing the sections.
 */
import { describe, expect, it } from 'vitest';
import { narrowHostSections } from '../../src/batch/filter-spec.js';
import { hostTimelineChart } from '../../src/render/charts-svg.js';
import { renderHtml } from '../../src/render/format-html.js';
import { renderMarkdown } from '../../src/render/format-markdown.js';
import { renderTable } from '../../src/render/format-table.js';
import { leakRateText } from '../../src/render/service-text.js';
import { displayWidth } from '../../src/render/text-width.js';
import type { HostReport, Report, TimeWaitPressureReport, TimeWaitReuseReport } from '../../src/report/model.js';
import { capture, HOSTILE_FILE, OPTIONS, record, report } from './fixtures.js';

const T = '2024-05-01T10:00:';

function host(address: string, states: Partial<HostReport['states']> = {}, overrides: Partial<HostReport> = {}): HostReport {
  return {
    address,
    states: { ESTABLISHED: 0, SYN_SENT: 0, SYN_RECEIVED: 0, FIN_WAIT_1: 0, FIN_WAIT_2: 0, TIME_WAIT: 0, CLOSE_WAIT: 0, LAST_ACK: 0, CLOSING: 0, ...states },
    peaks: {
      ESTABLISHED: { count: states.ESTABLISHED ?? 0, at: states.ESTABLISHED ? `${T}01.000000Z` : null },
      CLOSE_WAIT: { count: states.CLOSE_WAIT ?? 0, at: states.CLOSE_WAIT ? `${T}02.000000Z` : null },
      TIME_WAIT: { count: states.TIME_WAIT ?? 0, at: states.TIME_WAIT ? `${T}03.000000Z` : null },
    },
    timeline: null,
    ...overrides,
  };
}

function pressure(overrides: Partial<TimeWaitPressureReport> = {}): TimeWaitPressureReport {
  return { file: 'capture.pcap', host: '10.0.0.1', peer: '10.0.0.5:8080', peak: 20000, at: `${T}30.000000Z`, ports: 28232, share: 20000 / 28232, connections: 25000, connectionsPerSecond: 480.5, ...overrides };
}

const NO_REUSE: TimeWaitReuseReport = { counts: { accepted: 0, ack: 0, rst: 0, none: 0 }, examples: [] };

function withHosts(hosts: HostReport[], extra: Partial<Report> = {}): Report {
  return { ...report([record()]), hosts, timeWaitPressure: [], timeWaitReuse: NO_REUSE, ...extra };
}

/** A pipe: lines are never wrapped, so a row is matched whole. */
const WIDE = { ...OPTIONS, width: Infinity };

const widest = (text: string): number => Math.max(...text.split('\n').map(displayWidth));

describe('sockets at the end of the capture', () => {
  const hosts = [
    host('10.0.0.5', { CLOSE_WAIT: 312, ESTABLISHED: 40 }),
    host('10.0.0.1', { TIME_WAIT: 20000, ESTABLISHED: 3, SYN_SENT: 1 }),
    host('10.0.0.9'),
    host('2001:db8:ffff:ffff:ffff:ffff:ffff:fffe', { FIN_WAIT_2: 2 }),
  ];

  it('table: one row per host with sockets, busiest first, only the states it has, with its peaks', () => {
    const text = renderTable(withHosts(hosts), WIDE);
    expect(text).toContain('Sockets at the end of the capture, per host (what ss -tan would have listed)');
    const rows = text.split('\n').filter((l) => /^(10\.0\.0\.\d+|2001:[0-9a-f:]+) /.test(l));
    expect(rows.map((r) => r.split(/\s+/)[0])).toEqual(['10.0.0.1', '10.0.0.5', '2001:db8:ffff:ffff:ffff:ffff:ffff:fffe']);
    expect(rows[0]).toMatch(/^10\.0\.0\.1 +20004 +TIME_WAIT 20000, ESTABLISHED 3, SYN_SENT 1 +ESTABLISHED 3 at 10:00:01\.000; TIME_WAIT 20000 at 10:00:03\.000$/);
    expect(rows[2]).toMatch(/ +2 +FIN_WAIT_2 2 +-$/);
    // The host with nothing left is summarised, and listed with --all.
    expect(text).toContain('Also 1 host held no socket at the end and no CLOSE_WAIT or TIME_WAIT on the way (listed with --all).');
    const all = renderTable(withHosts(hosts), { ...WIDE, all: true });
    expect(all).toMatch(/^10\.0\.0\.9 +0 +none +-$/m);
    expect(all).not.toContain('held no socket at the end');
  });

  it('table: rows stop at --limit with a pointer to the JSON; every line fits the width', () => {
    const many = Array.from({ length: 30 }, (_, i) => host(`10.1.0.${i}`, { TIME_WAIT: 100 + i }));
    const text = renderTable(withHosts(many), { ...OPTIONS, limit: 5 });
    expect(text.split('\n').filter((l) => /^10\.1\.0\./.test(l))).toHaveLength(5);
    expect(text).toContain('... 25 more hosts (use --format json)');
    // Busiest first: .29 held the most.
    expect(text).toMatch(/^10\.1\.0\.29 +129 /m);
    for (const width of [60, 80, 100]) {
      const listing = withHosts([...hosts.slice(0, 1), host('2001:db8:ffff:ffff:ffff:ffff:ffff:fffe', { ESTABLISHED: 1 }, { sockets: [{ state: 'ESTABLISHED', local: '[2001:db8:ffff:ffff:ffff:ffff:ffff:fffe]:65535', peer: '[2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff]:8443' }] })], {
        timeWaitPressure: [pressure({ host: '2001:db8:ffff:ffff:ffff:ffff:ffff:fffe', peer: '[2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff]:8443' })],
      });
      for (const all of [false, true]) expect(widest(renderTable(listing, { ...OPTIONS, width, all })), `width ${width}`).toBeLessThanOrEqual(width);
    }
  });

  it('markdown and HTML: the same rows; HTML escapes what it shows', () => {
    const md = renderMarkdown(withHosts(hosts), OPTIONS);
    expect(md).toContain('\n## Sockets at the end of the capture\n');
    expect(md).toContain('| `10.0.0.1` | 20004 | TIME_WAIT 20000, ESTABLISHED 3, SYN_SENT 1 | ESTABLISHED 3 at 10:00:01.000; TIME_WAIT 20000 at 10:00:03.000 |');
    expect(md).toContain('- 1 host held no socket at the end');
    const html = renderHtml(withHosts([host('<b>x</b>', { CLOSE_WAIT: 1 })]), OPTIONS);
    expect(html).toContain('<code>&lt;b&gt;x&lt;/b&gt;</code>');
    expect(html).not.toContain('<b>x</b>');
  });

  it('no host: no section, and the rest of the report as before', () => {
    const plain = withHosts([]);
    expect(renderTable(plain, OPTIONS)).not.toContain('Sockets at the end');
    expect(renderMarkdown(plain, OPTIONS)).not.toContain('## Sockets');
    expect(renderHtml(plain, OPTIONS)).not.toContain('id="sockets"');
  });
});

describe('--sockets listings', () => {
  const sockets = Array.from({ length: 5000 }, (_, i) => ({ state: 'TIME_WAIT' as const, local: `10.0.0.1:${32768 + i}`, peer: '10.0.0.5:8080' }));
  const listed = withHosts([host('10.0.0.1', { TIME_WAIT: 5000 }, { sockets })]);

  it('table and HTML list every socket; the markdown budget holds and says what it left out', () => {
    const table = renderTable(listed, OPTIONS);
    expect(table).toContain('Sockets of 10.0.0.1 at the end of the capture: 5000');
    expect(table.match(/^TIME_WAIT {2}10\.0\.0\.1:\d+ +10\.0\.0\.5:8080$/gm)).toHaveLength(5000);
    expect(table).not.toContain('Every socket: --sockets.');
    expect(renderHtml(listed, OPTIONS).match(/<tr><td>TIME_WAIT<\/td>/g)).toHaveLength(5000);
    const md = renderMarkdown(listed, { ...OPTIONS, markdownBudget: 20_000 });
    expect(md.length).toBeLessThanOrEqual(20_000);
    expect(md).toMatch(/left out .*table rows/);
    expect(md).toContain('### `10.0.0.1`: 5000 sockets');
    expect(md).toMatch(/\.\.\. \d+ more sockets \(use --format json\)/);
    // Without a budget, all of them.
    expect(renderMarkdown(listed, OPTIONS).match(/^\| TIME_WAIT \| `10\.0\.0\.1:\d+` \| `10\.0\.0\.5:8080` \|$/gm)).toHaveLength(5000);
  });
});

describe('time-wait-pressure', () => {
  const r = withHosts([host('10.0.0.1', { TIME_WAIT: 20000 })], { timeWaitPressure: [pressure()] });

  it('table: the finding, its figures and what to do; the title counts it', () => {
    const text = renderTable(r, WIDE);
    expect(text.split('\n')[0]).toBe('closetrace 0.1.0: 1 capture, 1 connection, 1 finding, 1 time-wait-pressure');
    expect(text).toMatch(/^time-wait-pressure: 1 finding, TIME_WAIT sockets to one server held a large share of the ephemeral port range/m);
    expect(text).toMatch(/^10\.0\.0\.1 +10\.0\.0\.5:8080 +20000 +28,232 +71% +10:00:30\.000 +25000 +481\/s$/m);
    for (const advice of ['keep-alive', 'let the client close first', 'net.ipv4.tcp_tw_reuse=1', 'SO_LINGER', 'tcp_tw_recycle` no longer exists']) expect(text).toContain(advice);
  });

  it('markdown: a section with the advice, left out under a tight budget; HTML: a section and a nav link', () => {
    const md = renderMarkdown(r, OPTIONS);
    expect(md).toContain('\n## TIME_WAIT pressure: ephemeral ports held by TIME_WAIT sockets\n');
    expect(md).toContain('**What to do:**');
    expect(md).toContain('| `10.0.0.1` | `10.0.0.5:8080` | 20000 | 28,232 | 71% | 10:00:30.000 | 25000 | 481/s |');
    const html = renderHtml(r, OPTIONS);
    expect(html).toContain('<a href="#time-wait-pressure">time-wait-pressure (1)</a>');
    expect(html).toContain('<section id="time-wait-pressure"');
  });

  it('several captures: the capture number, as stream labels have it', () => {
    const two = { ...r, captures: [capture(), capture({ file: HOSTILE_FILE })], timeWaitPressure: [pressure({ file: HOSTILE_FILE })] };
    expect(renderTable(two, WIDE)).toMatch(/^ *2 +10\.0\.0\.1 +10\.0\.0\.5:8080 /m);
    expect(renderHtml(two, OPTIONS)).not.toContain('<img');
  });
});

describe('TIME_WAIT reuse', () => {
  const reuse: TimeWaitReuseReport = {
    counts: { accepted: 3, ack: 1, rst: 0, none: 0 },
    examples: [
      { file: 'capture.pcap', holder: '10.0.0.5:8080', peer: '10.0.0.1:43001', stream: 4, at: `${T}04.000000Z`, inTimeWaitSeconds: 0.3, outcome: 'accepted' },
      { file: 'capture.pcap', holder: '10.0.0.5:8080', peer: '10.0.0.1:43002', stream: 7, at: `${T}05.000000Z`, inTimeWaitSeconds: 1.5, outcome: 'ack' },
    ],
  };
  const r = withHosts([host('10.0.0.5', { TIME_WAIT: 4 })], { timeWaitReuse: reuse });

  it('counts by outcome; the SYNs with --all', () => {
    const text = renderTable(r, WIDE);
    expect(text).toContain('TIME_WAIT reuse\n4 SYNs reused a 4-tuple one side still held in TIME_WAIT:\n- 3 accepted: ');
    expect(text).toContain('- 1 answered with an ACK: ');
    expect(text).not.toMatch(/^ +4 +10\.0\.0\.5:8080/m);
    const all = renderTable(r, { ...WIDE, all: true });
    expect(all).toMatch(/^ +4 +10\.0\.0\.5:8080 +10\.0\.0\.1:43001 +10:00:04\.000 +300 ms +accepted$/m);
    expect(all).toMatch(/^ +7 +10\.0\.0\.5:8080 +10\.0\.0\.1:43002 +10:00:05\.000 +1\.5 s +ack$/m);
    expect(renderMarkdown(r, { ...OPTIONS, all: true })).toContain('| 7 | `10.0.0.5:8080` | `10.0.0.1:43002` | 10:00:05.000 | 1.5 s | ack |');
    expect(renderHtml(r, OPTIONS)).toContain('<section id="time-wait-reuse">');
  });

  it('none: no section', () => {
    expect(renderTable(withHosts([host('10.0.0.5', { TIME_WAIT: 4 })]), OPTIONS)).not.toContain('TIME_WAIT reuse');
  });
});

describe('services', () => {
  it('the leak rate in words, and how long 1,024 descriptors last', () => {
    expect(leakRateText(12)).toBe('leaks 12 sockets a minute; at that rate 1,024 file descriptors last 85 min');
    expect(leakRateText(275)).toBe('leaks 275 sockets a minute; at that rate 1,024 file descriptors last 3.7 min');
    expect(leakRateText(5000)).toBe('leaks 5000 sockets a minute; at that rate 1,024 file descriptors last 12 s');
    expect(leakRateText(1)).toBe('leaks 1 socket a minute; at that rate 1,024 file descriptors last 17.1 h');
    expect(leakRateText(0.25)).toBe('leaks 0.25 sockets a minute; at that rate 1,024 file descriptors last 2.8 days');
  });

  it('the services table: the leak rate with the close-wait figures, and who holds TIME_WAIT when any does', () => {
    const base = report([record({ stuckSeconds: 41 })]);
    const service = { ...base.services[0], closeWait: { count: 1, medianStuckSeconds: 41, maxStuckSeconds: 41, perMinute: 12 }, timeWait: { client: 3, server: 2 } };
    const r = { ...base, services: [service] };
    const text = renderTable(r, WIDE);
    expect(text).toMatch(/^server +connections +findings +TIME_WAIT held by$/m);
    expect(text).toMatch(/1 close-wait \(median stuck 41 s, max 41 s; leaks 12 sockets a minute; at that rate 1,024 file descriptors last 85 min\) +client 3, server 2$/m);
    expect(renderMarkdown(r, OPTIONS)).toContain('| server | connections | findings | TIME_WAIT held by |');
    expect(renderHtml(r, OPTIONS)).toContain('<th>TIME_WAIT held by</th>');
    // No TIME_WAIT anywhere: no column (the table as before).
    expect(renderTable(base, OPTIONS)).not.toContain('TIME_WAIT held by');
  });
});

describe('HTML charts of sockets over time', () => {
  const timeline = (tw: number[], cw: number[] = [], est: number[] = []): HostReport['timeline'] => ({
    start: `${T}00.000000Z`,
    bucketSeconds: 2,
    counts: { ESTABLISHED: est, CLOSE_WAIT: cw, TIME_WAIT: tw },
  });

  it('one step line per state held, the peaks and the end counts in the legend', () => {
    const h = host('10.0.0.1', { TIME_WAIT: 4, CLOSE_WAIT: 1 }, { timeline: timeline([0, 2, 4.5, 4], [1, 1, 1, 1]) });
    const svg = hostTimelineChart(h, (iso) => iso.slice(11, 23));
    expect(svg.match(/<path /g)).toHaveLength(2);
    expect(svg).toContain('aria-label="Sockets of 10.0.0.1 in CLOSE_WAIT, TIME_WAIT over time"');
    expect(svg).toContain('TIME_WAIT: at most 4 at once (10:00:03.000), 4 at the end');
    expect(svg).toContain('average per 2 s, 8 s in all (UTC)');
    expect(hostTimelineChart(host('10.0.0.2'), (t) => t)).toBe('');
    expect(hostTimelineChart(host('10.0.0.3', {}, { timeline: timeline([0, 0]) }), (t) => t)).toBe('');
  });

  it('the busiest few hosts get one, the others are counted', () => {
    const hosts = Array.from({ length: 8 }, (_, i) => host(`10.0.0.${i + 1}`, { TIME_WAIT: i + 1 }, { timeline: timeline([i + 1]) }));
    const html = renderHtml(withHosts(hosts), OPTIONS);
    const charted = [...html.matchAll(/aria-label="Sockets of (10\.0\.0\.\d)/g)].map((m) => m[1]);
    expect(charted).toEqual(['10.0.0.8', '10.0.0.7', '10.0.0.6', '10.0.0.5', '10.0.0.4', '10.0.0.3']);
    expect(html).toContain('... 2 more hosts have a timeline');
  });
});

describe('--host narrows the host sections', () => {
  const sections = {
    hosts: [host('10.0.0.1'), host('10.0.0.5'), host('2001:db8::1'), host('2001:db9::1')],
    timeWaitPressure: [pressure(), pressure({ host: '2001:db8::1', peer: '[2001:db9::1]:443' })],
    timeWaitReuse: {
      counts: { accepted: 1, ack: 1, rst: 0, none: 0 },
      examples: [
        { file: 'a.pcap', holder: '10.0.0.5:8080', peer: '10.0.0.1:4000', stream: 1, at: `${T}01Z`, inTimeWaitSeconds: 1, outcome: 'accepted' as const },
        { file: 'a.pcap', holder: '[2001:db9::1]:443', peer: '[2001:db8::1]:4000', stream: 2, at: `${T}02Z`, inTimeWaitSeconds: 1, outcome: 'ack' as const },
      ],
    },
  };

  it('hosts in the prefix, findings and reuses with an end in it, any IPv6 spelling', () => {
    const v6 = narrowHostSections(sections, '2001:DB8:0::/32');
    expect(v6.hosts.map((h) => h.address)).toEqual(['2001:db8::1']);
    expect(v6.timeWaitPressure.map((p) => p.host)).toEqual(['2001:db8::1']);
    expect(v6.timeWaitReuse).toEqual({ counts: { accepted: 0, ack: 1, rst: 0, none: 0 }, examples: [sections.timeWaitReuse.examples[1]] });
    const server = narrowHostSections(sections, '10.0.0.5');
    expect(server.hosts.map((h) => h.address)).toEqual(['10.0.0.5']);
    // The finding's server is 10.0.0.5.
    expect(server.timeWaitPressure).toEqual([sections.timeWaitPressure[0]]);
    expect(narrowHostSections(sections, undefined)).toBe(sections);
  });

  it('reuse counts beyond the examples listed stay whole (which had an end in the prefix is not known)', () => {
    const more = { ...sections, timeWaitReuse: { ...sections.timeWaitReuse, counts: { accepted: 70, ack: 1, rst: 0, none: 0 } } };
    const narrowed = narrowHostSections(more, '10.0.0.0/8');
    expect(narrowed.timeWaitReuse.counts).toEqual({ accepted: 70, ack: 1, rst: 0, none: 0 });
    expect(narrowed.timeWaitReuse.examples).toHaveLength(1);
  });
});
