import { describe, expect, it } from 'vitest';
import { foldChecksum, internetChecksum, ipv4, onesSum, parseIp, tcp, IPPROTO } from '../../tools/craft/index.js';

/** Straight from RFC 1071's description, written independently of tools/craft/checksum.ts. */
function referenceChecksum(bytes: number[]): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 2) sum += (bytes[i] << 8) + (bytes[i + 1] ?? 0);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return ~sum & 0xffff;
}

/** Checks the TCP checksum of an IP packet by rebuilding the pseudo-header as bytes. */
function tcpChecksumOk(packet: Uint8Array): boolean {
  const v6 = packet[0] >> 4 === 6;
  const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  const headerLength = v6 ? 40 : (packet[0] & 15) * 4;
  const segment = Array.from(packet.subarray(headerLength, v6 ? 40 + view.getUint16(4) : view.getUint16(2)));
  const len = segment.length;
  const pseudo = v6
    ? [...packet.subarray(8, 40), 0, 0, len >> 8, len & 255, 0, 0, 0, IPPROTO.TCP]
    : [...packet.subarray(12, 20), 0, IPPROTO.TCP, len >> 8, len & 255];
  return referenceChecksum([...pseudo, ...segment]) === 0;
}

describe('internet checksum', () => {
  it('matches the RFC 1071 worked example', () => {
    // RFC 1071 section 3: words 0001 f203 f4f5 f6f7 sum to ddf2 (before complement).
    const bytes = Uint8Array.of(0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7);
    expect(foldChecksum(onesSum(bytes))).toBe(~0xddf2 & 0xffff);
  });

  it('gives the well-known IPv4 header checksum (b861)', () => {
    const header = Uint8Array.from([0x45, 0, 0, 0x73, 0, 0, 0x40, 0, 0x40, 0x11, 0, 0, 0xc0, 0xa8, 0, 1, 0xc0, 0xa8, 0, 0xc7]);
    expect(internetChecksum(header)).toBe(0xb861);
    const built = ipv4({ src: '192.168.0.1', dst: '192.168.0.199', protocol: 17, payload: new Uint8Array(0x73 - 20), id: 0, df: true });
    expect((built[10] << 8) | built[11]).toBe(0xb861);
  });

  it('pads an odd final byte with zero', () => {
    expect(onesSum(Uint8Array.of(0x12, 0x34, 0x56))).toBe(0x1234 + 0x5600);
  });

  it('agrees with a reference implementation on random data', () => {
    let x = 12345;
    for (let n = 0; n < 200; n++) {
      const bytes: number[] = [];
      for (let i = 0; i < n * 7; i++) bytes.push((x = (x * 1103515245 + 12345) & 0x7fffffff) & 0xff);
      expect(internetChecksum(Uint8Array.from(bytes))).toBe(referenceChecksum(bytes));
    }
  });
});

describe('crafted packet checksums', () => {
  it('IPv4 headers verify to zero, options included', () => {
    const p = tcp({ src: '10.1.2.3:1234', dst: '10.3.2.1:80', ipOptions: Uint8Array.of(0x94, 4, 0, 0, 1), ipId: 4321, ttl: 3 });
    expect(p[0] & 15).toBe(7); // 5 words + 2 of options (5 bytes padded to 8)
    expect(internetChecksum(p, 0, 28)).toBe(0);
  });

  it('TCP over IPv4 and IPv6 verifies against the byte-built pseudo-header', () => {
    const payloads = [0, 1, 2, 999, 1448];
    for (const payload of payloads) {
      expect(tcpChecksumOk(tcp({ src: '10.0.0.1:40000', dst: '10.0.0.2:80', payload, ts: [1, 2], flags: 'PA' }))).toBe(true);
      expect(tcpChecksumOk(tcp({ src: '[2001:db8::1]:40000', dst: '[2001:db8:0:1::2]:443', payload, flags: 'PA' }))).toBe(true);
    }
  });

  it('keeps a deliberately wrong checksum', () => {
    const p = tcp({ src: '10.0.0.1:1', dst: '10.0.0.2:2', tcpChecksum: 0xdead, ipChecksum: 0xbeef });
    expect((p[10] << 8) | p[11]).toBe(0xbeef);
    expect((p[36] << 8) | p[37]).toBe(0xdead);
    expect(tcpChecksumOk(p)).toBe(false);
  });

  it('uses the final destination of a type 0 routing header in the IPv6 pseudo-header', () => {
    const p = tcp({
      src: '[2001:db8::1]:1000',
      dst: '[2001:db8::2]:80',
      extensions: [{ type: 'routing', addresses: ['2001:db8::9', '2001:db8::a'] }],
    });
    // Walk: IPv6 (40) + routing header (8 + 32); rebuild the pseudo-header with the last listed address.
    const segment = Array.from(p.subarray(80));
    const pseudo = [...p.subarray(8, 24), ...parseIp('2001:db8::a').bytes, 0, 0, 0, segment.length, 0, 0, 0, 6];
    expect(referenceChecksum([...pseudo, ...segment])).toBe(0);
  });
});
