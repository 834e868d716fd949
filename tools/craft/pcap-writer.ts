/**
 * Classic libpcap files: 24-byte file header, then a 16-byte header per record. Either byte order and
 * either timestamp precision (magic a1b2c3d4 = microseconds, a1b23c4d = nanoseconds), any link type,
 * and a snaplen that truncates records (caplen < origlen), as `tcpdump -s 96` writes them.
 */
import { isLittle, type ByteOrder } from './byte-order.js';
import { MemorySink, type ByteSink } from './byte-sink.js';
import { encapsulate } from './link-layer.js';
import { LINKTYPE } from './link-types.js';
import { splitNanos, toNanos, type Timestamp } from './timestamp.js';

export const PCAP_MAGIC_MICROS = 0xa1b2c3d4;
export const PCAP_MAGIC_NANOS = 0xa1b23c4d;

export interface PcapOptions {
  /** LINKTYPE_* (upper bits may carry FCS information); default Ethernet. */
  linkType?: number;
  /** Records longer than this keep only `snaplen` bytes; default 262144. */
  snaplen?: number;
  /** Default 'micro'. */
  precision?: 'micro' | 'nano';
  /** Byte order of all header fields; default 'little' (what x86 tcpdump writes). */
  byteOrder?: ByteOrder;
  /** Magic written instead of the one for `precision` (for corrupt-file tests). */
  magic?: number;
  /** Default 2.4. */
  versionMajor?: number;
  versionMinor?: number;
  /** GMT offset field; readers ignore it, default 0. */
  thiszone?: number;
  sigfigs?: number;
}

export interface PcapRecordOptions {
  /** Original length; default the packet's length. */
  originalLength?: number;
  /** Captured length written in the header, whatever was written (for lying/truncated records). */
  capturedLength?: number;
}

/** One packet of a capture: link-layer bytes (or IP bytes with `encapsulate`) and when it was seen. */
export interface CapturedPacket {
  ts: Timestamp;
  data: Uint8Array;
  /** Length on the wire when `data` was cut short; default data.length. */
  originalLength?: number;
}

export class PcapWriter {
  readonly snaplen: number;
  readonly nanos: boolean;
  private readonly little: boolean;
  private records = 0;
  private pendingOffset = -1;
  private pendingLength = 0;

  constructor(
    readonly sink: ByteSink,
    options: PcapOptions = {},
  ) {
    this.snaplen = options.snaplen ?? 262144;
    this.nanos = options.precision === 'nano';
    this.little = isLittle(options.byteOrder ?? 'little');
    const at = sink.reserve(24);
    const v = sink.view;
    v.setUint32(at, options.magic ?? (this.nanos ? PCAP_MAGIC_NANOS : PCAP_MAGIC_MICROS), this.little);
    v.setUint16(at + 4, options.versionMajor ?? 2, this.little);
    v.setUint16(at + 6, options.versionMinor ?? 4, this.little);
    v.setInt32(at + 8, options.thiszone ?? 0, this.little);
    v.setUint32(at + 12, options.sigfigs ?? 0, this.little);
    v.setUint32(at + 16, this.snaplen, this.little);
    v.setUint32(at + 20, options.linkType ?? LINKTYPE.ETHERNET, this.little);
    sink.commit(24);
  }

  /** Records written so far. */
  get packets(): number {
    return this.records;
  }

  writePacket(ts: Timestamp, data: Uint8Array, options: PcapRecordOptions = {}): void {
    const { seconds, nanos } = splitNanos(toNanos(ts));
    const at = this.beginRecord(seconds, nanos, data.length, options.originalLength ?? data.length);
    const kept = Math.min(data.length, this.snaplen);
    this.sink.buffer.set(kept === data.length ? data : data.subarray(0, kept), at);
    if (options.capturedLength !== undefined) this.sink.view.setUint32(at - 8, options.capturedLength, this.little);
    this.endRecord();
  }

  /**
   * Fast path: writes a record header for a packet of `length` bytes and returns the offset in
   * `sink.buffer` where the caller writes all `length` packet bytes, then calls endRecord(), which keeps
   * the first min(length, snaplen) of them. No allocation.
   */
  beginRecord(seconds: number, nanos: number, length: number, originalLength = length): number {
    const at = this.sink.reserve(16 + length);
    const v = this.sink.view;
    const little = this.little;
    const captured = length < this.snaplen ? length : this.snaplen;
    v.setUint32(at, seconds, little);
    v.setUint32(at + 4, this.nanos ? nanos : Math.floor(nanos / 1000), little);
    v.setUint32(at + 8, captured, little);
    v.setUint32(at + 12, originalLength, little);
    this.pendingOffset = at;
    this.pendingLength = 16 + captured;
    return at + 16;
  }

  endRecord(): void {
    if (this.pendingOffset < 0) throw new Error('endRecord() without beginRecord()');
    this.sink.commit(this.pendingLength);
    this.pendingOffset = -1;
    this.records++;
  }

  /** Arbitrary bytes (garbage, a truncated record) appended to the file. */
  raw(bytes: Uint8Array): void {
    this.sink.write(bytes);
  }
}

/**
 * A whole classic pcap in memory. With `encapsulate`, packets are IP packets and get the default
 * link-layer header for `linkType`.
 */
export function buildPcap(packets: Iterable<CapturedPacket>, options: PcapOptions & { encapsulate?: boolean } = {}): Uint8Array {
  const sink = new MemorySink();
  const writer = new PcapWriter(sink, options);
  const linkType = options.linkType ?? LINKTYPE.ETHERNET;
  for (const p of packets) {
    const data = options.encapsulate ? encapsulate(linkType, p.data) : p.data;
    const extra = data.length - p.data.length;
    writer.writePacket(p.ts, data, { originalLength: p.originalLength === undefined ? undefined : p.originalLength + extra });
  }
  return sink.bytes();
}
