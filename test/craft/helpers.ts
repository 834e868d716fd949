/**
 * Shared by the craft tests: temporary files, tshark (an independent decoder, when installed), and
 * pcap-parser wrapped in a promise.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { parse, type GlobalHeader, type Packet } from 'pcap-parser';

export const hasTshark = spawnSync('tshark', ['--version'], { stdio: 'ignore' }).status === 0;

export function tempDir(): { path: (name: string) => string; write: (name: string, bytes: Uint8Array) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'craft-'));
  return {
    path: (name) => join(dir, name),
    write: (name, bytes) => {
      const file = join(dir, name);
      writeFileSync(file, bytes);
      return file;
    },
    // CRAFT_KEEP=1 keeps the files for a look with tshark or a hex dump.
    cleanup: () => (process.env.CRAFT_KEEP ? console.log(`kept ${dir}`) : rmSync(dir, { recursive: true, force: true })),
  };
}

/**
 * Runs tshark on `file` and returns one row per frame, one string per field (multiple occurrences of a
 * field are joined with commas). Checksum validation is switched on so bad checksums would show.
 */
export function tsharkFields(file: string, fields: string[], extra: string[] = []): string[][] {
  const args = ['-r', file, '-n', '-o', 'tcp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE', ...extra, '-T', 'fields'];
  for (const f of fields) args.push('-e', f);
  const out = execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 30 });
  return out
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => line.split('\t'));
}

export function parsePcap(bytes: Uint8Array): Promise<{ header: GlobalHeader; packets: Packet[] }> {
  return new Promise((resolve, reject) => {
    const parser = parse(Readable.from([Buffer.from(bytes)]));
    let header: GlobalHeader | undefined;
    const packets: Packet[] = [];
    parser.on('globalHeader', (h) => (header = h));
    parser.on('packet', (p) => packets.push({ header: p.header, data: Buffer.from(p.data) }));
    parser.on('error', reject);
    parser.on('end', () => (header ? resolve({ header, packets }) : reject(new Error('no pcap header'))));
  });
}

/** '1700000000.001000000' as tshark prints frame.time_epoch. */
export function epochText(ns: bigint): string {
  const s = ns / 1_000_000_000n;
  const f = ns % 1_000_000_000n;
  return `${s}.${f.toString().padStart(9, '0')}`;
}
