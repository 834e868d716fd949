/**
 * An independent walker over classic pcap and pcapng bytes (not the code under test): where every record
 * starts and ends, which records take a frame number, and where the length fields of the capture, IP and
 * TCP headers are, so mutation tests know what they broke and what must survive.
 */
export interface LengthField {
  at: number;
  /** Width in bytes; 0.5 means the high nibble of the byte (TCP data offset). */
  size: 4 | 2 | 0.5;
  littleEndian: boolean;
  name: string;
}

export interface RecordLayout {
  start: number;
  end: number;
  /** Takes a frame number (a packet, custom or journal record). */
  frame: boolean;
}

export interface CaptureLayout {
  format: 'pcap' | 'pcapng';
  /** Offsets where a cut leaves a complete file (after the file header / after each block). */
  boundaries: Set<number>;
  records: RecordLayout[];
  fields: LengthField[];
}

const FRAME_BLOCKS = new Set([2, 3, 6, 9, 0xbad, 0x40000bad, 0x204, 0x208, 0x216, 0x217, 0x221, 0x222]);

function u32(b: Uint8Array, at: number, le: boolean): number {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(at, le);
}
function u16(b: Uint8Array, at: number, le: boolean): number {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getUint16(at, le);
}

/** IP and TCP length fields of a packet at `at` (link layer `linkType`), when it is IPv4/IPv6 TCP. */
function packetFields(b: Uint8Array, at: number, length: number, linkType: number, out: LengthField[]): void {
  let ip = -1;
  if (linkType === 1 && length >= 14) {
    let type = u16(b, at + 12, false);
    let p = at + 14;
    while ((type === 0x8100 || type === 0x88a8) && p + 4 <= at + length) {
      type = u16(b, p + 2, false);
      p += 4;
    }
    if (type === 0x0800 || type === 0x86dd) ip = p;
  } else if (linkType === 276) ip = at + 20;
  else if (linkType === 113) ip = at + 16;
  else if (linkType === 101 || linkType === 228 || linkType === 229) ip = at;
  else if (linkType === 0 || linkType === 108) ip = at + 4;
  const end = at + length;
  if (ip < 0 || ip + 40 > end) return;
  const version = b[ip] >> 4;
  if (version === 4) {
    out.push({ at: ip + 2, size: 2, littleEndian: false, name: 'ipv4.total_length' });
    const tcp = ip + (b[ip] & 0x0f) * 4;
    if (b[ip + 9] === 6 && tcp + 13 <= end) out.push({ at: tcp + 12, size: 0.5, littleEndian: false, name: 'tcp.data_offset' });
  } else if (version === 6) {
    out.push({ at: ip + 4, size: 2, littleEndian: false, name: 'ipv6.payload_length' });
    if (b[ip + 6] === 6 && ip + 53 <= end) out.push({ at: ip + 52, size: 0.5, littleEndian: false, name: 'tcp.data_offset' });
  }
}

export function captureLayout(b: Uint8Array): CaptureLayout {
  const records: RecordLayout[] = [];
  const fields: LengthField[] = [];
  const boundaries = new Set<number>();
  const magic = u32(b, 0, true);
  if (magic === 0x0a0d0d0a) {
    let le = true;
    let linkTypes: number[] = [];
    for (let p = 0; p + 12 <= b.length; ) {
      const type0 = u32(b, p, true);
      if (type0 === 0x0a0d0d0a) {
        le = u32(b, p + 8, true) === 0x1a2b3c4d;
        linkTypes = [];
      }
      const type = u32(b, p, le);
      const length = u32(b, p + 4, le);
      if (length < 12 || p + length > b.length) throw new Error(`not a clean pcapng at ${p}`);
      fields.push({ at: p + 4, size: 4, littleEndian: le, name: 'block.length' }, { at: p + length - 4, size: 4, littleEndian: le, name: 'block.trailer' });
      if (type === 1) linkTypes.push(u16(b, p + 8, le));
      if (type === 6 || type === 2) {
        fields.push({ at: p + 20, size: 4, littleEndian: le, name: 'epb.captured_length' }, { at: p + 24, size: 4, littleEndian: le, name: 'epb.original_length' });
        const id = type === 6 ? u32(b, p + 8, le) : u16(b, p + 8, le);
        packetFields(b, p + 28, u32(b, p + 20, le), linkTypes[id] ?? -1, fields);
      }
      records.push({ start: p, end: p + length, frame: FRAME_BLOCKS.has(type) });
      p += length;
      boundaries.add(p);
    }
    return { format: 'pcapng', boundaries, records, fields };
  }
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  if (!le && magic !== 0xd4c3b2a1 && magic !== 0x4d3cb2a1) throw new Error('not a pcap or pcapng');
  const linkType = u32(b, 20, le) & 0xffff;
  boundaries.add(24);
  for (let p = 24; p + 16 <= b.length; ) {
    const caplen = u32(b, p + 8, le);
    fields.push({ at: p + 8, size: 4, littleEndian: le, name: 'pcap.caplen' }, { at: p + 12, size: 4, littleEndian: le, name: 'pcap.origlen' });
    packetFields(b, p + 16, caplen, linkType, fields);
    records.push({ start: p, end: p + 16 + caplen, frame: true });
    p += 16 + caplen;
    boundaries.add(p);
  }
  return { format: 'pcap', boundaries, records, fields };
}

/** Frame records that end at or before `offset` (untouched by a change starting there). */
export function framesBefore(layout: CaptureLayout, offset: number): number {
  return layout.records.filter((r) => r.frame && r.end <= offset).length;
}

/** Start of the record (block) a cut at `offset` falls into: where a reader must say the data ends. */
export function recordStartAt(layout: CaptureLayout, offset: number): number {
  const r = layout.records.find((x) => x.start <= offset && offset < x.end);
  return r === undefined || (layout.format === 'pcap' && offset < 24) ? 0 : r.start;
}
