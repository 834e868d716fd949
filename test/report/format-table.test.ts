import { describe, expect, it } from 'vitest';
import { renderTable } from '../../src/render/format-table.js';
import { displayWidth, stripAnsi } from '../../src/render/text-width.js';
import { FINDINGS } from '../../src/verdict/types.js';
import { capture, corpusReport, everyVerdict, HOSTILE_FILE, LONG_IPV6_CLIENT, LONG_IPV6_SERVER, OPTIONS, record, report } from './fixtures.js';

function widest(text: string): number {
  return Math.max(...text.split('\n').map(displayWidth));
}

describe('renderTable', () => {
  it('fits 100 columns on the corpus sample, with a file that could not be read shown on its own line', () => {
    const text = renderTable(corpusReport(), OPTIONS);
    expect(widest(text)).toBeLessThanOrEqual(100);
    expect(text).toMatch(/^error: .*testing__btest__Traces__pop3\.pcap: cannot open: no such file$/m);
    expect(text).toContain('closetrace 0.1.0: 8 captures, 9 connections, 9 findings');
  });

  it('fits every line, IPv6 included, into the width it is given', () => {
    const records = everyVerdict().map((r) => ({ ...r, client: LONG_IPV6_CLIENT, server: LONG_IPV6_SERVER, file: `${'very-long-directory-name/'.repeat(6)}x.pcap` }));
    const caps = [capture({ file: records[0].file }), capture({ file: 'b.pcap', start: '2024-05-02T00:00:00Z', end: '2024-05-03T00:00:00Z' })];
    for (const width of [100, 80, 60]) {
      for (const all of [false, true]) {
        const text = renderTable(report(records, caps), { ...OPTIONS, width, all });
        expect(widest(text), `width ${width}`).toBeLessThanOrEqual(width);
      }
    }
    // Wrapped at the address groups, not in the middle of one: every group is on one line.
    const text = renderTable(report(records, caps), OPTIONS);
    expect(text).toContain('[2001:db8:ffff:ffff:');
    expect(text).toMatch(/ffff:fffe\]:65535/);
  });

  it('lists findings grouped by verdict, worst first, close-waits by stuck time', () => {
    const records = [
      ...everyVerdict().slice(1),
      record({ stream: 20, stuckSeconds: 5 }),
      record({ stream: 21, stuckSeconds: 300 }),
      record({ stream: 22, stuckSeconds: 41 }),
    ];
    // As without --all: every connection counted, only findings listed.
    const full = report(records);
    const text = renderTable({ ...full, connections: full.connections.filter((r) => FINDINGS.has(r.verdict)) }, OPTIONS);
    const order = ['close-wait:', 'late-fin-reset:', 'abortive-close:', 'reset-after-close:', 'keepalive-timeout:', 'reset:', 'fin-unacked:', 'slow-close:', 'refused:', 'unanswered:'];
    const positions = order.map((h) => text.search(new RegExp(`^${h}`, 'm')));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    const stuck = [...text.matchAll(/^\s+(2\d)\s/gm)].map((m) => Number(m[1]));
    expect(stuck).toEqual([21, 22, 20]);
    // Normal ends are counted but listed only with --all.
    expect(text).not.toMatch(/^orderly:/m);
    expect(text).toContain('Also 1 orderly, 1 simultaneous-close, 1 open (normal; listed with --all).');
  });

  it('shows the key times of each verdict', () => {
    const text = renderTable(report(everyVerdict()), OPTIONS);
    expect(text).toMatch(/stuck\s+since/);
    expect(text).toMatch(/12 s\s+10:00:01\.500/);
    expect(text).toMatch(/FIN delay\s+RST at/);
    expect(text).toMatch(/1 min 5 s\s+10:00:02\.000/);
    expect(text).toContain('SO_LINGER 0; 1200 B');
    expect(text).toContain('no-socket');
  });

  it('caps each verdict at the limit and says how to see the rest', () => {
    const records = Array.from({ length: 7 }, (_, i) => record({ stream: i, stuckSeconds: 100 - i }));
    expect(renderTable(report(records), { ...OPTIONS, limit: 3 })).toContain('... 4 more (use --all or --format json)');
    expect(renderTable(report(records), { ...OPTIONS, limit: 3, all: true })).toContain('... 4 more (use --format json)');
    expect(renderTable(report(records), { ...OPTIONS, limit: 7 })).not.toContain('more (use');
  });

  it('has the per-service line with close-wait stuck figures', () => {
    const records = [
      record({ stream: 1, stuckSeconds: 41 }),
      record({ stream: 2, stuckSeconds: 300 }),
      record({ stream: 3, stuckSeconds: 12 }),
      record({ stream: 4, verdict: 'abortive-close', cause: 'linger-zero', since: null, stuckSeconds: null }),
    ];
    const text = renderTable(report(records), OPTIONS);
    expect(text).toMatch(/^10\.0\.0\.5:8080\s+4\s+3 close-wait \(median stuck 41 s, max 5 min 0 s\); 1 abortive-close$/m);
  });

  it('writes no escape code without colour, even for a file name holding one', () => {
    const evil = 'evil\u001b[31mred\u001b]0;title\u0007.pcap';
    const text = renderTable(report([record({ file: evil })], [capture({ file: evil, error: `${evil}: truncated at byte 24` })]), OPTIONS);
    expect(text).not.toContain('\u001b');
    expect(text).not.toContain('\u0007');
    expect(text).toContain('evil\\x1b[31mred');
  });

  it('colours verdict names by severity with colour on', () => {
    const text = renderTable(report(everyVerdict()), { ...OPTIONS, color: true });
    expect(text).toContain('\u001b[31m\u001b[1mclose-wait\u001b[22m\u001b[39m');
    expect(text).toContain('\u001b[33mkeepalive-timeout\u001b[39m');
    expect(widest(text)).toBeLessThanOrEqual(100);
    expect(stripAnsi(text)).toBe(renderTable(report(everyVerdict()), OPTIONS));
  });

  it('marks inferred roles and says what the mark means', () => {
    const text = renderTable(report([record({ roleInferred: true })]), OPTIONS);
    expect(text).toMatch(/server\?/);
    expect(text).toContain('?: no handshake seen');
  });

  it('prints hostile file names as text', () => {
    const text = renderTable(report([record({ file: HOSTILE_FILE })], [capture({ file: HOSTILE_FILE })]), OPTIONS);
    expect(text).toContain(HOSTILE_FILE);
  });

  it('counts findings per capture when there are several, and mentions skipped files', () => {
    const r = report([record()], [capture({ file: 'a.pcap', findings: 1 }), capture({ file: 'b.pcap', findings: 0 })]);
    r.summary.skippedFiles = 1;
    const text = renderTable(r, OPTIONS);
    expect(text).toMatch(/^#  capture .* findings$/m);
    expect(text).toMatch(/^1  a\.pcap .* 1000 +10 +1$/m);
    expect(text).toContain('1 file in the input directories is not a capture and was skipped.');
  });

  it('says so when there is nothing to report', () => {
    expect(renderTable(report([], [capture({ connections: 0 })]), OPTIONS)).toContain('No TCP connections were found.');
    expect(renderTable(report([record({ verdict: 'orderly', endpoint: 'client' })]), OPTIONS)).toContain('No findings');
  });
});
