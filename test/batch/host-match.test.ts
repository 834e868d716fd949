import { describe, expect, it } from 'vitest';
import { endpointInPrefix, parseAddress, parseHostPrefix } from '../../src/batch/host-match.js';

const hex = (bytes: Uint8Array | null): string | null => (bytes === null ? null : Buffer.from(bytes).toString('hex'));

describe('--host addresses and prefixes', () => {
  it('reads every IPv6 spelling of one address as the same bytes', () => {
    const expected = '20010db8000000000000000000000001';
    for (const text of ['2001:db8::1', '2001:DB8::1', '2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8:0:0::1', '2001:db8::0:1']) expect(hex(parseAddress(text)), text).toBe(expected);
    expect(hex(parseAddress('::'))).toBe('0'.repeat(32));
    expect(hex(parseAddress('::ffff:192.0.2.1'))).toBe('00000000000000000000ffffc0000201');
    expect(hex(parseAddress('64:ff9b::10.0.0.1'))).toBe('0064ff9b00000000000000000a000001');
  });

  it('refuses what is not an address', () => {
    for (const text of ['', 'foo', '1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', '1::2::3', '1:2:3:4:5:6:7:8:9', '1.2.3.4::', 'fe80::1%eth0', '12345::1', '1:2:3:4:5:6:7::8:9']) {
      expect(parseAddress(text), text).toBeNull();
    }
  });

  it('matches endpoints by prefix, IPv4 and IPv6 apart', () => {
    const v4 = parseHostPrefix('10.1.0.0/16');
    const v6 = parseHostPrefix('2001:db8::/32');
    if (v4 === null || v6 === null) throw new Error('prefixes not parsed');
    expect(endpointInPrefix('10.1.200.3:443', v4)).toBe(true);
    expect(endpointInPrefix('10.2.0.1:443', v4)).toBe(false);
    expect(endpointInPrefix('[2001:db8:ffff::1]:443', v6)).toBe(true);
    expect(endpointInPrefix('[2001:db9::1]:443', v6)).toBe(false);
    expect(endpointInPrefix('[::ffff:10.1.0.1]:443', v4)).toBe(false);
    // Host bits beyond the prefix are ignored; /0 matches its whole family.
    expect(endpointInPrefix('10.1.9.9:1', parseHostPrefix('10.1.2.3/16') ?? v4)).toBe(true);
    expect(endpointInPrefix('192.0.2.1:1', parseHostPrefix('0.0.0.0/0') ?? v4)).toBe(true);
    expect(parseHostPrefix('10.0.0.0/33')).toBeNull();
    expect(parseHostPrefix('2001:db8::/129')).toBeNull();
    expect(parseHostPrefix('[2001:db8::1]')?.bits).toBe(128);
  });
});
