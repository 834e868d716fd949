/**
 * The pull-style CaptureCursor (used by --join) hands out exactly the frames and facts of the push-style
 * readCapture, whatever its buffer size, and fails with the same one-line errors.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CaptureCursor } from '../../src/capture/capture-cursor.js';
import { buildPcapng, conversation, ether, gzip, LINKTYPE } from '../../tools/craft/index.js';
import { copyFrame, readFrames, type FrameCopy } from '../support/read-frames.js';
import { tempDir } from '../support/temp-dir.js';
import { CAPTURES } from './helpers/archive.js';

const tmp = tempDir('closetrace-cursor-');
afterAll(() => tmp.cleanup());

async function pull(file: string, bufferSize?: number): Promise<{ frames: FrameCopy[]; cursor: CaptureCursor }> {
  const cursor = await CaptureCursor.open(file, { bufferSize });
  const frames: FrameCopy[] = [];
  while (cursor.advance() || ((await cursor.fill()) && cursor.advance())) frames.push(copyFrame(cursor.frame));
  expect(cursor.done).toBe(true);
  return { frames, cursor };
}

function badFiles(): string[] {
  const lo = readFileSync(join(CAPTURES, 'lo-ipv4.pcap'));
  // The third record claims 1 GB: the first two are read, then the error.
  const corrupt = Buffer.from(lo);
  let p = 24;
  for (let i = 0; i < 2; i++) p += 16 + corrupt.readUInt32LE(p + 8);
  corrupt.writeUInt32LE(0x40000000, p + 8);
  return [
    tmp.write('empty.pcap', new Uint8Array(0)),
    tmp.write('tiny.pcap', new Uint8Array([0xd4, 0xc3])),
    tmp.write('text.pcap', 'hello world, not a capture'),
    tmp.write('truncated.pcap', lo.subarray(0, lo.length - 3)),
    tmp.write('corrupt-late.pcap', corrupt),
    tmp.write('truncated.pcap.gz', gzip(lo).subarray(0, 2000)),
    tmp.path('missing.pcap'),
  ];
}

function goodFiles(): string[] {
  const c = conversation('10.0.0.1:40000', '10.0.0.2:80', { link: (p) => ether(p) });
  c.syn();
  c.synAck();
  c.ack();
  c.data('a', 3000);
  c.fin('a');
  c.fin('b');
  c.ack('a');
  const ng = buildPcapng((w) => {
    const i = w.addInterface({ linkType: LINKTYPE.ETHERNET, tsresol: 9 });
    for (const p of c.packets) w.enhancedPacket({ interfaceId: i, ts: p.ts, data: p.data });
  });
  return [
    ...['lo-ipv4.pcap', 'lo-ipv4.pcap.gz', 'two-paths.pcapng', 'two-paths-gzipped.pcapng', 'veth-ipv6-nsec.pcap', 'veth-ipv4-any-sll2.pcap'].map((f) => join(CAPTURES, f)),
    tmp.write('crafted.pcapng', ng),
  ];
}

describe('CaptureCursor', () => {
  for (const bufferSize of [64, 1000, undefined]) {
    it(`gives readCapture's frames and facts (buffer ${bufferSize ?? 'default'})`, async () => {
      for (const file of goodFiles()) {
        const pushed = await readFrames(file);
        const { frames, cursor } = await pull(file, bufferSize);
        expect(frames).toEqual(pushed.frames);
        expect(cursor.facts()).toEqual(pushed.result);
      }
    });
  }

  it("fails with readCapture's errors, after the frames before them", async () => {
    for (const file of badFiles()) {
      const pushed = await readFrames(file);
      const { frames, cursor } = await pull(file, 256);
      expect(pushed.result.error, file).not.toBeNull();
      expect(cursor.facts().error).toBe(pushed.result.error);
      expect(frames).toEqual(pushed.frames);
      expect(cursor.facts().frames).toBe(pushed.result.frames);
    }
  });

  it('stops at a refill once aborted, marked interrupted', async () => {
    const controller = new AbortController();
    const cursor = await CaptureCursor.open(join(CAPTURES, 'lo-ipv4.pcap'), { bufferSize: 512, signal: controller.signal });
    let n = 0;
    while (cursor.advance() || ((await cursor.fill()) && cursor.advance())) {
      if (++n === 5) controller.abort();
    }
    expect(n).toBeLessThan(279);
    expect(cursor.facts().interrupted).toBe(true);
  });
});
