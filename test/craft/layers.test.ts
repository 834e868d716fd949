import { describe, expect, it } from 'vitest';
import {
  AF,
  bsdLoop,
  bsdNull,
  encapsulate,
  encodeTcpOptions,
  ether,
  fragmentIpv4,
  ipv4,
  ipv6,
  IPPROTO,
  LINKTYPE,
  linuxSll,
  linuxSll2,
  parseTcpFlags,
  payloadBytes,
  standardTcpOptions,
  tcp,
  TCP_FLAG,
} from '../../tools/craft/index.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const u16 = (b: Uint8Array, at: number): number => (b[at] << 8) | b[at + 1];
const u32 = (b: Uint8Array, at: number): number => ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
const v4 = tcp({ src: '10.0.0.1:1', dst: '10.0.0.2:2' });
const v6 = tcp({ src: '[::1]:1', dst: '[::2]:2' });

describe('link layers', () => {
  it('Ethernet picks the ethertype from the IP version', () => {
    expect(u16(ether(v4), 12)).toBe(0x0800);
    expect(u16(ether(v6), 12)).toBe(0x86dd);
    expect(hex(ether(v4, { src: 'aa:bb:cc:dd:ee:ff', dst: '11:22:33:44:55:66' }).subarray(0, 12))).toBe('112233445566aabbccddeeff');
  });

  it('stacks VLAN tags outermost first, any depth and TPID', () => {
    const f = ether(v4, { vlans: [{ id: 100, tpid: 0x88a8, pcp: 5 }, { id: 200, dei: true }, 4095] });
    expect(hex(f.subarray(12, 26))).toBe('88a8a064' + '810010c8' + '81000fff' + '0800');
    expect(f.subarray(26)).toEqual(v4);
  });

  it('pads short frames when asked', () => {
    expect(ether(v4, { padTo: 60 }).length).toBe(60);
    expect(ether(tcp({ src: '10.0.0.1:1', dst: '10.0.0.2:2', payload: 100 }), { padTo: 60 }).length).toBe(154);
  });

  it('Linux SLL is 16 bytes: packet type, ARPHRD, address, protocol', () => {
    const f = linuxSll(v6, { packetType: 4, address: '01:02:03:04:05:06' });
    expect(hex(f.subarray(0, 16))).toBe('0004' + '0001' + '0006' + '0102030405060000' + '86dd');
    expect(f.subarray(16)).toEqual(v6);
  });

  it('Linux SLL2 is 20 bytes: protocol, reserved, ifindex, ARPHRD, type, address length, address', () => {
    const f = linuxSll2(v4, { interfaceIndex: 7, packetType: 0, address: '01:02:03:04:05:06' });
    expect(hex(f.subarray(0, 20))).toBe('0800' + '0000' + '00000007' + '0001' + '00' + '06' + '0102030405060000');
  });

  it('BSD null keeps the family in the chosen byte order; loop always big-endian', () => {
    expect(hex(bsdNull(v4).subarray(0, 4))).toBe('02000000');
    expect(hex(bsdNull(v4, { byteOrder: 'big' }).subarray(0, 4))).toBe('00000002');
    expect(hex(bsdNull(v6).subarray(0, 4))).toBe('18000000');
    expect(hex(bsdNull(v6, { family: AF.INET6_DARWIN }).subarray(0, 4))).toBe('1e000000');
    expect(hex(bsdLoop(v6, { family: AF.INET6_FREEBSD }).subarray(0, 4))).toBe('0000001c');
  });

  it('encapsulates for every supported link type', () => {
    const sizes: Array<[number, number]> = [
      [LINKTYPE.NULL, 4],
      [LINKTYPE.ETHERNET, 14],
      [LINKTYPE.RAW_DLT12, 0],
      [LINKTYPE.RAW_DLT14, 0],
      [LINKTYPE.RAW, 0],
      [LINKTYPE.LOOP, 4],
      [LINKTYPE.LINUX_SLL, 16],
      [LINKTYPE.IPV4, 0],
      [LINKTYPE.IPV6, 0],
      [LINKTYPE.LINUX_SLL2, 20],
    ];
    for (const [type, header] of sizes) expect(encapsulate(type, v4).length).toBe(v4.length + header);
    expect(() => encapsulate(147, v4)).toThrow();
  });
});

