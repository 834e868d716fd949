/**
 * The decoding stage's output: one TCP segment, a reused record filled in place for every frame that
 * carries TCP. Everything the later stages need is copied out of the packet bytes into plain numbers, so
 * nothing downstream touches the packet buffer.
 */
export interface TcpSegment {
  /**
   * What this observation is. Normal segments are tracked; tshark also numbers streams for TCP headers
   * quoted in ICMP errors and for headers too broken to track, so those reach the flow stage as well.
   */
  kind: SegmentKind;
  /** Frame this segment came from. */
  frame: number;
  seconds: number;
  nanos: number;

  /** 4 or 6. */
  ipVersion: number;
  /**
   * Addresses as four 32-bit words, most significant first. IPv4 uses only word 3 (a0..a2 = 0), so keys
   * built from the words never collide between families once ipVersion is part of the key.
   *
   * Addresses, seq and ack are kept as the signed int32 bit pattern of the wire value: V8 stores int32
   * numbers unboxed in object fields, while u32 values above 2^31 would each need a heap box in every
   * connection's state. Sequence arithmetic is modulo 2^32 either way; use `>>> 0` to display them.
   */
  src0: number;
  src1: number;
  src2: number;
  src3: number;
  dst0: number;
  dst1: number;
  dst2: number;
  dst3: number;
  srcPort: number;
  dstPort: number;

  /** Sequence and acknowledgment numbers (int32 bit patterns, see above). */
  seq: number;
  ack: number;
  /** The 12 flag bits of the TCP header (FIN 0x001 ... NS 0x100, reserved bits above). */
  flags: number;
  /** TCP header length in bytes (data offset * 4). */
  headerLength: number;
  /** Raw (unscaled) window field; -1 when the snap length cut the header before it. */
  window: number;
  /** Payload length derived from the IP length fields, not the captured length (survives `-s 96`). */
  payloadLength: number;
  /** Payload bytes actually present in the capture (<= payloadLength). */
  capturedPayloadLength: number;
  /** Bytes of TCP options (headerLength - 20). */
  optionsLength: number;
  /** IPv4 TTL or IPv6 hop limit. */
  ttl: number;
  /** IPv4 identification, or -1 for IPv6. */
  ipId: number;
  /** TCP timestamp option (RFC 7323), when present. */
  hasTimestamp: boolean;
  tsVal: number;
  tsEcr: number;
  /** Window scale shift from a SYN's window-scale option (RFC 7323), or -1. */
  windowScale: number;
  /** Outermost 802.1Q/802.1ad VLAN id, or -1 (reported only; streams ignore VLANs as tshark does). */
  vlan: number;
  /**
   * The snap length cut the TCP header short of its options (at least its first 14 bytes, with ports,
   * seq, ack, data offset and flags, were captured): the options, and below 16 bytes the window, are
   * unknown.
   */
  headerCut: boolean;
  /** The header came from an IP datagram whose fragments were not reassembled: no base sequence from it. */
  unreassembled: boolean;
  /** Quoted segments: the ICMP type and code, and the address of the host that sent the error. */
  icmpType: number;
  icmpCode: number;
  icmpFrom: string;
}

export const enum SegmentKind {
  /** A TCP segment: tracked. */
  Normal = 0,
  /** A TCP header quoted in an ICMP/ICMPv6 error: numbered as tshark does, recorded as an error, not a segment. */
  Quoted = 1,
  /** A header with a bogus data offset or longer than its segment: numbered, not tracked. */
  HeaderOnly = 2,
}

export const FIN = 0x001;
export const SYN = 0x002;
export const RST = 0x004;
export const PSH = 0x008;
export const ACK = 0x010;
export const URG = 0x020;
export const ECE = 0x040;
export const CWR = 0x080;
export const NS = 0x100;

export function newSegment(): TcpSegment {
  return {
    kind: SegmentKind.Normal,
    frame: 0,
    seconds: 0,
    nanos: 0,
    ipVersion: 0,
    src0: 0,
    src1: 0,
    src2: 0,
    src3: 0,
    dst0: 0,
    dst1: 0,
    dst2: 0,
    dst3: 0,
    srcPort: 0,
    dstPort: 0,
    seq: 0,
    ack: 0,
    flags: 0,
    headerLength: 0,
    window: 0,
    payloadLength: 0,
    capturedPayloadLength: 0,
    optionsLength: 0,
    ttl: 0,
    ipId: -1,
    hasTimestamp: false,
    tsVal: 0,
    tsEcr: 0,
    windowScale: -1,
    vlan: -1,
    headerCut: false,
    unreassembled: false,
    icmpType: 0,
    icmpCode: 0,
    icmpFrom: '',
  };
}

/** Copies every field (fragments keep a first fragment's header until the datagram completes). */
export function copySegment(from: TcpSegment, to: TcpSegment): void {
  Object.assign(to, from);
}
