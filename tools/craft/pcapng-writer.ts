/**
 * pcapng files: sections in either byte order, each with its own interfaces (link type, snaplen,
 * if_tsresol in powers of 10 or 2, if_tsoffset), enhanced/simple/obsolete packet blocks, and the blocks a
 * reader must skip (name resolution, interface statistics, custom, anything). Timestamps are converted to
 * each interface's units, so the same instant can be checked across resolutions.
 */
import { isLittle, type ByteOrder } from './byte-order.js';
import { MemorySink, type ByteSink } from './byte-sink.js';
import { toAddress } from './address.js';
import { NANOS_PER_SECOND, toNanos, type Timestamp } from './timestamp.js';

export const PCAPNG_BLOCK = {
  SECTION_HEADER: 0x0a0d0d0a,
  INTERFACE_DESCRIPTION: 0x00000001,
  OBSOLETE_PACKET: 0x00000002,
  SIMPLE_PACKET: 0x00000003,
  NAME_RESOLUTION: 0x00000004,
  INTERFACE_STATISTICS: 0x00000005,
  ENHANCED_PACKET: 0x00000006,
  DECRYPTION_SECRETS: 0x0000000a,
  CUSTOM_COPYABLE: 0x00000bad,
  CUSTOM_NOT_COPYABLE: 0x40000bad,
} as const;

export const PCAPNG_OPTION = {
  END: 0,
  COMMENT: 1,
  IF_NAME: 2,
  IF_DESCRIPTION: 3,
  IF_TSRESOL: 9,
  IF_FCSLEN: 13,
  IF_TSOFFSET: 14,
  EPB_FLAGS: 2,
  ISB_STARTTIME: 2,
  ISB_ENDTIME: 3,
  ISB_IFRECV: 4,
  ISB_IFDROP: 5,
} as const;

/**
 * One option. The value is bytes, a UTF-8 string, a number (written as 32 bits) or a bigint (64 bits),
 * numbers in the section's byte order.
 */
export interface PcapngOption {
  code: number;
  value: Uint8Array | string | number | bigint;
}

export interface SectionOptions {
  /** Default 'little'. */
  byteOrder?: ByteOrder;
  majorVersion?: number;
  minorVersion?: number;
  /** Default -1 (unknown), which every writer uses when streaming. */
  sectionLength?: bigint;
  comment?: string;
  options?: PcapngOption[];
}

export interface InterfaceOptions {
  linkType: number;
  /** 0 means no limit; default 0. */
  snaplen?: number;
  /**
   * Raw if_tsresol byte: 0..127 means 10^-n s, with the top bit 2^-n s (0x89 is 2^-9). Default 6
   * (microseconds, what readers assume when the option is absent, so it is then not written).
   */
  tsresol?: number;
  /** if_tsoffset: seconds added to every timestamp of the interface. */
  tsoffset?: number | bigint;
  name?: string;
  /** Written as the if_tsresol option even when it is 6. */
  writeTsresol?: boolean;
  options?: PcapngOption[];
}

export interface EnhancedPacket {
  interfaceId?: number;
  ts: Timestamp;
  data: Uint8Array;
  originalLength?: number;
  /** Timestamp in interface units, written instead of the one converted from `ts`. */
  rawTimestamp?: bigint;
  options?: PcapngOption[];
}

export interface ObsoletePacket extends EnhancedPacket {
  /** The drops-count field of the obsolete block; default 0. */
  drops?: number;
}

interface InterfaceState {
  snaplen: number;
  tsresol: number;
  tsoffset: bigint;
}

/** Converts an instant to a count of interface units since (epoch + tsoffset), rounding down. */
export function timestampUnits(ns: bigint, tsresol: number, tsoffset: bigint): bigint {
  const rel = ns - tsoffset * NANOS_PER_SECOND;
  const exp = BigInt(tsresol & 0x7f);
  const scaled = tsresol & 0x80 ? rel << exp : rel * 10n ** exp;
  const q = scaled / NANOS_PER_SECOND;
  return scaled < 0n && q * NANOS_PER_SECOND !== scaled ? q - 1n : q;
}

const pad4 = (n: number): number => (n + 3) & ~3;

export class PcapngWriter {
  private little = true;
  private interfaces: InterfaceState[] = [];
  private records = 0;

  constructor(
    readonly sink: ByteSink,
    firstSection: SectionOptions = {},
  ) {
    this.section(firstSection);
  }

  /** Packet blocks written so far (all sections). */
  get packets(): number {
    return this.records;
  }

  private optionValue(value: PcapngOption['value']): Uint8Array {
    if (value instanceof Uint8Array) return value;
    if (typeof value === 'string') return new TextEncoder().encode(value);
    const out = new Uint8Array(typeof value === 'number' ? 4 : 8);
    const view = new DataView(out.buffer);
    if (typeof value === 'number') view.setUint32(0, value, this.little);
    else view.setBigUint64(0, BigInt.asUintN(64, value), this.little);
    return out;
  }

