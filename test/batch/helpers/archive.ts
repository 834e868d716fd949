/**
 * A capture archive made for the batch tests under os.tmpdir(): nested folders, real captures from
 * captures/ (plain, gzip with and without a suffix, pcapng), synthetic captures whose close-waits share
 * one service across files, and the bad things an archive holds: a corrupt capture, a truncated one, a
 * corrupt gzip, a dangling symbolic link, a link looping back up the tree, a FIFO, text and empty files,
 * and (when not running as root, who can read anything) a file without read permission.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPcap, conversation, ether, gzip, mergeByTime, type ConversationPacket } from '../../../tools/craft/index.js';
import { tempDir, type TempDir } from '../../support/temp-dir.js';

export const CAPTURES = fileURLToPath(new URL('../../../captures/', import.meta.url));
export const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

export interface Archive {
  tmp: TempDir;
  /** The archive's top directory (give it to analyze()). */
  dir: string;
  /** Paths analyze() should list, in walk order. */
  captures: string[];
  /** Of those, the ones that must come out as error rows. */
  errors: string[];
  /** Files that are not captures (skipped and counted). */
  skipped: number;
}

/**
 * Close-waits on one server from several clients, spread over time: `stuck` seconds each between the
 * server's ACK of the client's FIN and the end of the capture.
 */
export function closeWaitCapture(server: string, clients: number, firstPort: number, start: number): Uint8Array {
  const lists: ConversationPacket[][] = [];
  for (let i = 0; i < clients; i++) {
    const c = conversation(`10.1.0.${1 + i}:${firstPort + i}`, server, { start: start + i * 3, link: (p) => ether(p) });
    c.syn();
    c.synAck();
    c.ack();
    c.data('a', 200);
    c.data('b', 500);
    c.fin('a');
    c.ack('b');
    lists.push(c.packets);
  }
  // One orderly close at the end sets the capture's end well after every close-wait.
  const last = conversation('10.1.9.9:49999', server, { start: start + clients * 3 + 20, link: (p) => ether(p) });
  last.syn();
  last.synAck();
  last.ack();
  last.fin('a');
  last.fin('b');
  last.ack('a');
  lists.push(last.packets);
  return buildPcap(mergeByTime(...lists));
}

export function buildArchive(): Archive {
  const tmp = tempDir('closetrace-batch-');
  const dir = join(tmp.dir, 'archive');
  const put = (rel: string, bytes: Uint8Array | string): string => {
    const path = join(dir, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, bytes);
    return path;
  };
  const copy = (name: string, rel: string): string => {
    const path = join(dir, rel);
    mkdirSync(dirname(path), { recursive: true });
    copyFileSync(join(CAPTURES, name), path);
    return path;
  };
  const lo = readFileSync(join(CAPTURES, 'lo-ipv4.pcap'));

  const captures: string[] = [];
  const errors: string[] = [];
  let skipped = 0;
  // Walk order: names sorted by code unit, each folder where its name sorts.
  captures.push(copy('lo-ipv4.pcap', 'a-real/lo-ipv4.pcap'));
  captures.push(copy('veth-ipv6-nsec-gzipped', 'a-real/nested/deeper/veth-ipv6-nsec-gzipped'));
  captures.push(copy('two-paths.pcapng', 'a-real/nested/two-paths.pcapng'));
  put('a-real/nested/notes.txt', 'captured on the staging box\n');
  skipped++;
  captures.push(copy('lo-ipv4.pcap.gz', 'b-gz/lo-ipv4.pcap.gz'));
  captures.push(copy('two-paths-gzipped.pcapng', 'b-gz/two-paths-gzipped.pcapng'));
  captures.push(put('b-gz/veth-sll2.pcap.gz', gzip(readFileSync(join(CAPTURES, 'veth-ipv4-any-sll2.pcap')))));

  // A valid header, then a record claiming 1 GB of packet data.
  const corrupt = Buffer.from(lo.subarray(0, 24 + 16));
  corrupt.writeUInt32LE(0x40000000, 24 + 8);
  const corruptPcap = put('c-bad/corrupt.pcap', corrupt);
  const corruptGzip = put('c-bad/corrupt.pcap.gz', Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), Buffer.alloc(64, 0x55)]));
  const dangling = join(dir, 'c-bad/dangling.pcap');
  symlinkSync(join(dir, 'c-bad/missing.pcap'), dangling);
  put('c-bad/empty.pcap', new Uint8Array(0));
  skipped++;
  execFileSync('mkfifo', [join(dir, 'c-bad/fifo')]);
  skipped++;
  // A link back up to the archive itself: walked once, not forever.
  symlinkSync(dir, join(dir, 'c-bad/loop'));
  const truncated = put('c-bad/truncated.pcap', lo.subarray(0, lo.length - 7));
  captures.push(corruptPcap, corruptGzip, dangling, truncated);
  errors.push(corruptPcap, corruptGzip, dangling, truncated);
  if (!isRoot) {
    const locked = put('c-bad/unreadable.pcap', lo);
    chmodSync(locked, 0o000);
    captures.push(locked);
    errors.push(locked);
  }

  // The same service leaks in three files (for the close-wait median over shards).
  captures.push(put('d-synthetic/leak-1.pcap', closeWaitCapture('10.9.9.9:8080', 3, 41000, 1_700_000_000)));
  captures.push(put('d-synthetic/leak-2.pcap', closeWaitCapture('10.9.9.9:8080', 4, 42000, 1_700_000_500)));
  captures.push(put('d-synthetic/leak-3.pcap', closeWaitCapture('10.9.9.9:8080', 2, 43000, 1_700_001_000)));
  put('README.md', '# capture archive\n');
  skipped++;
  captures.sort((a, b) => comparePathsForTest(a, b));
  return { tmp, dir, captures, errors, skipped };
}

/** Walk order written out independently of the code under test. */
function comparePathsForTest(a: string, b: string): number {
  const x = a.split('/');
  const y = b.split('/');
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
  return x.length - y.length;
}

/** The report as JSON text, for byte-for-byte comparisons. */
export function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}
