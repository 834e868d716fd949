import { u16be, u16le, u32be, u32le } from './byte-order.js';
import { CaptureError } from './errors.js';
import { newFrame } from './frame.js';
import { maxCapturedLength, type FrameHandler, type RecordParser } from './record-parser.js';

const GLOBAL_HEADER = 24;
const RECORD_HEADER = 16;

/** Classic pcap magic numbers as read little-endian. */
export const PCAP_MAGIC_US_LE = 0xa1b2c3d4;
export const PCAP_MAGIC_US_BE = 0xd4c3b2a1;
export const PCAP_MAGIC_NS_LE = 0xa1b23c4d;
export const PCAP_MAGIC_NS_BE = 0x4d3cb2a1;
/** Alexey Kuznetzov's modified pcap (tcpdump patches of the 2000s): 8 more bytes per record header. */
export const PCAP_MAGIC_KUZNETZOV_LE = 0xa1b2cd34;
export const PCAP_MAGIC_KUZNETZOV_BE = 0x34cdb2a1;

export function isPcapMagic(magicLE: number): boolean {
  switch (magicLE) {
    case PCAP_MAGIC_US_LE:
    case PCAP_MAGIC_US_BE:
    case PCAP_MAGIC_NS_LE:
    case PCAP_MAGIC_NS_BE:
    case PCAP_MAGIC_KUZNETZOV_LE:
    case PCAP_MAGIC_KUZNETZOV_BE:
      return true;
    default:
      return false;
  }
}

/**
 * Classic libpcap format: a 24-byte global header then records of a 16-byte header and the packet bytes.
 * Byte order and timestamp unit come from the magic number.
 */
export class PcapParser implements RecordParser {
  /** Classic pcap has no statistics records. */
  readonly statistics = null;
  readonly format = 'pcap' as const;
  readonly linkTypes: number[] = [];
  precision = 6;
  frames = 0;
  needed = GLOBAL_HEADER;

  private headerRead = false;
  private littleEndian = true;
  private nanoUnits = false;
  private recordHeader = RECORD_HEADER;
  private linkType = 0;
  private maxLength = 262144;
  private stopped = false;
  private readonly frame = newFrame();

  parse(b: Uint8Array, start: number, end: number, base: number, onFrame: FrameHandler): number {
    let p = start;
    if (!this.headerRead) {
      if (end - p < GLOBAL_HEADER) {
        this.needed = GLOBAL_HEADER;
        return p;
      }
      this.readGlobalHeader(b, p, base);
      p += GLOBAL_HEADER;
    }
    const frame = this.frame;
    frame.bytes = b;
    const le = this.littleEndian;
    const headerLength = this.recordHeader;
    const maxLength = this.maxLength;
    const fractionScale = this.nanoUnits ? 1 : 1000;
    while (!this.stopped) {
      if (end - p < headerLength) {
        this.needed = headerLength;
        return p;
      }
      const seconds = le ? u32le(b, p) : u32be(b, p);
      const fraction = le ? u32le(b, p + 4) : u32be(b, p + 4);
      const capturedLength = le ? u32le(b, p + 8) : u32be(b, p + 8);
      const originalLength = le ? u32le(b, p + 12) : u32be(b, p + 12);
      if (capturedLength > maxLength) {
        throw new CaptureError(
          base + p,
          `pcap record ${this.frames + 1} claims a captured length of ${capturedLength} bytes (the maximum is ${maxLength})`,
        );
      }
      const total = headerLength + capturedLength;
      if (end - p < total) {
        this.needed = total;
        return p;
      }
      let nanos = fraction * fractionScale;
      let secs = seconds;
      if (nanos >= 1e9) {
        // Out-of-range fractions happen in the wild; carry them rather than print a bogus time.
        secs += Math.floor(nanos / 1e9);
        nanos %= 1e9;
      }
      frame.number = ++this.frames;
      frame.seconds = secs;
      frame.nanos = nanos;
      frame.capturedLength = capturedLength;
      frame.originalLength = originalLength;
      frame.offset = p + headerLength;
      frame.fileOffset = base + p;
      p += total;
      onFrame(frame);
    }
    this.needed = headerLength;
    return p;
  }

  stop(): void {
    this.stopped = true;
  }

  private readGlobalHeader(b: Uint8Array, p: number, base: number): void {
    const magic = u32le(b, p);
    switch (magic) {
      case PCAP_MAGIC_US_LE:
      case PCAP_MAGIC_NS_LE:
      case PCAP_MAGIC_KUZNETZOV_LE:
        this.littleEndian = true;
        break;
      case PCAP_MAGIC_US_BE:
      case PCAP_MAGIC_NS_BE:
      case PCAP_MAGIC_KUZNETZOV_BE:
        this.littleEndian = false;
        break;
      default:
        throw new CaptureError(base + p, `not a pcap file (magic 0x${magic.toString(16).padStart(8, '0')})`);
    }
    this.nanoUnits = magic === PCAP_MAGIC_NS_LE || magic === PCAP_MAGIC_NS_BE;
    if (magic === PCAP_MAGIC_KUZNETZOV_LE || magic === PCAP_MAGIC_KUZNETZOV_BE) this.recordHeader = RECORD_HEADER + 8;
    this.precision = this.nanoUnits ? 9 : 6;
    const le = this.littleEndian;
    const major = le ? u16le(b, p + 4) : u16be(b, p + 4);
    if (major !== 2) throw new CaptureError(base + p + 4, `unsupported pcap version ${major}`);
    // The link-type field's upper bits carry FCS information (pcap spec: LinkType and additional info).
    const field = le ? u32le(b, p + 20) : u32be(b, p + 20);
    this.linkType = field & 0x0fffffff & 0xffff;
    this.maxLength = maxCapturedLength(this.linkType);
    this.linkTypes.push(this.linkType);
    this.frame.linkType = this.linkType;
    this.frame.snapLength = le ? u32le(b, p + 16) : u32be(b, p + 16);
    this.frame.interfaceId = 0;
    this.frame.precision = this.precision;
    this.headerRead = true;
  }
}
