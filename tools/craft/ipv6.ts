/**
 * IPv6 packets (RFC 8200) with a chain of extension headers, so readers can be tested on walking
 * hop-by-hop, routing, fragment and destination-options headers to find TCP.
 */
import { toAddress } from './address.js';
import type { AddressInput } from './ipv4.js';
import { IPPROTO } from './link-types.js';

export type Ipv6Extension =
  /** Hop-by-hop (0) or destination options (60); `options` are raw TLVs, padded with Pad1/PadN. */
  | { type: 'hopByHop' | 'destinationOptions'; options?: Uint8Array }
  /**
   * Routing (43). Type 0 (the default) carries `addresses` after 4 reserved bytes; other types take
   * `data` as the bytes after segments-left. Segments left defaults to the number of addresses.
   */
  | { type: 'routing'; routingType?: number; segmentsLeft?: number; addresses?: AddressInput[]; data?: Uint8Array }
  /** Fragment (44); offset in bytes (a multiple of 8). */
  | { type: 'fragment'; offset?: number; more?: boolean; identification?: number }
  /** Any other header with the generic (next header, length in 8-byte units) layout. */
  | { type: 'raw'; protocol: number; body: Uint8Array };

export interface Ipv6Spec {
  src: AddressInput;
  dst: AddressInput;
  /** Upper-layer protocol after the extension headers (IPPROTO.TCP ...). */
  nextHeader: number;
  payload: Uint8Array;
  /** Default 64. */
  hopLimit?: number;
  trafficClass?: number;
  flowLabel?: number;
  extensions?: Ipv6Extension[];
  /** Value written in Payload Length instead of the true length (for malformed packets). */
  payloadLength?: number;
}

function checkedV6(a: AddressInput, what: string): Uint8Array {
  const addr = toAddress(a);
  if (addr.version !== 6) throw new Error(`IPv6 ${what} must be an IPv6 address`);
  return addr.bytes;
}

export function extensionProtocol(ext: Ipv6Extension): number {
  switch (ext.type) {
    case 'hopByHop':
      return IPPROTO.HOPOPTS;
    case 'destinationOptions':
      return IPPROTO.DSTOPTS;
    case 'routing':
      return IPPROTO.ROUTING;
    case 'fragment':
      return IPPROTO.FRAGMENT;
    case 'raw':
      return ext.protocol;
  }
}

/** Wraps `body` (everything after the 2-byte next-header/length prefix) padded to a multiple of 8. */
function genericHeader(next: number, body: Uint8Array, padOptions: boolean): Uint8Array {
  const total = Math.max(8, (2 + body.length + 7) & ~7);
  const out = new Uint8Array(total);
  out[0] = next;
  out[1] = total / 8 - 1;
  out.set(body, 2);
  const pad = total - 2 - body.length;
  if (padOptions && pad === 1) out[2 + body.length] = 0; // Pad1
  if (padOptions && pad >= 2) {
    out[2 + body.length] = 1; // PadN
    out[3 + body.length] = pad - 2;
  }
  return out;
}

function encodeExtension(ext: Ipv6Extension, next: number): Uint8Array {
  switch (ext.type) {
    case 'hopByHop':
    case 'destinationOptions':
      return genericHeader(next, ext.options ?? new Uint8Array(0), true);
    case 'routing': {
      const addresses = (ext.addresses ?? []).map((a) => checkedV6(a, 'routing address'));
      const data = ext.data ?? new Uint8Array(4 + 16 * addresses.length);
      if (!ext.data) addresses.forEach((a, i) => data.set(a, 4 + 16 * i));
      const body = new Uint8Array(2 + data.length);
      body[0] = ext.routingType ?? 0;
      body[1] = ext.segmentsLeft ?? addresses.length;
      body.set(data, 2);
      return genericHeader(next, body, false);
    }
    case 'fragment': {
      const out = new Uint8Array(8);
      const view = new DataView(out.buffer);
      const offset = ext.offset ?? 0;
      if (offset % 8 !== 0) throw new Error('IPv6 fragment offset must be a multiple of 8 bytes');
      out[0] = next;
      view.setUint16(2, offset | (ext.more ? 1 : 0));
      view.setUint32(4, ext.identification ?? 0);
      return out;
    }
    case 'raw':
      return genericHeader(next, ext.body, false);
  }
}

/**
 * Destination used in the upper-layer pseudo-header: with a type 0 routing header still to be walked,
 * the final destination (last listed address), otherwise the header's destination (RFC 8200 8.1).
 */
export function ipv6FinalDestination(dst: AddressInput, extensions: Ipv6Extension[] = []): Uint8Array {
  for (const ext of extensions) {
    if (ext.type === 'routing' && (ext.routingType ?? 0) === 0 && ext.addresses && ext.addresses.length > 0) {
      const left = ext.segmentsLeft ?? ext.addresses.length;
      if (left > 0) return checkedV6(ext.addresses[ext.addresses.length - 1], 'routing address');
    }
  }
  return checkedV6(dst, 'destination');
}

export function ipv6(spec: Ipv6Spec): Uint8Array {
  const extensions = spec.extensions ?? [];
  const encoded: Uint8Array[] = [];
  for (let i = 0; i < extensions.length; i++) {
    const next = i + 1 < extensions.length ? extensionProtocol(extensions[i + 1]) : spec.nextHeader;
    encoded.push(encodeExtension(extensions[i], next));
  }
  const extLength = encoded.reduce((n, e) => n + e.length, 0);
  const out = new Uint8Array(40 + extLength + spec.payload.length);
  const view = new DataView(out.buffer);
  const tc = spec.trafficClass ?? 0;
  view.setUint32(0, ((6 << 28) | (tc << 20) | ((spec.flowLabel ?? 0) & 0xfffff)) >>> 0);
  view.setUint16(4, spec.payloadLength ?? extLength + spec.payload.length);
  out[6] = extensions.length > 0 ? extensionProtocol(extensions[0]) : spec.nextHeader;
  out[7] = spec.hopLimit ?? 64;
  out.set(checkedV6(spec.src, 'source'), 8);
  out.set(checkedV6(spec.dst, 'destination'), 24);
  let at = 40;
  for (const e of encoded) {
    out.set(e, at);
    at += e.length;
  }
  out.set(spec.payload, at);
  return out;
}