describe('IPv4', () => {
  it('writes flags, fragment offset, TTL, id and options', () => {
    const p = ipv4({ src: '1.2.3.4', dst: '5.6.7.8', protocol: 6, payload: new Uint8Array(8), ttl: 3, id: 0xbeef, df: false, mf: true, fragmentOffset: 1480, options: Uint8Array.of(1, 1, 1) });
    expect(p[0]).toBe(0x46);
    expect(u16(p, 2)).toBe(32);
    expect(u16(p, 4)).toBe(0xbeef);
    expect(u16(p, 6)).toBe(0x2000 | (1480 / 8));
    expect(p[8]).toBe(3);
    expect(hex(p.subarray(20, 24))).toBe('01010100');
    expect(() => ipv4({ src: '1.2.3.4', dst: '5.6.7.8', protocol: 6, payload: new Uint8Array(0), fragmentOffset: 3 })).toThrow();
    expect(() => ipv4({ src: '::1', dst: '5.6.7.8', protocol: 6, payload: new Uint8Array(0) })).toThrow();
  });

  it('fragments reassemble to the original payload, with copied options only after the first', () => {
    const options = Uint8Array.of(0x94, 4, 0, 0, 0x07, 3, 4, 1); // router alert (copied), record route (not)
    const original = tcp({ src: '10.0.0.1:1000', dst: '10.0.0.2:80', payload: 3001, ipOptions: options, ipId: 99, df: false });
    const fragments = fragmentIpv4(original, 1000);
    expect(fragments.length).toBe(4);
    const payload: number[] = [];
    fragments.forEach((f, i) => {
      const hl = (f[0] & 15) * 4;
      expect(u16(f, 4)).toBe(99);
      expect((u16(f, 6) & 0x2000) !== 0).toBe(i < fragments.length - 1);
      expect((u16(f, 6) & 0x1fff) * 8).toBe(payload.length);
      expect(hl).toBe(i === 0 ? 28 : 24);
      expect(f[20]).toBe(0x94);
      payload.push(...f.subarray(hl, u16(f, 2)));
    });
    expect(Uint8Array.from(payload)).toEqual(original.subarray(28));
  });
});

describe('IPv6 extension headers', () => {
  it('chains hop-by-hop, routing, fragment and destination options before TCP', () => {
    const seg = new Uint8Array(20);
    const p = ipv6({
      src: '2001:db8::1',
      dst: '2001:db8::2',
      nextHeader: IPPROTO.TCP,
      payload: seg,
      hopLimit: 9,
      flowLabel: 0x12345,
      trafficClass: 0xb8,
      extensions: [
        { type: 'hopByHop', options: Uint8Array.of(5, 2, 0, 0) },
        { type: 'routing', addresses: ['2001:db8::9'], segmentsLeft: 1 },
        { type: 'fragment', identification: 0xabcdef, offset: 0, more: false },
        { type: 'destinationOptions', options: new Uint8Array(9).fill(0x1e).map((v, i) => (i === 1 ? 7 : v)) },
      ],
    });
    expect(u32(p, 0)).toBe(((6 << 28) | (0xb8 << 20) | 0x12345) >>> 0);
    expect(p[7]).toBe(9);
    // Walk the chain independently.
    const seen: number[] = [];
    let next = p[6];
    let at = 40;
    while (next !== IPPROTO.TCP) {
      seen.push(next);
      const len = next === IPPROTO.FRAGMENT ? 8 : (p[at + 1] + 1) * 8;
      if (next === IPPROTO.FRAGMENT) expect(u32(p, at + 4)).toBe(0xabcdef);
      if (next === IPPROTO.ROUTING) expect(p[at + 3]).toBe(1); // segments left
      next = p[at];
      at += len;
    }
    expect(seen).toEqual([0, 43, 44, 60]);
    expect(p.length - at).toBe(20);
    expect(u16(p, 4)).toBe(p.length - 40);
  });

  it('pads options with Pad1 or PadN to 8-byte multiples', () => {
    const padN = ipv6({ src: '::1', dst: '::2', nextHeader: 59, payload: new Uint8Array(0), extensions: [{ type: 'hopByHop' }] });
    expect(hex(padN.subarray(40))).toBe('3b00' + '0104' + '00000000');
    const pad1 = ipv6({ src: '::1', dst: '::2', nextHeader: 59, payload: new Uint8Array(0), extensions: [{ type: 'destinationOptions', options: Uint8Array.of(1, 3, 0, 0, 0) }] });
    expect(hex(pad1.subarray(40))).toBe('3b00' + '0103000000' + '00');
  });
});

