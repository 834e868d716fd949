/**
 * The one-call way to craft a TCP packet: endpoints as text, flags as letters, payload as a length,
 * options by name; returns the whole IP packet (v4 or v6, from the address form) with correct checksums.
 * Every field can be overridden, including checksums and lengths, to build broken packets.
 */
import { toEndpoint, type Endpoint } from './address.js';
import { ipv4 } from './ipv4.js';
import { ipv6, ipv6FinalDestination, type Ipv6Extension } from './ipv6.js';
import { IPPROTO } from './link-types.js';
import { parseTcpFlags, setTcpChecksum, tcpSegment, TCP_FLAG, type TcpOption } from './tcp-segment.js';

/** A number is that many filler bytes ('ABC...Z' repeating, readable in hex dumps); a string is UTF-8. */
export type Payload = number | string | Uint8Array;

export function payloadBytes(payload: Payload | undefined): Uint8Array {
  if (payload === undefined) return new Uint8Array(0);
  if (typeof payload === 'string') return new TextEncoder().encode(payload);
  if (typeof payload === 'number') {
    const out = new Uint8Array(payload);
    for (let i = 0; i < payload; i++) out[i] = 0x41 + (i % 26);
    return out;
  }
  return payload;
}

export interface TcpOptionChoices {
  /** Only placed on SYNs. */
  mss?: number;
  /** Only placed on SYNs. */
  windowScale?: number;
  /** Only placed on SYNs. */
  sackPermitted?: boolean;
  /** SACK blocks [left, right). */
  sack?: Array<[number, number]>;
  /** [TSval, TSecr]; null or absent for none. */
  ts?: [number, number] | null;
}

/**
 * Options laid out the way Linux sends them, so crafted packets look like real ones: SYN
 * `MSS, SACK_PERM, TS, NOP, WS` (20 bytes), data `NOP, NOP, TS`, then `NOP, NOP, SACK`.
 */
export function standardTcpOptions(syn: boolean, o: TcpOptionChoices): TcpOption[] {
  const out: TcpOption[] = [];
  const nop: TcpOption = { kind: 'nop' };
  if (syn && o.mss !== undefined) out.push({ kind: 'mss', value: o.mss });
  const sackPerm = syn && o.sackPermitted === true;
  const ts: TcpOption | undefined = o.ts ? { kind: 'timestamps', value: o.ts[0], echo: o.ts[1] } : undefined;
  if (sackPerm && ts) out.push({ kind: 'sackPermitted' }, ts);
  else if (ts) out.push(nop, nop, ts);
  else if (sackPerm) out.push(nop, nop, { kind: 'sackPermitted' });
  if (syn && o.windowScale !== undefined) out.push(nop, { kind: 'windowScale', shift: o.windowScale });
  if (o.sack && o.sack.length > 0) out.push(nop, nop, { kind: 'sack', blocks: o.sack });
  return out;
}

export interface TcpPacketSpec extends TcpOptionChoices {
  /** 'a.b.c.d:port' or '[v6]:port'; both ends must be the same family. */
  src: string | Endpoint;
  dst: string | Endpoint;
  seq?: number;
  ack?: number;
  /** Letters ('S', 'SA', 'A', 'PA', 'FA', 'R', 'RA' ...) or bits; default 'A'. */
  flags?: string | number;
  /** Raw window field; default 65535. */
  window?: number;
  urgent?: number;
  payload?: Payload;
  /** Replaces the options made from mss/windowScale/sackPermitted/sack/ts. */
  options?: TcpOption[] | Uint8Array;
  /** Data offset (words) written instead of the true one. */
  dataOffset?: number;
  /** Checksum written instead of the correct one. */
  tcpChecksum?: number;

  /** IPv4 TTL or IPv6 hop limit; default 64. */
  ttl?: number;
  /** IPv4 only. */
  ipId?: number;
  df?: boolean;
  mf?: boolean;
  fragmentOffset?: number;
  tos?: number;
  ipOptions?: Uint8Array;
  ipChecksum?: number;
  totalLength?: number;
  /** IPv6 only. */
  trafficClass?: number;
  flowLabel?: number;
  extensions?: Ipv6Extension[];
}

/** Crafts an IPv4 or IPv6 packet carrying one TCP segment. */
export function tcp(spec: TcpPacketSpec): Uint8Array {
  const src = toEndpoint(spec.src);
  const dst = toEndpoint(spec.dst);
  if (src.address.version !== dst.address.version) throw new Error('source and destination families differ');
  const flags = parseTcpFlags(spec.flags ?? 'A');
  const segment = tcpSegment({
    srcPort: src.port,
    dstPort: dst.port,
    seq: spec.seq,
    ack: spec.ack,
    flags,
    window: spec.window,
    urgent: spec.urgent,
    options: spec.options ?? standardTcpOptions((flags & TCP_FLAG.SYN) !== 0, spec),
    payload: payloadBytes(spec.payload),
    dataOffset: spec.dataOffset,
  });
  if (src.address.version === 4) {
    setTcpChecksum(segment, src.address.bytes, dst.address.bytes, spec.tcpChecksum);
    return ipv4({
      src: src.address,
      dst: dst.address,
      protocol: IPPROTO.TCP,
      payload: segment,
      ttl: spec.ttl,
      id: spec.ipId,
      tos: spec.tos,
      df: spec.df,
      mf: spec.mf,
      fragmentOffset: spec.fragmentOffset,
      options: spec.ipOptions,
      totalLength: spec.totalLength,
      checksum: spec.ipChecksum,
    });
  }
  const finalDst = ipv6FinalDestination(dst.address, spec.extensions);
  setTcpChecksum(segment, src.address.bytes, finalDst, spec.tcpChecksum);
  return ipv6({
    src: src.address,
    dst: dst.address,
    nextHeader: IPPROTO.TCP,
    payload: segment,
    hopLimit: spec.ttl,
    trafficClass: spec.trafficClass ?? spec.tos,
    flowLabel: spec.flowLabel,
    extensions: spec.extensions,
    payloadLength: spec.totalLength,
  });
}
