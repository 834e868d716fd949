import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildPcap, conversation, ipv4, LINKTYPE, tcp, type CapturedPacket } from '../../tools/craft/index.js';
import { analyzePackets } from './run-packets.js';

const T0 = 1700000000n * 1_000_000_000n;
const MS = 1_000_000n;

/** Packets at 1 ms intervals, in the order given. */
function timed(datas: Uint8Array[]): CapturedPacket[] {
  return datas.map((data, i) => ({ ts: T0 + BigInt(i) * MS, data }));
}

/** ICMP port unreachable from a router, quoting the first `quoted` bytes of TCP after the IP header. */
function icmpUnreachable(offending: Uint8Array, quoted: number, code = 3): Uint8Array {
  const ipHeader = (offending[0] & 0x0f) * 4;
  const quote = offending.subarray(0, ipHeader + quoted);
  const body = new Uint8Array(8 + quote.length);
  body[0] = 3;
  body[1] = code;
  body.set(quote, 8);
  let sum = 0;
  for (let i = 0; i < body.length; i += 2) sum += (body[i] << 8) | (body[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  const checksum = ~sum & 0xffff;
  body[2] = checksum >> 8;
  body[3] = checksum & 0xff;
  return ipv4({ src: '192.0.2.254', dst: `${offending[12]}.${offending[13]}.${offending[14]}.${offending[15]}`, protocol: 1, payload: body });
}

const A = '10.0.0.1:1001';
const B = '10.0.0.2:80';

describe('tcp.stream numbering (tshark 4.0 rules)', () => {
  it('a SYN with a new ISN after a full close starts a new stream; its late packets follow it', async () => {
    const run = await analyzePackets(
      timed([
        tcp({ src: A, dst: B, flags: 'S', seq: 1000 }),
        tcp({ src: B, dst: A, flags: 'SA', seq: 5000, ack: 1001 }),
        tcp({ src: A, dst: B, flags: 'A', seq: 1001, ack: 5001 }),
        tcp({ src: A, dst: B, flags: 'FA', seq: 1001, ack: 5001 }),
        tcp({ src: B, dst: A, flags: 'FA', seq: 5001, ack: 1002 }),
        tcp({ src: A, dst: B, flags: 'A', seq: 1002, ack: 5002 }),
        tcp({ src: A, dst: B, flags: 'S', seq: 9000 }),
      ]),
    );
    expect(run.records.map((r) => [r.stream, r.firstFrame, r.lastFrame])).toEqual([
      [0, 1, 6],
      [1, 7, 7],
    ]);
    expect(run.stream(0).verdict).toBe('orderly');
    expect(run.stream(0).endReason).toBe('port-reused');
  });

  it('a SYN with a new ISN in the middle of a live connection splits it (no FIN or RST needed)', async () => {
    const run = await analyzePackets(
      timed([
        tcp({ src: A, dst: B, flags: 'S', seq: 100 }),
        tcp({ src: B, dst: A, flags: 'SA', seq: 700, ack: 101 }),
        tcp({ src: A, dst: B, flags: 'PA', seq: 101, ack: 701, payload: 10 }),
        tcp({ src: A, dst: B, flags: 'S', seq: 2000 }),
        tcp({ src: B, dst: A, flags: 'A', seq: 701, ack: 111 }),
      ]),
    );
    expect(run.records.map((r) => [r.stream, r.firstFrame, r.lastFrame, r.packets])).toEqual([
      [0, 1, 3, 3],
      [1, 4, 5, 2],
    ]);
  });

  it('retransmitted SYNs and a retry after RST with the same ISN stay in one stream', async () => {
    const run = await analyzePackets(
      timed([
        tcp({ src: A, dst: B, flags: 'S', seq: 3000 }),
        tcp({ src: A, dst: B, flags: 'S', seq: 3000 }),
        tcp({ src: B, dst: A, flags: 'RA', seq: 0, ack: 3001, window: 0, ts: null }),
        tcp({ src: A, dst: B, flags: 'S', seq: 3000 }),
        tcp({ src: B, dst: A, flags: 'RA', seq: 0, ack: 3001, window: 0, ts: null }),
        tcp({ src: A, dst: B, flags: 'S', seq: 3333 }),
      ]),
    );
    expect(run.records.map((r) => [r.stream, r.packets])).toEqual([
      [0, 5],
      [1, 1],
    ]);
    expect(run.stream(0).verdict).toBe('refused');
  });

  it('a SYN/ACK with another ISN re-bases but never starts a stream', async () => {
    const run = await analyzePackets(
      timed([
        tcp({ src: B, dst: A, flags: 'SA', seq: 8000, ack: 1 }),
        tcp({ src: A, dst: B, flags: 'A', seq: 1, ack: 8001 }),
        tcp({ src: B, dst: A, flags: 'SA', seq: 8888, ack: 1 }),
        tcp({ src: A, dst: B, flags: 'A', seq: 1, ack: 8889 }),
      ]),
    );
    expect(run.records).toHaveLength(1);
    expect(run.stream(0).client).toBe(A);
  });

  it('mid-stream start at seq X: a later SYN at X-1 is the same connection, any other seq a new one', async () => {
    const run = await analyzePackets(
      timed([
        tcp({ src: A, dst: B, flags: 'PA', seq: 6000, ack: 1, payload: 4 }),
        tcp({ src: A, dst: B, flags: 'S', seq: 5999 }),
        tcp({ src: A, dst: B, flags: 'S', seq: 7000 }),
      ]),
    );
    expect(run.records.map((r) => [r.stream, r.firstFrame, r.packets])).toEqual([
      [0, 1, 2],
      [1, 3, 1],
    ]);
  });

  it("a SYN from the other side is compared with the base its peer's ACK set (ack - 1)", async () => {
    const run = await analyzePackets(
      timed([
        tcp({ src: A, dst: B, flags: 'A', seq: 1000, ack: 4444 }),
        tcp({ src: B, dst: A, flags: 'S', seq: 4443 }),
        tcp({ src: B, dst: A, flags: 'S', seq: 4000 }),
      ]),
    );
    expect(run.records.map((r) => [r.stream, r.packets])).toEqual([
      [0, 2],
      [1, 1],
    ]);
  });

  it('an ICMP error quoting 16+ bytes of an unseen 4-tuple takes a stream number; its real packets join it', async () => {
    const unseen = tcp({ src: '10.0.0.1:2004', dst: B, flags: 'S', seq: 50 });
    const run = await analyzePackets(
      timed([
        tcp({ src: A, dst: B, flags: 'S', seq: 10 }),
        icmpUnreachable(unseen, 20),
        unseen,
        icmpUnreachable(tcp({ src: '10.0.0.1:2005', dst: B, flags: 'S', seq: 60 }), 8),
        tcp({ src: '10.0.0.1:2005', dst: B, flags: 'S', seq: 60 }),
        icmpUnreachable(tcp({ src: '10.0.0.1:2006', dst: B, flags: 'S', seq: 70 }), 16),
        tcp({ src: '10.0.0.1:2007', dst: B, flags: 'S', seq: 80 }),
      ]),
    );
    // Stream 1 is the ICMP-created conversation joined by frame 3; the 8-byte quote makes none;
    // the 16-byte quote of 2006 (never seen again) leaves a gap at 3.
    expect(run.records.map((r) => [r.stream, r.client, r.firstFrame])).toEqual([
      [0, A, 1],
      [1, '10.0.0.1:2004', 3],
      [2, '10.0.0.1:2005', 5],
      [4, '10.0.0.1:2007', 7],
    ]);
    expect(run.stream(1).verdict).toBe('refused');
    expect(run.stream(1).icmpErrors[0]).toMatchObject({ frame: 2, description: 'port unreachable', reporter: '192.0.2.254', about: 'client' });
    expect(run.facts.notDecoded['icmp-error']).toBe(2);
  });

  it('an ICMP error quoting a SYN with a new ISN splits the live connection at the ICMP frame', async () => {
    const run = await analyzePackets(
      timed([
        tcp({ src: A, dst: B, flags: 'S', seq: 1000 }),
        tcp({ src: B, dst: A, flags: 'SA', seq: 9000, ack: 1001 }),
        icmpUnreachable(tcp({ src: A, dst: B, flags: 'S', seq: 1234 }), 20),
        tcp({ src: A, dst: B, flags: 'A', seq: 1001, ack: 9001 }),
      ]),
    );
    expect(run.records.map((r) => [r.stream, r.firstFrame, r.packets])).toEqual([
      [0, 1, 2],
      [1, 4, 1],
    ]);
  });

  it('the same 4-tuple in two VLANs is one stream, as in tshark', async () => {
    const { ether } = await import('../../tools/craft/index.js');
    const c = conversation(A, B, { link: (p) => ether(p, { vlans: [10] }) });
    c.syn();
    c.synAck();
    const d = conversation(A, B, { isnA: c.isn('a'), isnB: c.isn('b'), start: 1700000001, link: (p) => ether(p, { vlans: [20] }) });
    d.ack('a', { seq: c.nextSeq('a'), ack: c.nextSeq('b') });
    const dir = mkdtempSync(join(tmpdir(), 'closetrace-vlan-'));
    try {
      const file = join(dir, 'vlan.pcap');
      writeFileSync(file, buildPcap([...c.packets, ...d.packets], { linkType: LINKTYPE.ETHERNET }));
      const { analyzeCapture } = await import('../../src/engine/analyze-capture.js');
      const records: { stream: number; packets: number }[] = [];
      await analyzeCapture(file, (r) => records.push(r));
      expect(records).toEqual([expect.objectContaining({ stream: 0, packets: 3 })]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const tshark = ['/usr/bin/tshark', '/usr/local/bin/tshark'].find((p) => existsSync(p));

describe.skipIf(tshark === undefined)('agreement with tshark on crafted port-reuse and ICMP cases', () => {
  it('gives every stream the same first frame, packets and endpoints as tshark', async () => {
    const unseen = tcp({ src: '10.0.0.1:2004', dst: B, flags: 'S', seq: 50 });
    const datas = [
      tcp({ src: A, dst: B, flags: 'S', seq: 100 }),
      tcp({ src: B, dst: A, flags: 'SA', seq: 700, ack: 101 }),
      tcp({ src: A, dst: B, flags: 'PA', seq: 101, ack: 701, payload: 10 }),
      tcp({ src: A, dst: B, flags: 'S', seq: 2000 }),
      tcp({ src: B, dst: A, flags: 'A', seq: 701, ack: 111 }),
      icmpUnreachable(unseen, 20),
      unseen,
      tcp({ src: B, dst: A, flags: 'SA', seq: 8000, ack: 1 }),
      tcp({ src: A, dst: B, flags: 'S', seq: 2000 }),
      tcp({ src: A, dst: B, flags: 'S', seq: 2001 }),
      tcp({ src: '10.0.0.3:5', dst: B, flags: 'FA', seq: 1, ack: 1 }),
    ];
    const packets = timed(datas);
    const run = await analyzePackets(packets);
    const dir = mkdtempSync(join(tmpdir(), 'closetrace-tshark-'));
    try {
      const file = join(dir, 'x.pcap');
      writeFileSync(file, buildPcap(packets, { linkType: LINKTYPE.RAW, precision: 'nano' }));
      const out = execFileSync(tshark as string, ['-r', file, '-Y', 'tcp && !icmp', '-T', 'fields', '-e', 'frame.number', '-e', 'tcp.stream'], {
        encoding: 'utf8',
        timeout: 30_000,
      });
      const byStream = new Map<number, number[]>();
      for (const line of out.trim().split('\n')) {
        const [frame, stream] = line.split('\t').map(Number);
        byStream.set(stream, [...(byStream.get(stream) ?? []), frame]);
      }
      expect(run.records.map((r) => [r.stream, r.firstFrame, r.packets])).toEqual([...byStream].map(([s, frames]) => [s, frames[0], frames.length]));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
