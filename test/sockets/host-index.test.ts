import { describe, expect, it } from 'vitest';
import { formatAddress } from '../../src/decode/address-text.js';
import { HostIndex } from '../../src/sockets/host-index.js';

/** 2001:db8::<n> as the four 32-bit words a TcpSegment carries. */
function v6(n: number): [number, number, number, number] {
  return [0x20010db8 | 0, 0, n >>> 16, n & 0xffff];
}

describe('HostIndex', () => {
  it('gives each address one number, IPv4 and IPv6 apart, and names it as the reports print it', () => {
    const index = new HostIndex(100);
    const a = index.of(4, 0, 0, 0, 0x0a000001);
    const b = index.of(6, ...v6(1));
    const c = index.of(6, 0, 0, 0, 0x0a000001); // ::10.0.0.1 is not 10.0.0.1
    expect(new Set([a, b, c]).size).toBe(3);
    expect(index.of(4, 0, 0, 0, 0x0a000001)).toBe(a);
    expect(index.of(6, ...v6(1))).toBe(b);
    expect(index.names[a]).toBe('10.0.0.1');
    expect(index.names[b]).toBe(formatAddress(6, ...v6(1)));
    expect(index.endpoint(a, 80)).toBe('10.0.0.1:80');
    expect(index.endpoint(b, 443)).toBe(`[${formatAddress(6, ...v6(1))}]:443`);
  });

  it('finds every IPv6 address again after its table has grown many times', () => {
    const index = new HostIndex(100_000);
    const numbers = Array.from({ length: 5_000 }, (_, n) => index.of(6, ...v6(n)));
    expect(new Set(numbers).size).toBe(5_000);
    for (let n = 0; n < 5_000; n++) expect(index.of(6, ...v6(n))).toBe(numbers[n]);
    expect(index.size).toBe(5_000);
  });

  it('stops numbering at its limit, and still finds the addresses it holds', () => {
    const index = new HostIndex(3);
    expect(index.of(4, 0, 0, 0, 1)).toBe(0);
    expect(index.of(6, ...v6(7))).toBe(1);
    expect(index.of(4, 0, 0, 0, 2)).toBe(2);
    expect(index.of(4, 0, 0, 0, 3)).toBe(-1);
    expect(index.of(6, ...v6(8))).toBe(-1);
    expect(index.of(6, ...v6(7))).toBe(1);
    expect(index.size).toBe(3);
  });
});
