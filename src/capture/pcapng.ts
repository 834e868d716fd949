import { u16be, u16le, u32be, u32le } from './byte-order.js';
import { CaptureError } from './errors.js';
import { newFrame } from './frame.js';
import { MAX_BLOCK_LENGTH, maxCapturedLength, type CaptureStatistics, type FrameHandler, type RecordParser } from './record-parser.js';
import { MICROSECONDS, precisionDigits, resolutionFromOption, splitTimestamp, type Instant, type Resolution } from './timestamp.js';

/** Section header block type: a palindrome, so it reads the same in both byte orders. */
export const PCAPNG_SHB = 0x0a0d0d0a;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const BLOCK_IDB = 1;
const BLOCK_PB_OBSOLETE = 2;
const BLOCK_SPB = 3;
const BLOCK_ISB = 5;
const BLOCK_EPB = 6;
const BLOCK_SYSTEMD_JOURNAL = 9;
const BLOCK_CUSTOM = 0x00000bad;
const BLOCK_CUSTOM_NO_COPY = 0x40000bad;
/** Link type given to records that are not packets (see isRecordBlock). */
export const LINKTYPE_NOT_A_PACKET = -1;

const OPT_END = 0;
const OPT_IF_TSRESOL = 9;
const OPT_IF_TSOFFSET = 14;
const OPT_ISB_ENDTIME = 3;
const OPT_ISB_IFDROP = 5;
const OPT_ISB_OSDROP = 7;

interface Interface {
  linkType: number;
  precision: number;
  snapLength: number;
  resolution: Resolution;
  offsetSeconds: number;
  maxLength: number;
}

/**
 * pcapng (draft-ietf-opsawg-pcapng): a sequence of blocks, each `type, length, body, length`. Sections may
 * change byte order; each section declares its interfaces, and each interface has its own link type,
 * snap length and timestamp resolution/offset. Blocks we do not need are skipped by their length.
 */
export class PcapngParser implements RecordParser {
  readonly format = 'pcapng' as const;
  readonly linkTypes: number[] = [];
  precision = 6;
  frames = 0;
  needed = 12;

  private littleEndian = true;
  private inSection = false;
  private interfaces: Interface[] = [];
  private stopped = false;
  /** A timestamped packet has been seen (what untimestamped records borrow). */
  private timestamped = false;
  private readonly frame = newFrame();
  private readonly instant: Instant = { seconds: 0, nanos: 0 };
  /** Latest statistics per interface of every section read so far (key: section number and interface id). */
  private readonly interfaceStatistics = new Map<string, { ifDrop: number | null; osDrop: number | null }>();
  private sections = 0;
  private endTime: Instant | null = null;

  get statistics(): CaptureStatistics | null {
    if (this.interfaceStatistics.size === 0 && this.endTime === null) return null;
    let interfaceDrops: number | null = null;
    let osDrops: number | null = null;
    for (const s of this.interfaceStatistics.values()) {
      if (s.ifDrop !== null) interfaceDrops = (interfaceDrops ?? 0) + s.ifDrop;
      if (s.osDrop !== null) osDrops = (osDrops ?? 0) + s.osDrop;
    }
    return { interfaceDrops, osDrops, endTime: this.endTime === null ? null : { ...this.endTime } };
  }

