import { describe, expect, it } from 'vitest';
import { closesChart, stuckChart } from '../../src/render/charts-svg.js';
import { renderHtml } from '../../src/render/format-html.js';
import { ladderSvg } from '../../src/render/ladder-svg.js';
import { listingOf } from '../../src/report/listing.js';
import { rowContext } from '../../src/render/row-columns.js';
import { capture, corpusReport, everyVerdict, HOSTILE_FILE, ladderRecords, OPTIONS, record, report } from './fixtures.js';

function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

describe('renderHtml', () => {
  it('is one self-contained page: nothing to fetch, no script', () => {
    const html = renderHtml(corpusReport(), OPTIONS);
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(|\ssrc=/i);
    // Links only within the page.
    for (const m of html.matchAll(/href="([^"]*)"/g)) expect(m[1].startsWith('#')).toBe(true);
    expect(html).toContain(`Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"`);
    expect(html).toContain('@media print');
  });

  it('has the markdown content: captures, summary, services, advice, examples with filter and evidence', () => {
    const html = renderHtml(corpusReport(), OPTIONS);
    expect(html).toContain('<h2>Captures</h2>');
    expect(html).toContain('<p class="error"><strong>Error:</strong> /work/shared/corpus/files/zeek/testing__btest__Traces__pop3.pcap: cannot open: no such file</p>');
    expect(html).toContain('<h2>Summary</h2>');
    expect(html).toContain('<h2>Services with findings</h2>');
    expect(html).toContain('<code>ss -tanp state close-wait</code>');
    expect(html).toContain('Wireshark display filter: <code>tcp.stream eq 0</code> in <code>');
    expect(count(html, '<section')).toBe(count(html, '</section>'));
    expect(count(html, '<svg')).toBe(count(html, '</svg>'));
  });

  it('draws an SVG ladder per example and the two charts', () => {
    const records = [...Array.from({ length: 4 }, (_, i) => record({ stream: i, stuckSeconds: 10 + i })), ...everyVerdict().slice(1)];
    const html = renderHtml(report(records), OPTIONS);
    const examples = count(html, '<article class="example">');
    expect(examples).toBe(3 + 8);
    expect(count(html, '<svg class="ladder"')).toBe(examples);
    expect(count(html, '<svg class="chart"')).toBe(2);
    expect(html).toContain('Close-wait connections by time stuck in CLOSE_WAIT (4)');
    expect(html).toContain('Connections ending over time, by verdict');
  });

  it('escapes hostile file names, addresses and explanations everywhere', () => {
    const hostile = record({ file: HOSTILE_FILE, explanation: `look at ${HOSTILE_FILE}`, client: '<b>x</b>:1' });
    const caps = [capture({ file: HOSTILE_FILE, error: `${HOSTILE_FILE}: bad`, warnings: ['"quoted" & <warned>'] }), capture({ file: 'b.pcap' })];
    const html = renderHtml(report([hostile], caps), OPTIONS);
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>x</b>');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;.pcap');
    expect(html).toContain('&lt;b&gt;x&lt;/b&gt;:1');
    expect(html).toContain('&quot;quoted&quot; &amp; &lt;warned&gt;');
  });

  it('caps long lists like the other formats', () => {
    const records = Array.from({ length: 25 }, (_, i) => record({ stream: i }));
    expect(renderHtml(report(records), OPTIONS)).toContain('<p class="more">... 5 more (use --all or --format json)</p>');
  });
});

describe('SVG ladders and charts', () => {
  it('draws FINs and RSTs distinctly and a close-wait band until the capture ends', () => {
    const { closeWaitIdle, abortive, lateFin } = ladderRecords();
    const cw = ladderSvg(closeWaitIdle);
    expect(cw).toContain('class="ll l-fin"');
    expect(cw).toContain('>CLOSE_WAIT</text>');
    expect(cw).toContain('capture ends after 11.2 s: server never sent its FIN (CLOSE_WAIT)');
    expect(cw).toContain('>[F.] seq 19 ack 41 len 0</text>');
    const rst = ladderSvg(abortive);
    expect(rst).toContain('class="ll l-rst"');
    expect(rst).toContain('stroke-dasharray="7 4"');
    const late = ladderSvg(lateFin);
    expect(count(late, 'l-fin')).toBe(2);
    expect(count(late, 'l-rst')).toBe(1);
    // One arrow (line + head) per packet.
    expect(count(late, '<polygon')).toBe(lateFin.ladder.length);
    expect(ladderSvg(record({ ladder: [] }))).toBe('');
  });

  it('turns many close-waits into a histogram and leaves open connections out of the closes chart', () => {
    const many = Array.from({ length: 40 }, (_, i) => record({ stream: i, stuckSeconds: i < 30 ? 3 : 400 }));
    const ctx = rowContext(report(many));
    const histogram = stuckChart(listingOf(many, 20), ctx);
    expect(histogram).toContain('Histogram of time stuck in CLOSE_WAIT (40 connections)');
    expect(histogram).toContain('>1-5 s</text>');
    expect(histogram).toContain('>5-15 min</text>');
    expect(stuckChart(listingOf([record({ verdict: 'orderly' })], 20), ctx)).toBe('');
    expect(closesChart(listingOf([record({ verdict: 'open' })], 20))).toBe('');
    const closes = closesChart(listingOf(everyVerdict(), 20));
    expect(closes).toContain('<title>1 refused</title>');
    expect(closes).not.toContain('>open</text>');
  });
});