describe('TCP', () => {
  it('parses tcpdump-style flag letters', () => {
    expect(parseTcpFlags('SA')).toBe(TCP_FLAG.SYN | TCP_FLAG.ACK);
    expect(parseTcpFlags('F.')).toBe(TCP_FLAG.FIN | TCP_FLAG.ACK);
    expect(parseTcpFlags('rpa')).toBe(TCP_FLAG.RST | TCP_FLAG.PSH | TCP_FLAG.ACK);
    expect(parseTcpFlags('SEWN')).toBe(0x1c2);
    expect(parseTcpFlags(0x29)).toBe(0x29);
    expect(() => parseTcpFlags('SX')).toThrow();
  });

  it('encodes options as on the wire', () => {
    expect(hex(encodeTcpOptions([{ kind: 'mss', value: 1460 }]))).toBe('020405b4');
    expect(hex(encodeTcpOptions([{ kind: 'windowScale', shift: 7 }]))).toBe('03030700');
    expect(hex(encodeTcpOptions([{ kind: 'timestamps', value: 0xfffffffe, echo: 1 }]))).toBe('080afffffffe0000000100'.padEnd(24, '0'));
    expect(hex(encodeTcpOptions([{ kind: 'nop' }, { kind: 'nop' }, { kind: 'sack', blocks: [[1, 2]] }]))).toBe('0101050a0000000100000002');
    expect(hex(encodeTcpOptions([{ kind: 'raw', bytes: Uint8Array.of(254, 4, 0xf9, 0x89) }]))).toBe('fe04f989');
    expect(() => encodeTcpOptions(new Array(41).fill({ kind: 'nop' }))).toThrow();
  });

  it('lays out SYN and data options like Linux', () => {
    const syn = encodeTcpOptions(standardTcpOptions(true, { mss: 1460, sackPermitted: true, ts: [5, 0], windowScale: 7 }));
    expect(hex(syn)).toBe('020405b4' + '0402' + '080a0000000500000000' + '01' + '030307');
    const data = encodeTcpOptions(standardTcpOptions(false, { mss: 1460, ts: [5, 6], sack: [[10, 20]] }));
    expect(hex(data)).toBe('0101080a0000000500000006' + '0101050a0000000a00000014');
  });

  it('builds the header fields, data offset and payload', () => {
    const p = tcp({ src: '10.0.0.1:40000', dst: '10.0.0.2:80', seq: -1, ack: 2 ** 32 + 5, flags: 'FPA', window: 1234, urgent: 7, payload: 'hi', ts: [1, 2] });
    const t = p.subarray(20);
    expect(u16(t, 0)).toBe(40000);
    expect(u16(t, 2)).toBe(80);
    expect(u32(t, 4)).toBe(0xffffffff);
    expect(u32(t, 8)).toBe(5);
    expect(t[12] >> 4).toBe(8);
    expect(t[13]).toBe(0x19);
    expect(u16(t, 14)).toBe(1234);
    expect(u16(t, 18)).toBe(7);
    expect(new TextDecoder().decode(t.subarray(32))).toBe('hi');
    expect(tcp({ src: '10.0.0.1:1', dst: '10.0.0.2:2', dataOffset: 15 })[32] >> 4).toBe(15);
  });

  it('fills numeric payloads with a readable pattern', () => {
    expect(new TextDecoder().decode(payloadBytes(28))).toBe('ABCDEFGHIJKLMNOPQRSTUVWXYZAB');
  });

  it('rejects mixed address families', () => {
    expect(() => tcp({ src: '10.0.0.1:1', dst: '[::1]:2' })).toThrow();
  });
});