  parse(b: Uint8Array, start: number, end: number, base: number, onFrame: FrameHandler): number {
    let p = start;
    const frame = this.frame;
    frame.bytes = b;
    while (!this.stopped) {
      if (end - p < 12) {
        this.needed = 12;
        return p;
      }
      const rawType = u32le(b, p);
      if (rawType === PCAPNG_SHB) {
        const bom = u32le(b, p + 8);
        if (bom === BYTE_ORDER_MAGIC) this.littleEndian = true;
        else if (bom === 0x4d3c2b1a) this.littleEndian = false;
        else throw new CaptureError(base + p + 8, `pcapng section header has an invalid byte-order magic 0x${bom.toString(16)}`);
      } else if (!this.inSection) {
        throw new CaptureError(base + p, 'pcapng data does not start with a section header block');
      }
      const le = this.littleEndian;
      const type = le ? rawType : u32be(b, p);
      const length = le ? u32le(b, p + 4) : u32be(b, p + 4);
      if (length < 12) throw new CaptureError(base + p + 4, `pcapng block length ${length} is too small (minimum 12)`);
      if (length % 4 !== 0) throw new CaptureError(base + p + 4, `pcapng block length ${length} is not a multiple of 4`);
      if (length > MAX_BLOCK_LENGTH) {
        throw new CaptureError(base + p + 4, `pcapng block length ${length} is beyond the ${MAX_BLOCK_LENGTH}-byte maximum`);
      }
      if (end - p < length) {
        this.needed = length;
        return p;
      }
      const trailer = le ? u32le(b, p + length - 4) : u32be(b, p + length - 4);
      if (trailer !== length) {
        throw new CaptureError(base + p + length - 4, `pcapng block trailer length ${trailer} does not match its header length ${length}`);
      }
      switch (type) {
        case PCAPNG_SHB:
          this.readSectionHeader(b, p, length, base);
          break;
        case BLOCK_IDB:
          this.readInterface(b, p, length, base);
          break;
        case BLOCK_EPB:
          if (length < 32) throw new CaptureError(base + p + 4, `pcapng enhanced packet block length ${length} is too small`);
          this.emitPacket(b, p, length, base, p + 8, 4, p + 12, p + 28, p + 20, p + 24, onFrame);
          break;
        case BLOCK_PB_OBSOLETE:
          if (length < 32) throw new CaptureError(base + p + 4, `pcapng packet block length ${length} is too small`);
          // Obsolete packet block: a 2-byte interface id and a 2-byte drops count before the timestamp.
          this.emitPacket(b, p, length, base, p + 8, 2, p + 12, p + 28, p + 20, p + 24, onFrame);
          break;
        case BLOCK_SPB:
          this.emitSimplePacket(b, p, length, base, onFrame);
          break;
        case BLOCK_ISB:
          this.readStatistics(b, p, length);
          break;
        default:
          // Wireshark numbers custom, journal and Sysdig event blocks as frames: count them so frame
          // numbers stay equal to tshark's. Other blocks (names, statistics, secrets) are skipped.
          if (isRecordBlock(type)) this.emitRecord(p, base, onFrame);
          break;
      }
      p += length;
    }
    this.needed = 12;
    return p;
  }

  stop(): void {
    this.stopped = true;
  }

  private readSectionHeader(b: Uint8Array, p: number, length: number, base: number): void {
    if (length < 28) throw new CaptureError(base + p + 4, `pcapng section header length ${length} is too small`);
    const major = this.littleEndian ? u16le(b, p + 12) : u16be(b, p + 12);
    if (major !== 1) throw new CaptureError(base + p + 12, `unsupported pcapng version ${major}`);
    // Interface ids are per section: a new section starts a new interface list.
    this.interfaces = [];
    this.sections++;
    this.inSection = true;
  }

