import { formatAddress } from '../decode/address-text.js';

/**
 * The addresses the socket table knows, each given a small number on first sight: IPv4 addresses found
 * by their 32-bit value in an open-addressing table of int32s (a Map keyed by addresses above 2^30
 * would box every key), IPv6 ones by text, so a judged connection costs no string or allocation for an
 * address seen before. At most `limit` addresses (a SYN flood from spoofed sources has millions);
 * beyond, -1.
 */
export class HostIndex {
  readonly names: string[] = [];
  private readonly v6 = new Map<string, number>();
  /** Slots of (address, number + 1) pairs; number + 1 = 0 marks an empty slot. Power-of-two size, at most half full. */
  private v4: Int32Array;
  private v4Mask: number;

  constructor(private readonly limit: number) {
    let size = 64;
    while (size < limit * 2) size *= 2;
    this.v4 = new Int32Array(size * 2);
    this.v4Mask = size - 1;
  }

  get size(): number {
    return this.names.length;
  }

  /** The number of an address (words as in TcpSegment), made on first sight; -1 once the index is full. */
  of(ipVersion: number, w0: number, w1: number, w2: number, w3: number): number {
    if (ipVersion === 4) {
      const table = this.v4;
      const mask = this.v4Mask;
      for (let s = (Math.imul(w3, 0x9e3779b1) >>> 16) & mask; ; s = (s + 1) & mask) {
        const value = table[2 * s + 1];
        if (value === 0) {
          if (this.names.length >= this.limit) return -1;
          const i = this.names.push(formatAddress(4, 0, 0, 0, w3)) - 1;
          table[2 * s] = w3;
          table[2 * s + 1] = i + 1;
          return i;
        }
        if (table[2 * s] === w3) return value - 1;
      }
    }
    const text = formatAddress(ipVersion, w0, w1, w2, w3);
    const known = this.v6.get(text);
    if (known !== undefined) return known;
    if (this.names.length >= this.limit) return -1;
    const i = this.names.push(text) - 1;
    this.v6.set(text, i);
    return i;
  }

  /** `ip:port` of a host number (IPv6 in brackets). */
  endpoint(host: number, port: number): string {
    const name = this.names[host];
    return name.includes(':') ? `[${name}]:${port}` : `${name}:${port}`;
  }
}
