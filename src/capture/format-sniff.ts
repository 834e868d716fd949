import { u32le } from './byte-order.js';
import { CaptureError } from './errors.js';
import { isPcapMagic, PcapParser } from './pcap.js';
import { PCAPNG_SHB, PcapngParser } from './pcapng.js';
import type { RecordParser } from './record-parser.js';

/**
 * The parser for a capture, chosen by its first bytes (never by its name), or a one-line error that
 * says what the file is instead when it can tell (a compressed format closetrace does not read, an
 * archive). Used by the reader and by the cursors of a joined read, so both say the same.
 */
export function chooseParser(b: Uint8Array, start: number, end: number, eof: boolean): RecordParser {
  if (end - start === 0 && eof) throw new CaptureError(0, 'the file is empty (0 bytes), not a capture');
  if (end - start < 4) throw new CaptureError(0, `the file is only ${end - start} bytes long, not a capture`);
  const magic = u32le(b, start);
  if (isPcapMagic(magic)) return new PcapParser();
  if (magic === PCAPNG_SHB) return new PcapngParser();
  throw new CaptureError(0, `not a pcap or pcapng capture: ${describeMagic(b, start, end)}`);
}

function describeMagic(b: Uint8Array, start: number, end: number): string {
  const hex = Array.from(b.subarray(start, Math.min(end, start + 4)), (x) => x.toString(16).padStart(2, '0')).join(' ');
  if (b[start] === 0x42 && b[start + 1] === 0x5a && b[start + 2] === 0x68) return 'it is bzip2-compressed (decompress it with `bunzip2` first)';
  if (b[start] === 0xfd && b[start + 1] === 0x37 && b[start + 2] === 0x7a && b[start + 3] === 0x58) {
    return 'it is xz-compressed (decompress it with `xz -d` first)';
  }
  if (b[start] === 0x04 && b[start + 1] === 0x22 && b[start + 2] === 0x4d && b[start + 3] === 0x18) {
    return 'it is lz4-compressed (decompress it with `lz4 -d` first)';
  }
  if (b[start] === 0x50 && b[start + 1] === 0x4b) return 'it is a zip archive (extract it first)';
  return `unrecognised magic bytes ${hex}`;
}