  /** Options area bytes including opt_endofopt; empty when there are no options. */
  encodeOptions(options: PcapngOption[]): Uint8Array {
    if (options.length === 0) return new Uint8Array(0);
    const values = options.map((o) => this.optionValue(o.value));
    const out = new Uint8Array(values.reduce((n, v) => n + 4 + pad4(v.length), 4));
    const view = new DataView(out.buffer);
    let at = 0;
    options.forEach((o, i) => {
      view.setUint16(at, o.code, this.little);
      view.setUint16(at + 2, values[i].length, this.little);
      out.set(values[i], at + 4);
      at += 4 + pad4(values[i].length);
    });
    return out; // the last 4 zero bytes are opt_endofopt
  }

  /**
   * Writes a block: type, total length, `fixed` bytes (padded), `data` (padded), options, total length.
   * `fixed` is built by the callback so numbers land in the section's byte order.
   */
  private writeBlock(type: number, fixed: Uint8Array, data: Uint8Array | undefined, options: PcapngOption[]): void {
    const opts = this.encodeOptions(options);
    const dataLength = data ? pad4(data.length) : 0;
    const total = 12 + pad4(fixed.length) + dataLength + opts.length;
    const at = this.sink.reserve(total);
    const buf = this.sink.buffer;
    const v = this.sink.view;
    buf.fill(0, at, at + total);
    v.setUint32(at, type, this.little);
    v.setUint32(at + 4, total, this.little);
    buf.set(fixed, at + 8);
    let p = at + 8 + pad4(fixed.length);
    if (data) buf.set(data, p);
    p += dataLength;
    buf.set(opts, p);
    v.setUint32(at + total - 4, total, this.little);
    this.sink.commit(total);
  }

  private fields(length: number, fill: (view: DataView, little: boolean) => void): Uint8Array {
    const out = new Uint8Array(length);
    fill(new DataView(out.buffer), this.little);
    return out;
  }

  /** Starts a new section (the constructor starts the first); interface ids restart at 0. */
  section(options: SectionOptions = {}): void {
    this.little = isLittle(options.byteOrder ?? 'little');
    this.interfaces = [];
    const opts = [...(options.comment ? [{ code: PCAPNG_OPTION.COMMENT, value: options.comment }] : []), ...(options.options ?? [])];
    const fixed = this.fields(16, (v, le) => {
      v.setUint32(0, 0x1a2b3c4d, le);
      v.setUint16(4, options.majorVersion ?? 1, le);
      v.setUint16(6, options.minorVersion ?? 0, le);
      v.setBigInt64(8, options.sectionLength ?? -1n, le);
    });
    this.writeBlock(PCAPNG_BLOCK.SECTION_HEADER, fixed, undefined, opts);
  }

  /** Adds an interface to the current section and returns its id. */
  addInterface(options: InterfaceOptions): number {
    const tsresol = options.tsresol ?? 6;
    const tsoffset = BigInt(options.tsoffset ?? 0);
    const opts: PcapngOption[] = [];
    if (options.name !== undefined) opts.push({ code: PCAPNG_OPTION.IF_NAME, value: options.name });
    if (tsresol !== 6 || options.writeTsresol) opts.push({ code: PCAPNG_OPTION.IF_TSRESOL, value: Uint8Array.of(tsresol) });
    if (tsoffset !== 0n) opts.push({ code: PCAPNG_OPTION.IF_TSOFFSET, value: tsoffset });
    opts.push(...(options.options ?? []));
    const snaplen = options.snaplen ?? 0;
    const fixed = this.fields(8, (v, le) => {
      v.setUint16(0, options.linkType, le);
      v.setUint32(4, snaplen, le);
    });
    this.writeBlock(PCAPNG_BLOCK.INTERFACE_DESCRIPTION, fixed, undefined, opts);
    this.interfaces.push({ snaplen, tsresol, tsoffset });
    return this.interfaces.length - 1;
  }

  private iface(id: number): InterfaceState {
    const state = this.interfaces[id];
    if (!state) throw new Error(`interface ${id} is not defined in this section`);
    return state;
  }

  private captured(data: Uint8Array, snaplen: number): Uint8Array {
    return snaplen > 0 && data.length > snaplen ? data.subarray(0, snaplen) : data;
  }

  private units(p: EnhancedPacket, state: InterfaceState): bigint {
    return p.rawTimestamp ?? timestampUnits(toNanos(p.ts), state.tsresol, state.tsoffset);
  }

  enhancedPacket(p: EnhancedPacket): void {
    const id = p.interfaceId ?? 0;
    const state = this.iface(id);
    const data = this.captured(p.data, state.snaplen);
    const units = this.units(p, state);
    const fixed = this.fields(20, (v, le) => {
      v.setUint32(0, id, le);
      v.setUint32(4, Number(BigInt.asUintN(64, units) >> 32n), le);
      v.setUint32(8, Number(BigInt.asUintN(32, units)), le);
      v.setUint32(12, data.length, le);
      v.setUint32(16, p.originalLength ?? p.data.length, le);
    });
    this.writeBlock(PCAPNG_BLOCK.ENHANCED_PACKET, fixed, data, p.options ?? []);
    this.records++;
  }

