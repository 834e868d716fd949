/**
 * IPv4 packets (RFC 791): header with options and a correct checksum, plus fragmentation, so tests can
 * hand readers fragments, odd TTLs and IDs, and header options that move the TCP header.
 */
import { internetChecksum } from './checksum.js';
import { toAddress, type IpAddress } from './address.js';

export type AddressInput = string | IpAddress | Uint8Array;

export interface Ipv4Spec {
  src: AddressInput;
  dst: AddressInput;
  protocol: number;
  payload: Uint8Array;
  /** Default 64. */
  ttl?: number;
  /** Identification; default 0. */
  id?: number;
  /** DSCP/ECN byte; default 0. */
  tos?: number;
  /** Don't Fragment; default true, as Linux sets it on TCP. */
  df?: boolean;
  /** More Fragments; default false. */
  mf?: boolean;
  /** The reserved ("evil") flag bit; default false. */
  reservedFlag?: boolean;
  /** Fragment offset in bytes (a multiple of 8); default 0. */
  fragmentOffset?: number;
  /** Raw option bytes; padded with End-of-Options to a multiple of 4 (at most 40). */
  options?: Uint8Array;
  /** Value written in the Total Length field instead of the true length (for malformed packets). */
  totalLength?: number;
  /** Value written in the header checksum field instead of the correct one. */
  checksum?: number;
}

function checkedV4(a: AddressInput, what: string): Uint8Array {
  const addr = toAddress(a);
  if (addr.version !== 4) throw new Error(`IPv4 ${what} must be an IPv4 address`);
  return addr.bytes;
}

export function ipv4(spec: Ipv4Spec): Uint8Array {
  const options = spec.options ?? new Uint8Array(0);
  const optionsLength = (options.length + 3) & ~3;
  if (optionsLength > 40) throw new Error('IPv4 options hold at most 40 bytes');
  const headerLength = 20 + optionsLength;
  const fragmentOffset = spec.fragmentOffset ?? 0;
  if (fragmentOffset % 8 !== 0) throw new Error('IPv4 fragment offset must be a multiple of 8 bytes');
  const out = new Uint8Array(headerLength + spec.payload.length);
  const view = new DataView(out.buffer);
  out[0] = 0x40 | (headerLength >> 2);
  out[1] = spec.tos ?? 0;
  view.setUint16(2, spec.totalLength ?? out.length);
  view.setUint16(4, spec.id ?? 0);
  const flags = (spec.reservedFlag ? 0x8000 : 0) | ((spec.df ?? true) ? 0x4000 : 0) | (spec.mf ? 0x2000 : 0);
  view.setUint16(6, flags | (fragmentOffset >> 3));
  out[8] = spec.ttl ?? 64;
  out[9] = spec.protocol;
  out.set(checkedV4(spec.src, 'source'), 12);
  out.set(checkedV4(spec.dst, 'destination'), 16);
  out.set(options, 20);
  view.setUint16(10, spec.checksum ?? internetChecksum(out, 0, headerLength));
  out.set(spec.payload, headerLength);
  return out;
}

/** Options whose "copied" bit (0x80) is set, the only ones RFC 791 repeats in non-first fragments. */
function copiedOptions(options: Uint8Array): Uint8Array {
  const kept: number[] = [];
  for (let i = 0; i < options.length; ) {
    const type = options[i];
    if (type === 0) break;
    if (type === 1) {
      i++;
      continue;
    }
    const len = Math.max(2, options[i + 1] ?? 2);
    if (type & 0x80) kept.push(...options.subarray(i, i + len));
    i += len;
  }
  return Uint8Array.from(kept);
}

/**
 * Splits an IPv4 packet into fragments carrying at most `maxPayload` bytes each (rounded down to a
 * multiple of 8). Works on fragments too (offsets add up); the last piece keeps the original MF bit.
 */
export function fragmentIpv4(packet: Uint8Array, maxPayload: number): Uint8Array[] {
  const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  const headerLength = (packet[0] & 0x0f) * 4;
  const totalLength = view.getUint16(2);
  const flagsOffset = view.getUint16(6);
  const baseOffset = (flagsOffset & 0x1fff) * 8;
  const chunk = maxPayload & ~7;
  if (chunk <= 0) throw new Error('fragments must carry at least 8 bytes');
  const payload = packet.subarray(headerLength, totalLength);
  const options = packet.subarray(20, headerLength);
  const laterOptions = copiedOptions(options);
  const src = packet.slice(12, 16);
  const dst = packet.slice(16, 20);
  const fragments: Uint8Array[] = [];
  for (let at = 0; at < payload.length || at === 0; at += chunk) {
    const last = at + chunk >= payload.length;
    fragments.push(
      ipv4({
        src,
        dst,
        protocol: packet[9],
        payload: payload.subarray(at, Math.min(at + chunk, payload.length)),
        ttl: packet[8],
        id: view.getUint16(4),
        tos: packet[1],
        reservedFlag: (flagsOffset & 0x8000) !== 0,
        df: (flagsOffset & 0x4000) !== 0,
        mf: last ? (flagsOffset & 0x2000) !== 0 : true,
        fragmentOffset: baseOffset + at,
        options: at === 0 ? options : laterOptions,
      }),
    );
    if (last) break;
  }
  return fragments;
}