  private readInterface(b: Uint8Array, p: number, length: number, base: number): void {
    if (length < 20) throw new CaptureError(base + p + 4, `pcapng interface description block length ${length} is too small`);
    const le = this.littleEndian;
    const linkType = le ? u16le(b, p + 8) : u16be(b, p + 8);
    const snapLength = le ? u32le(b, p + 12) : u32be(b, p + 12);
    let resolution = MICROSECONDS;
    let offsetSeconds = 0;
    let o = p + 16;
    const optionsEnd = p + length - 4;
    while (optionsEnd - o >= 4) {
      const code = le ? u16le(b, o) : u16be(b, o);
      const size = le ? u16le(b, o + 2) : u16be(b, o + 2);
      if (code === OPT_END) break;
      // A malformed option list ends the options, not the capture: the packets are still good.
      if (o + 4 + size > optionsEnd) break;
      if (code === OPT_IF_TSRESOL && size >= 1) resolution = resolutionFromOption(b[o + 4]);
      else if (code === OPT_IF_TSOFFSET && size >= 8) offsetSeconds = readInt64(b, o + 4, le);
      o += 4 + ((size + 3) & ~3);
    }
    this.interfaces.push({ linkType, precision: precisionDigits(resolution), snapLength, resolution, offsetSeconds, maxLength: maxCapturedLength(linkType) });
    if (!this.linkTypes.includes(linkType)) this.linkTypes.push(linkType);
    this.precision = Math.max(this.precision, precisionDigits(resolution));
  }

  /**
   * An Interface Statistics Block: counters are cumulative, so each interface's latest block counts.
   * A malformed one is ignored (statistics are advice, the packets are the capture).
   */
  private readStatistics(b: Uint8Array, p: number, length: number): void {
    if (length < 24) return;
    const le = this.littleEndian;
    const interfaceId = le ? u32le(b, p + 8) : u32be(b, p + 8);
    const iface = this.interfaces[interfaceId];
    if (iface === undefined) return;
    const entry = { ifDrop: null as number | null, osDrop: null as number | null };
    let o = p + 20;
    const optionsEnd = p + length - 4;
    while (optionsEnd - o >= 4) {
      const code = le ? u16le(b, o) : u16be(b, o);
      const size = le ? u16le(b, o + 2) : u16be(b, o + 2);
      if (code === OPT_END || o + 4 + size > optionsEnd) break;
      if (size >= 8 && code === OPT_ISB_IFDROP) entry.ifDrop = readUint64(b, o + 4, le);
      else if (size >= 8 && code === OPT_ISB_OSDROP) entry.osDrop = readUint64(b, o + 4, le);
      else if (size >= 8 && code === OPT_ISB_ENDTIME) {
        const at: Instant = { seconds: 0, nanos: 0 };
        const hi = le ? u32le(b, o + 4) : u32be(b, o + 4);
        const lo = le ? u32le(b, o + 8) : u32be(b, o + 8);
        splitTimestamp(hi, lo, iface.resolution, iface.offsetSeconds, at);
        const end = this.endTime;
        if (end === null || at.seconds > end.seconds || (at.seconds === end.seconds && at.nanos > end.nanos)) this.endTime = at;
      }
      o += 4 + ((size + 3) & ~3);
    }
    this.interfaceStatistics.set(`${this.sections}:${interfaceId}`, entry);
  }

  /** Enhanced and obsolete packet blocks differ only in the interface id field and what follows it. */
  private emitPacket(
    b: Uint8Array,
    p: number,
    length: number,
    base: number,
    idAt: number,
    idWidth: 2 | 4,
    tsAt: number,
    dataAt: number,
    capAt: number,
    origAt: number,
    onFrame: FrameHandler,
  ): void {
    const le = this.littleEndian;
    const interfaceId = idWidth === 4 ? (le ? u32le(b, idAt) : u32be(b, idAt)) : le ? u16le(b, idAt) : u16be(b, idAt);
    const iface = this.interfaces[interfaceId];
    if (iface === undefined) {
      throw new CaptureError(base + idAt, `pcapng packet refers to interface ${interfaceId}, but the section declares ${this.interfaces.length}`);
    }
    const capturedLength = le ? u32le(b, capAt) : u32be(b, capAt);
    if (capturedLength > iface.maxLength) {
      throw new CaptureError(base + capAt, `pcapng packet claims a captured length of ${capturedLength} bytes (the maximum is ${iface.maxLength})`);
    }
    if (dataAt + capturedLength > p + length - 4) {
      throw new CaptureError(base + capAt, `pcapng packet's captured length ${capturedLength} runs past the end of its ${length}-byte block`);
    }
    const hi = le ? u32le(b, tsAt) : u32be(b, tsAt);
    const lo = le ? u32le(b, tsAt + 4) : u32be(b, tsAt + 4);
    const instant = this.instant;
    splitTimestamp(hi, lo, iface.resolution, iface.offsetSeconds, instant);
    const frame = this.frame;
    frame.number = ++this.frames;
    frame.seconds = instant.seconds;
    frame.nanos = instant.nanos;
    frame.capturedLength = capturedLength;
    frame.originalLength = le ? u32le(b, origAt) : u32be(b, origAt);
    frame.interfaceId = interfaceId;
    frame.linkType = iface.linkType;
    frame.snapLength = iface.snapLength;
    frame.precision = iface.precision;
    frame.offset = dataAt;
    frame.fileOffset = base + p;
    frame.timeKnown = true;
    this.timestamped = true;
    onFrame(frame);
  }

