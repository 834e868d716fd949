/**
 * Records straddling read chunks: the reader refills one buffer, so a record may start in one read and
 * end several reads later, and a record bigger than the buffer makes it grow. Reading with tiny buffers
 * must give exactly the frames (every field and byte) of a run with the default 1 MiB buffer, for files,
 * gzip streams and standard input, and the same error for a broken file.
 */
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { buildPcap, buildPcapng, conversation, ether, gzipMembers, LINKTYPE, linuxSll, mergeByTime, tcp } from '../../tools/craft/index.js';
import type { ReadOptions } from '../../src/capture/reader.js';
import { readFrames, type FrameCopy } from '../support/read-frames.js';
import { tempDir } from '../support/temp-dir.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

function traffic(): { ts: bigint; data: Uint8Array }[] {
  const a = conversation('10.3.0.1:40000', '10.3.0.2:80', { link: (p) => ether(p, { vlans: [5] }) });
  a.syn();
  a.synAck();
  a.ack();
  for (let i = 0; i < 12; i++) a.data(i % 3 ? 'a' : 'b', (i * 131) % 1460);
  a.rst('b');
  const b = conversation('[2001:db8::7]:1', '[2001:db8::8]:2', { link: (p) => ether(p), start: 1_700_000_000.0037 });
  b.syn();
  b.synAck();
  b.data('a', 1);
  return mergeByTime(a.packets, b.packets);
}

const huge = new Uint8Array(70_000).map((_, i) => (i * 7) & 0xff);
const pcap = buildPcap(
  [
    ...traffic(),
    { ts: 1_700_000_001n * 1_000_000_000n, data: huge },
    { ts: 1_700_000_002n * 1_000_000_000n, data: new Uint8Array(0) },
    { ts: 1_700_000_003n * 1_000_000_000n, data: Uint8Array.of(0x45) },
  ],
  { precision: 'nano', byteOrder: 'big' },
);
const pcapng = buildPcapng((w) => {
  w.addInterface({ linkType: LINKTYPE.ETHERNET, tsresol: 9 });
  w.addInterface({ linkType: LINKTYPE.RAW, tsresol: 0x89 });
  for (const p of traffic()) w.enhancedPacket({ ts: p.ts, data: p.data, options: [{ code: 1, value: 'c' }] });
  w.simplePacket({ data: ether(tcp({ src: '10.3.0.9:9', dst: '10.3.0.8:8' })) });
  w.customBlock({ pen: 32473, data: new Uint8Array(33) });
  w.nameResolution([{ address: '10.3.0.1', names: ['x'] }]);
  w.enhancedPacket({ interfaceId: 1, ts: 1_700_000_004n * 1_000_000_000n, data: huge });
  w.section({ byteOrder: 'big' });
  w.addInterface({ linkType: LINKTYPE.LINUX_SLL, snaplen: 50 });
  w.obsoletePacket({ ts: 1_700_000_005n * 1_000_000_000n, data: linuxSll(tcp({ src: '10.3.0.1:1', dst: '10.3.0.2:2', payload: 100 })) });
  for (const p of traffic().slice(0, 5)) w.enhancedPacket({ ts: p.ts, data: p.data });
});

const SIZES = [1, 32, 100, 4097];

async function compareWithDefault(name: string, bytes: Uint8Array, via: 'file' | 'stdin', expectError = false): Promise<void> {
  const file = tmp.write(name, bytes);
  const reference = await readFrames(file);
  expect(reference.result.error !== null, `${name}: reference error ${reference.result.error}`).toBe(expectError);
  expect(reference.frames.length).toBeGreaterThan(0);
  for (const bufferSize of SIZES) {
    const options: ReadOptions = { bufferSize };
    // A pipe delivering odd-sized chunks on top of the tiny buffer.
    if (via === 'stdin') options.stdin = Readable.from(Array.from({ length: Math.ceil(bytes.length / 777) }, (_, i) => Buffer.from(bytes.subarray(i * 777, i * 777 + 777))));
    const run = await readFrames(via === 'stdin' ? '-' : file, options);
    const where = `${name} via ${via}, bufferSize ${bufferSize}`;
    expect(run.frames.length, where).toBe(reference.frames.length);
    // Bytes as hex: deep equality on big typed arrays is slow.
    const flat = (f: FrameCopy): unknown => ({ ...f, data: Buffer.from(f.data).toString('hex') });
    run.frames.forEach((f, i) => expect(flat(f), `${where}, frame ${i + 1}`).toEqual(flat(reference.frames[i])));
    const { file: _a, ...mine } = run.result;
    const { file: _b, ...theirs } = reference.result;
    if (via === 'stdin' && theirs.error !== null) {
      expect(mine.error?.replace(/^-: /, ''), where).toBe(theirs.error.replace(`${file}: `, ''));
      mine.error = theirs.error;
    }
    expect(mine, where).toEqual(theirs);
  }
}

describe('records straddling read chunks', () => {
  it('classic pcap: every frame equal to the default-buffer run', () => compareWithDefault('chunks.pcap', pcap, 'file'));
  it('pcapng: every frame equal to the default-buffer run', () => compareWithDefault('chunks.pcapng', pcapng, 'file'));
  it('gzip (multi-member) pcapng: every frame equal', () => compareWithDefault('chunks.pcapng.gz', gzipMembers(pcapng, 999), 'file'));
  it('classic pcap from stdin: every frame equal', () => compareWithDefault('chunks-stdin.pcap', pcap, 'stdin'));
  it('pcapng from stdin: every frame equal', () => compareWithDefault('chunks-stdin.pcapng', pcapng, 'stdin'));
  it('a truncated pcap gives the same frames and the same error with any buffer size', () =>
    compareWithDefault('chunks-cut.pcap', pcap.subarray(0, pcap.length - 70_020), 'file', true));
  it('a truncated pcapng gives the same frames and the same error with any buffer size', () =>
    compareWithDefault('chunks-cut.pcapng', pcapng.subarray(0, pcapng.length - 30), 'file', true));
  it('the fixtures hold what the comparison needs', async () => {
    const { frames } = await readFrames(tmp.write('fixture.pcapng', pcapng));
    expect(frames.some((f) => f.capturedLength === 70_000)).toBe(true);
    expect(frames.some((f) => f.linkType === LINKTYPE.LINUX_SLL && f.capturedLength === 50)).toBe(true);
    expect(frames.length).toBeGreaterThan(25);
  });
});