  /** Simple packet block: no timestamp, interface 0, captured length implied by the block length. */
  simplePacket(p: { data: Uint8Array; originalLength?: number }): void {
    const data = this.captured(p.data, this.iface(0).snaplen);
    const fixed = this.fields(4, (v, le) => v.setUint32(0, p.originalLength ?? p.data.length, le));
    this.writeBlock(PCAPNG_BLOCK.SIMPLE_PACKET, fixed, data, []);
    this.records++;
  }

  /** Obsolete packet block (type 2), as written by old tools: 16-bit interface id and drops count. */
  obsoletePacket(p: ObsoletePacket): void {
    const id = p.interfaceId ?? 0;
    const state = this.iface(id);
    const data = this.captured(p.data, state.snaplen);
    const units = this.units(p, state);
    const fixed = this.fields(20, (v, le) => {
      v.setUint16(0, id, le);
      v.setUint16(2, p.drops ?? 0, le);
      v.setUint32(4, Number(BigInt.asUintN(64, units) >> 32n), le);
      v.setUint32(8, Number(BigInt.asUintN(32, units)), le);
      v.setUint32(12, data.length, le);
      v.setUint32(16, p.originalLength ?? p.data.length, le);
    });
    this.writeBlock(PCAPNG_BLOCK.OBSOLETE_PACKET, fixed, data, p.options ?? []);
    this.records++;
  }

  /** Name resolution block: IPv4/IPv6 addresses with their names. */
  nameResolution(entries: Array<{ address: string; names: string[] }>, options: PcapngOption[] = []): void {
    const records: Uint8Array[] = entries.map((e) => {
      const addr = toAddress(e.address);
      const names = new TextEncoder().encode(e.names.map((n) => `${n}\0`).join(''));
      return this.fields(4 + pad4(addr.bytes.length + names.length), (v, le) => {
        v.setUint16(0, addr.version === 4 ? 1 : 2, le);
        v.setUint16(2, addr.bytes.length + names.length, le);
        new Uint8Array(v.buffer).set(addr.bytes, 4);
        new Uint8Array(v.buffer).set(names, 4 + addr.bytes.length);
      });
    });
    records.push(new Uint8Array(4)); // nrb_record_end
    const body = new Uint8Array(records.reduce((n, r) => n + r.length, 0));
    let at = 0;
    for (const r of records) {
      body.set(r, at);
      at += r.length;
    }
    this.writeBlock(PCAPNG_BLOCK.NAME_RESOLUTION, body, undefined, options);
  }

  /** Interface statistics block; counters become isb_ifrecv / isb_ifdrop options. */
  interfaceStatistics(s: { interfaceId?: number; ts: Timestamp; received?: bigint; dropped?: bigint; options?: PcapngOption[] }): void {
    const id = s.interfaceId ?? 0;
    const units = timestampUnits(toNanos(s.ts), this.iface(id).tsresol, this.iface(id).tsoffset);
    const fixed = this.fields(12, (v, le) => {
      v.setUint32(0, id, le);
      v.setUint32(4, Number(BigInt.asUintN(64, units) >> 32n), le);
      v.setUint32(8, Number(BigInt.asUintN(32, units)), le);
    });
    const opts: PcapngOption[] = [];
    if (s.received !== undefined) opts.push({ code: PCAPNG_OPTION.ISB_IFRECV, value: s.received });
    if (s.dropped !== undefined) opts.push({ code: PCAPNG_OPTION.ISB_IFDROP, value: s.dropped });
    this.writeBlock(PCAPNG_BLOCK.INTERFACE_STATISTICS, fixed, undefined, [...opts, ...(s.options ?? [])]);
  }

  /** Custom block (0x00000BAD, or 0x40000BAD when not copyable) with a Private Enterprise Number. */
  customBlock(c: { pen: number; data: Uint8Array; copyable?: boolean }): void {
    const fixed = this.fields(4, (v, le) => v.setUint32(0, c.pen, le));
    const type = c.copyable === false ? PCAPNG_BLOCK.CUSTOM_NOT_COPYABLE : PCAPNG_BLOCK.CUSTOM_COPYABLE;
    this.writeBlock(type, fixed, c.data, []);
  }

  /** Any block type with an opaque body (padded to 4 bytes) and options. */
  block(type: number, body: Uint8Array, options: PcapngOption[] = []): void {
    this.writeBlock(type, new Uint8Array(0), body, options);
  }

  /** Arbitrary bytes (a truncated or corrupt block). */
  raw(bytes: Uint8Array): void {
    this.sink.write(bytes);
  }
}

/** A whole pcapng file in memory: `build` adds interfaces, packets and blocks to the first section. */
export function buildPcapng(build: (writer: PcapngWriter) => void, firstSection: SectionOptions = {}): Uint8Array {
  const sink = new MemorySink();
  build(new PcapngWriter(sink, firstSection));
  return sink.bytes();
}
