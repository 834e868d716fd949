/**
 * IP reassembly under hostile fragments: bounded work per fragment and kernel-like limits (64 KiB and
 * 2,048 fragments a datagram, 4 MiB of fragments and 4,096 datagrams pending), counted as
 * `ip-fragment-dropped` and in a capture warning. Within the limits nothing changes (fragments.test.ts
 * and the tshark comparisons hold).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readCapture } from '../../src/capture/reader.js';
import { SegmentDecoder } from '../../src/decode/decoder.js';
import { insertRange, MAX_FRAGMENTS_PER_DATAGRAM, MAX_PENDING_FRAGMENT_BYTES } from '../../src/decode/fragments.js';
import { newSegment } from '../../src/decode/segment.js';
import { ether, FileSink, fragmentIpv4, ipv4, LINKTYPE, MemorySink, tcp, writeFragmentFlood } from '../../tools/craft/index.js';
import { cliUnusable, runCli } from '../support/built-cli.js';
import { Decoding } from '../support/decode-frames.js';
import { Prng } from '../../tools/fuzz/prng.js';
import { tempDir } from '../support/temp-dir.js';

const tmp = tempDir('closetrace-fragments-');
afterAll(() => tmp.cleanup());

/** A TCP SYN carrying `payload` bytes, as IPv4 fragments of `size` data bytes each. */
function fragmentsOf(payload: number, size: number, id = 7, port = 4001): Uint8Array[] {
  return fragmentIpv4(tcp({ src: `192.0.2.1:${port}`, dst: '192.0.2.2:80', flags: 'S', seq: 1, options: [], payload, ipId: id, df: false }), size).map((f) => ether(f));
}

function decodeAll(frames: Uint8Array[]): { d: Decoding; segments: number[] } {
  const d = new Decoding();
  const segments: number[] = [];
  for (const data of frames) {
    const s = d.next({ data, linkType: LINKTYPE.ETHERNET });
    if (s !== null) segments.push(s.frame);
  }
  return { d, segments };
}

describe('insertRange keeps sorted disjoint ranges, merging what touches', () => {
  /** The same ranges by brute force: a byte map. */
  function reference(pieces: Array<[number, number]>): number[] {
    const bytes = new Uint8Array(300);
    for (const [s, e] of pieces) bytes.fill(1, s, e);
    const out: number[] = [];
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i] === 1 && (i === 0 || bytes[i - 1] === 0)) out.push(i);
      if (bytes[i] === 1 && (i === bytes.length - 1 || bytes[i + 1] === 0)) out.push(i + 1);
    }
    return out;
  }

  it('agrees with a byte map on 2,000 seeded random sequences', () => {
    const rng = new Prng(11);
    for (let round = 0; round < 2000; round++) {
      const pieces: Array<[number, number]> = [];
      const covered: number[] = [];
      for (let k = rng.range(1, 30); k > 0; k--) {
        const start = rng.int(280);
        const end = start + rng.range(0, 20);
        pieces.push([start, end]);
        insertRange(covered, start, end);
      }
      expect(covered, `seed 11 round ${round}: ${JSON.stringify(pieces)}`).toEqual(reference(pieces));
    }
  });
});

describe('per-datagram limits', () => {
  it('a 64 KiB datagram in 1,365 fragments of 48 bytes (the smallest IPv4 MTU, 68) still completes', () => {
    // 65,535 bytes of IPv4: 20 of IP header, 20 of TCP header, 65,495 of data.
    const frames = fragmentsOf(65_495, 48);
    expect(frames.length).toBe(1365);
    const { d, segments } = decodeAll(frames);
    expect(segments).toEqual([1365]);
    expect(d.notDecoded()).toEqual({ 'ip-fragment': 1364 });
    expect(d.decoder.fragmentDatagramsGivenUp).toBe(0);
  });

  it(`more than ${MAX_FRAGMENTS_PER_DATAGRAM} fragments: the datagram is given up, its later fragments dropped`, () => {
    // 2,100 fragments of 8 bytes, then the rest in one: it would complete, but is over the limit.
    const all = fragmentsOf(20_000, 8);
    const { d, segments } = decodeAll(all);
    expect(segments).toEqual([]);
    expect(d.notDecoded()).toEqual({ 'ip-fragment': MAX_FRAGMENTS_PER_DATAGRAM, 'ip-fragment-dropped': all.length - MAX_FRAGMENTS_PER_DATAGRAM });
    expect(d.decoder.fragmentDatagramsGivenUp).toBe(1);
  });

  it('a fragment reaching past 64 KiB gives the datagram up; other datagrams are unaffected', () => {
    const [first, ...rest] = fragmentsOf(100, 48, 9);
    const beyond = ether(ipv4({ src: '192.0.2.1', dst: '192.0.2.2', protocol: 6, id: 9, df: false, mf: true, fragmentOffset: 65528, payload: new Uint8Array(16) }));
    const other = fragmentsOf(100, 48, 10, 4002);
    const { d, segments } = decodeAll([first, beyond, ...rest, ...other]);
    // Frames: 1 first, 2 beyond (dropped), 3-4 the rest (dropped), 5-7 the other datagram.
    expect(segments).toEqual([7]);
    expect(d.notDecoded()).toEqual({ 'ip-fragment': 3, 'ip-fragment-dropped': 3 });
    expect(d.decoder.fragmentDatagramsGivenUp).toBe(1);
  });
});

