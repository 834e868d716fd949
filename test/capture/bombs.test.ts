/**
 * Decompression bombs (built in code: tools/craft/bombs.ts) read by the built CLI in a child process:
 * memory must not depend on how far the input inflates. A pcap header followed by zeros reads as millions
 * of empty 16-byte records, so the reader runs to the end without error and the frame count proves every
 * inflated byte went through. Before the zstd stream honoured back-pressure a 16 KB bomb of 512 MiB took
 * 1.1 GB; after, about 95 MB, the same as 64 MiB.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { buildPcap, ether, gzipPcapBomb, tcp, zstdPcapBomb, zstdStored } from '../../tools/craft/index.js';
import { readCapture } from '../../src/capture/reader.js';
import { cliUnusable, runCli, type CliRun } from '../support/built-cli.js';
import { expectErrorLine } from '../support/error-line.js';
import { tempDir } from '../support/temp-dir.js';

const MiB = 2 ** 20;
/** Peak RSS allowed for reading any bomb (a bare `closetrace --version` takes about 45 MB). */
const CEILING_MIB = 200;
/** What eight times the inflated size may add to the peak (none is expected: GC timing varies). */
const GROWTH_MIB = 48;

const tmp = tempDir('closetrace-bombs-');
afterAll(() => tmp.cleanup());

const unusable = cliUnusable();
if (unusable !== null) console.warn(`skipping the bomb tests that run the CLI: ${unusable}`);

function framesOf(run: CliRun): number {
  const report = JSON.parse(run.stdout) as { captures: Array<{ frames: number; error: string | null }> };
  expect(report.captures[0].error).toBeNull();
  return report.captures[0].frames;
}

async function readBomb(name: string, bytes: Uint8Array, inflated: number, ceiling = CEILING_MIB): Promise<number> {
  const file = tmp.write(name, bytes);
  const run = await runCli(['--format', 'json', file]);
  expect(run.stderr, name).toBe('');
  expect(run.status, name).toBe(0);
  // Every 16 inflated bytes after the header are one empty record.
  expect(framesOf(run), name).toBe(inflated / 16);
  expect(run.maxRssMiB, `${name}: peak RSS ${run.maxRssMiB.toFixed(0)} MiB`).toBeLessThan(ceiling);
  return run.maxRssMiB;
}

describe.skipIf(unusable !== null)('decompression bombs: memory does not follow the inflated size', () => {
  it('zstd: 16 KB of RLE blocks inflating to 512 MiB', async () => {
    const big = zstdPcapBomb({ inflatedBytes: 512 * MiB });
    expect(big.length).toBeLessThan(20_000);
    const small = await readBomb('small.pcap.zst', zstdPcapBomb({ inflatedBytes: 64 * MiB }), 64 * MiB);
    const large = await readBomb('large.pcap.zst', big, 512 * MiB);
    expect(large - small, `64 MiB: ${small.toFixed(0)} MiB, 512 MiB: ${large.toFixed(0)} MiB`).toBeLessThan(GROWTH_MIB);
  });

  it('gzip: multi-member zeros inflating to 512 MiB', async () => {
    const small = await readBomb('small.pcap.gz', gzipPcapBomb(64 * MiB), 64 * MiB);
    const large = await readBomb('large.pcap.gz', gzipPcapBomb(512 * MiB), 512 * MiB);
    expect(large - small, `64 MiB: ${small.toFixed(0)} MiB, 512 MiB: ${large.toFixed(0)} MiB`).toBeLessThan(GROWTH_MIB);
  });

  it('zstd declaring the largest accepted window (128 MiB): the window is the only extra cost', async () => {
    // fzstd keeps the declared window; it is bounded by the 128 MiB limit, not by the inflated size.
    await readBomb('window.pcap.zst', zstdPcapBomb({ inflatedBytes: 16 * MiB, windowLog: 27 }), 16 * MiB, CEILING_MIB + 128);
  });
});

describe('zstd blocks larger than the format allows are refused before they are decoded', () => {
  /** A frame with a 128 KiB window whose only block is RLE and claims `size` bytes. */
  function rleFrame(size: number): Uint8Array {
    const value = (size << 3) | (1 << 1) | 1;
    return Uint8Array.of(0x28, 0xb5, 0x2f, 0xfd, 0x00, (17 - 10) << 3, value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, 0x00);
  }

  it('an RLE block of 2 MiB - 1 bytes (the header field allows it, the format does not) is an error line', async () => {
    const file = tmp.write('rle-oversize.pcap.zst', rleFrame(2 ** 21 - 1));
    const result = await readCapture(file, () => undefined);
    expectErrorLine(result.error, file);
    expect(result.error).toMatch(/zstd block of 2097151 bytes/);
  });

  it('skippable frames and checksums are walked past: the capture inside reads whole', async () => {
    const pcap = buildPcap(
      Array.from({ length: 40 }, (_, i) => ({ ts: 1_700_000_000 + i, data: ether(tcp({ src: '10.0.0.1:1000', dst: '10.0.0.2:80', seq: i * 10, payload: 10 })) })),
    );
    const skippable = Uint8Array.of(0x5e, 0x2a, 0x4d, 0x18, 5, 0, 0, 0, 1, 2, 3, 4, 5);
    // zstdStored writes no checksum; set the flag and append 4 (unchecked by fzstd) bytes to walk past.
    const stored = zstdStored(pcap, 1000);
    stored[4] |= 0x04;
    const bytes = new Uint8Array([...skippable, ...stored, 0, 0, 0, 0, ...zstdStored(new Uint8Array(0))]);
    const frames: number[] = [];
    const file = tmp.write('skippable.pcap.zst', bytes);
    const result = await readCapture(file, (f) => frames.push(f.number));
    expect(result.error).toBeNull();
    expect(frames).toHaveLength(40);
  });

  it('an RLE block of exactly 128 KiB is accepted (the fixture is otherwise valid)', async () => {
    const frames: number[] = [];
    const file = tmp.write('rle-max.pcap.zst', rleFrame(128 * 1024));
    const result = await readCapture(file, (f) => frames.push(f.number));
    // Zeros are no capture header: the reader says so, having decoded the block.
    expectErrorLine(result.error, file, 0);
    expect(result.error).not.toMatch(/zstd/);
    expect(result.compression).toBe('zstd');
  });
});
