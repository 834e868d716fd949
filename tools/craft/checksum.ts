/**
 * The Internet checksum (RFC 1071) used by IPv4, TCP and UDP. Sums are kept as plain (unfolded) numbers
 * so callers can add a pseudo-header sum and the segment sum before folding once; a double holds the sum
 * of any packet exactly (65535 words of at most 0xffff stay far below 2^53).
 */

/** Adds the big-endian 16-bit words of bytes[start, end) to `initial`; an odd last byte is padded with 0. */
export function onesSum(bytes: Uint8Array, start = 0, end = bytes.length, initial = 0): number {
  let sum = initial;
  let i = start;
  for (; i + 1 < end; i += 2) sum += (bytes[i] << 8) | bytes[i + 1];
  if (i < end) sum += bytes[i] << 8;
  return sum;
}

/** Folds the carries back in and complements: the value to store in a checksum field. */
export function foldChecksum(sum: number): number {
  while (sum > 0xffff) sum = (sum % 0x10000) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

export function internetChecksum(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return foldChecksum(onesSum(bytes, start, end));
}

/**
 * Sum of the TCP/UDP pseudo-header: both addresses (4 or 16 bytes each), the protocol and the upper-layer
 * length. The IPv4 and IPv6 layouts differ only in field widths, which do not change a ones'-complement sum.
 */
export function pseudoHeaderSum(src: Uint8Array, dst: Uint8Array, protocol: number, length: number): number {
  return onesSum(src) + onesSum(dst) + protocol + Math.floor(length / 0x10000) + (length % 0x10000);
}
