import { describe, expect, it } from 'vitest';
import { formatIp, parseEndpoint, parseIp, parseIpv6 } from '../../tools/craft/index.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('IPv6 text', () => {
  it.each([
    ['::', '00000000000000000000000000000000'],
    ['::1', '00000000000000000000000000000001'],
    ['2001:db8::', '20010db8000000000000000000000000'],
    ['2001:db8::1:0:0:1', '20010db8000000000001000000000001'],
    ['fe80::a:b', 'fe8000000000000000000000000a000b'],
    ['2001:0db8:0000:0000:0000:ff00:0042:8329', '20010db8000000000000ff0000428329'],
    ['::ffff:10.0.0.1', '00000000000000000000ffff0a000001'],
    ['1:2:3:4:5:6:7::', '00010002000300040005000600070000'],
  ])('parses %s', (text, bytes) => {
    expect(hex(parseIpv6(text))).toBe(bytes);
  });

  it.each(['1::2::3', '1:2:3:4:5:6:7:8:9', '12345::', ':::', '1:2:3:4:5:6:7:8::', 'g::1', '1:2'])('rejects %s', (text) => {
    expect(() => parseIpv6(text)).toThrow();
  });

  it.each([
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['fe80:0:0:0:0:0:0:0', 'fe80::'],
  ])('formats %s canonically as %s (RFC 5952)', (text, canonical) => {
    expect(formatIp(parseIp(text))).toBe(canonical);
  });
});

describe('endpoints', () => {
  it('parses IPv4 and bracketed IPv6 with ports', () => {
    expect(parseEndpoint('10.0.0.1:40000')).toEqual({ address: { version: 4, bytes: Uint8Array.of(10, 0, 0, 1) }, port: 40000 });
    const e = parseEndpoint('[2001:db8::1]:443');
    expect(e.address.version).toBe(6);
    expect(e.port).toBe(443);
  });

  it.each(['10.0.0.1', '10.0.0.256:1', '2001:db8::1:443', '[::1]:70000', '10.0.0.1:x'])('rejects %s', (text) => {
    expect(() => parseEndpoint(text)).toThrow();
  });
});
