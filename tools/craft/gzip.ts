/**
 * gzip-compressed captures: readers should accept .pcap.gz / .pcapng.gz transparently. For streaming
 * (multi-member) gzip output to a file, see FileSink's `gzip` option.
 */
import { gzipSync } from 'node:zlib';

export function gzip(bytes: Uint8Array, level = 6): Uint8Array {
  return new Uint8Array(gzipSync(bytes, { level }));
}

/** Several gzip members back to back, as concatenated .gz files or FileSink's gzip output are. */
export function gzipMembers(bytes: Uint8Array, memberSize: number, level = 6): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let at = 0; at < bytes.length || at === 0; at += memberSize) {
    parts.push(gzip(bytes.subarray(at, at + memberSize), level));
    if (at + memberSize >= bytes.length) break;
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
