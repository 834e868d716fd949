import { describe, expect, it } from 'vitest';
import { compareAddresses } from '../../src/sockets/socket-table.js';

describe('compareAddresses', () => {
  it('puts IPv4 first, by value (not as text), then IPv6', () => {
    const sorted = ['2001:db8::1', '10.0.0.10', '9.255.255.255', '10.0.0.9', '::1', '255.255.255.255', '0.0.0.0', '10.0.1.0']
      .sort(compareAddresses);
    expect(sorted).toEqual(['0.0.0.0', '9.255.255.255', '10.0.0.9', '10.0.0.10', '10.0.1.0', '255.255.255.255', '2001:db8::1', '::1']);
  });

  it('finds equal addresses equal', () => {
    expect(compareAddresses('192.168.1.1', '192.168.1.1')).toBe(0);
    expect(compareAddresses('fe80::1', 'fe80::1')).toBe(0);
  });
});