  /** A record that is not a packet: it takes a frame number, keeps the previous time, and carries no bytes. */
  private emitRecord(p: number, base: number, onFrame: FrameHandler): void {
    const frame = this.frame;
    frame.number = ++this.frames;
    frame.capturedLength = 0;
    frame.originalLength = 0;
    frame.interfaceId = 0;
    frame.linkType = LINKTYPE_NOT_A_PACKET;
    frame.offset = p;
    frame.fileOffset = base + p;
    frame.timeKnown = false;
    onFrame(frame);
  }

  /**
   * Simple packet blocks carry no timestamp and no interface id (always interface 0). The frame keeps the
   * previous packet's time so durations stay sane; the captured length is what the block holds, capped by
   * the snap length.
   */
  private emitSimplePacket(b: Uint8Array, p: number, length: number, base: number, onFrame: FrameHandler): void {
    if (length < 16) throw new CaptureError(base + p + 4, `pcapng simple packet block length ${length} is too small`);
    const iface = this.interfaces[0];
    if (iface === undefined) throw new CaptureError(base + p, 'pcapng simple packet block before any interface description');
    const le = this.littleEndian;
    const originalLength = le ? u32le(b, p + 8) : u32be(b, p + 8);
    let capturedLength = Math.min(originalLength, length - 16);
    if (iface.snapLength > 0) capturedLength = Math.min(capturedLength, iface.snapLength);
    const frame = this.frame;
    frame.number = ++this.frames;
    frame.capturedLength = capturedLength;
    frame.originalLength = originalLength;
    frame.interfaceId = 0;
    frame.linkType = iface.linkType;
    frame.snapLength = iface.snapLength;
    frame.precision = iface.precision;
    frame.offset = p + 12;
    frame.fileOffset = base + p;
    // Without a timestamp of its own, a simple packet borrows the previous packet's (if there was one).
    frame.timeKnown = this.timestamped;
    onFrame(frame);
  }
}

function isRecordBlock(type: number): boolean {
  switch (type) {
    case BLOCK_CUSTOM:
    case BLOCK_CUSTOM_NO_COPY:
    case BLOCK_SYSTEMD_JOURNAL:
    case 0x204:
    case 0x208:
    case 0x216:
    case 0x217:
    case 0x221:
    case 0x222:
      return true;
    default:
      return false;
  }
}

function readInt64(b: Uint8Array, p: number, le: boolean): number {
  const lo = le ? u32le(b, p) : u32be(b, p + 4);
  const hi = le ? u32le(b, p + 4) : u32be(b, p);
  return (hi | 0) * 4294967296 + lo;
}

/** An unsigned 64-bit counter as a number (exact up to 2^53, far beyond any drop count). */
function readUint64(b: Uint8Array, p: number, le: boolean): number {
  const first = le ? u32le(b, p) : u32be(b, p);
  const second = le ? u32le(b, p + 4) : u32be(b, p + 4);
  return le ? second * 2 ** 32 + first : first * 2 ** 32 + second;
}