describe('limits over all datagrams', () => {
  it('beyond 4 MiB of fragments pending the oldest datagrams are given up; recent ones still complete', () => {
    // Datagrams of 3 fragments of 1,480 bytes: the first two of each for `n` datagrams, then the last
    // fragments of the `kept` most recent (4 MiB hold 1,416 datagrams' first two fragments), then the
    // last fragment of the oldest.
    const n = 2000;
    const kept = Math.floor(MAX_PENDING_FRAGMENT_BYTES / (2 * 1480));
    const datagrams = Array.from({ length: n }, (_, i) => fragmentsOf(3 * 1480 - 20, 1480, i + 1, 1024 + i));
    const frames = [...datagrams.flatMap((f) => f.slice(0, 2)), ...datagrams.slice(n - kept).map((f) => f[2]), datagrams[0][2]];
    const { d, segments } = decodeAll(frames);
    expect(d.decoder.fragmentDatagramsGivenUp).toBe(n - kept);
    // Every recent datagram completes at its last fragment; the oldest one, given up, does not.
    expect(segments).toEqual(Array.from({ length: kept }, (_, i) => 2 * n + i + 1));
    expect(d.notDecoded()).toEqual({ 'ip-fragment': 2 * n + 1 });
  });
});

describe('a flood of 819,200 fragments that never complete (200 datagrams x 4,096, with holes)', () => {
  it('is read in bounded work and memory, every fragment counted (the old code took minutes)', async () => {
    const file = tmp.path('fragment-flood.pcap');
    const sink = FileSink.create(file);
    const written = writeFragmentFlood(sink, { datagrams: 200, fragmentsPerDatagram: 4096 });
    sink.close();
    const decoder = new SegmentDecoder();
    const seg = newSegment();
    const read = await readCapture(file, (frame) => void decoder.decode(frame, seg));
    expect(read.error).toBeNull();
    expect(read.frames).toBe(written);
    expect(decoder.segments).toBe(0);
    expect(decoder.notDecoded()).toEqual({ 'ip-fragment': 200 * MAX_FRAGMENTS_PER_DATAGRAM, 'ip-fragment-dropped': 200 * (4096 - MAX_FRAGMENTS_PER_DATAGRAM) });
    expect(decoder.fragmentDatagramsGivenUp).toBe(200);
  });
});

const unusable = cliUnusable();
describe.skipIf(unusable !== null)('the report', () => {
  it('counts dropped fragments in notDecoded and says what the limits cost in a warning', async () => {
    const sink = new MemorySink();
    writeFragmentFlood(sink, { datagrams: 2, fragmentsPerDatagram: MAX_FRAGMENTS_PER_DATAGRAM + 5 });
    const file = tmp.write('over-limit.pcap', sink.bytes());
    const run = await runCli(['--format', 'json', file]);
    // Warnings are printed whole on stderr too; nothing else may be there.
    expect(run.stderr.split('\n').filter((line) => line !== '' && !line.startsWith('closetrace: warning: '))).toEqual([]);
    expect(run.status).toBe(0);
    const capture = (JSON.parse(run.stdout) as { captures: Array<{ notDecoded: Record<string, number>; warnings: string[] }> }).captures[0];
    expect(capture.notDecoded).toEqual({ 'ip-fragment': 2 * MAX_FRAGMENTS_PER_DATAGRAM, 'ip-fragment-dropped': 10 });
    expect(capture.warnings).toEqual([expect.stringMatching(/^IP reassembly limits: 10 fragments dropped, 2 datagrams given up unfinished \(/)]);
  });
});
