import { describe, expect, it } from 'vitest';
import { displayWidth, printable, truncateMiddle, wrap } from '../../src/render/text-width.js';

describe('text width', () => {
  it('measures what a terminal shows', () => {
    expect(displayWidth('abc')).toBe(3);
    expect(displayWidth('\u001b[31mred\u001b[39m')).toBe(3);
    expect(displayWidth('漢字')).toBe(4);
    expect(displayWidth('e\u0301')).toBe(1);
    expect(displayWidth('→ µs ─')).toBe(6);
  });

  it('makes control and bidi characters visible instead of acting on them', () => {
    expect(printable('a\u001b[2Jb\nc\u202ed')).toBe('a\\x1b[2Jb\\x0ac\\u{202e}d');
    expect(printable('plain [2001:db8::1]:80')).toBe('plain [2001:db8::1]:80');
  });

  it('wraps at spaces, then inside long words at address and path separators', () => {
    expect(wrap('stuck 11.2 s since 14:53:15.772', 12)).toEqual(['stuck 11.2 s', 'since', '14:53:15.772']);
    expect(wrap('[2001:470:1f05:17a6:d69a:20ff:fefd:6b88]:58895', 21)).toEqual(['[2001:470:1f05:17a6:', 'd69a:20ff:fefd:', '6b88]:58895']);
    expect(wrap('/var/log/captures/incident-42.pcap', 18)).toEqual(['/var/log/captures/', 'incident-42.pcap']);
    expect(wrap('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
    for (const line of wrap('x'.repeat(50) + ' ' + '漢'.repeat(30), 7)) expect(displayWidth(line)).toBeLessThanOrEqual(7);
  });

  it('shortens in the middle, keeping both ends', () => {
    const cut = truncateMiddle('error: /very/long/path/to/capture.pcap: truncated', 30);
    expect(displayWidth(cut)).toBe(30);
    expect(cut.startsWith('error: /very')).toBe(true);
    expect(cut.endsWith(': truncated')).toBe(true);
    expect(truncateMiddle('short', 30)).toBe('short');
  });
});
