import { formatAddress } from '../decode/address-text.js';

/** Int32s per IPv6 slot: the address's four words, then its number + 1 (0: empty). */
const V6_SLOT = 5;

/** Mixes an IPv6 address's words so that addresses differing only in their last bits spread out. */
function v6Hash(w0: number, w1: number, w2: number, w3: number): number {
  const h = Math.imul(w0 ^ Math.imul(w1, 0x85ebca6b) ^ Math.imul(w2, 0xc2b2ae35) ^ Math.imul(w3, 0x9e3779b1), 0x27d4eb2f);
  return (h ^ (h >>> 15)) >>> 0;
}

/**
 * The addresses the socket table knows, each given a small number on first sight: found by their
 * 32-bit words in open-addressing tables of int32s (a Map keyed by addresses above 2^30 would box every
 * key, one keyed by text would format a string per lookup), so a judged connection costs no string or
 * allocation for an address seen before. At most `limit` addresses (a SYN flood from spoofed sources
 * has millions); beyond, -1.
 */
export class HostIndex {
  readonly names: string[] = [];
  /** Slots of (address, number + 1) pairs; number + 1 = 0 marks an empty slot. Power-of-two size, at most half full. */
  private readonly v4: Int32Array;
  private readonly v4Mask: number;
  /** The same for IPv6: (four words, number + 1), grown by doubling as addresses come (most captures have few). */
  private v6: Int32Array;
  private v6Mask: number;
  private v6Count = 0;

  constructor(private readonly limit: number) {
    let size = 64;
    while (size < limit * 2) size *= 2;
    this.v4 = new Int32Array(size * 2);
    this.v4Mask = size - 1;
    this.v6 = new Int32Array(64 * V6_SLOT);
    this.v6Mask = 63;
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
    const table = this.v6;
    const mask = this.v6Mask;
    for (let s = v6Hash(w0, w1, w2, w3) & mask; ; s = (s + 1) & mask) {
      const at = s * V6_SLOT;
      const value = table[at + 4];
      if (value === 0) {
        if (this.names.length >= this.limit) return -1;
        const i = this.names.push(formatAddress(ipVersion, w0, w1, w2, w3)) - 1;
        table[at] = w0;
        table[at + 1] = w1;
        table[at + 2] = w2;
        table[at + 3] = w3;
        table[at + 4] = i + 1;
        if (++this.v6Count * 2 > mask + 1) this.growV6();
        return i;
      }
      if (table[at] === w0 && table[at + 1] === w1 && table[at + 2] === w2 && table[at + 3] === w3) return value - 1;
    }
  }

  /** Doubles the IPv6 table, re-placing every address. */
  private growV6(): void {
    const old = this.v6;
    const size = (this.v6Mask + 1) * 2;
    const table = new Int32Array(size * V6_SLOT);
    const mask = size - 1;
    for (let at = 0; at < old.length; at += V6_SLOT) {
      if (old[at + 4] === 0) continue;
      let s = v6Hash(old[at], old[at + 1], old[at + 2], old[at + 3]) & mask;
      while (table[s * V6_SLOT + 4] !== 0) s = (s + 1) & mask;
      table.set(old.subarray(at, at + V6_SLOT), s * V6_SLOT);
    }
    this.v6 = table;
    this.v6Mask = mask;
  }

  /** `ip:port` of a host number (IPv6 in brackets). */
  endpoint(host: number, port: number): string {
    const name = this.names[host];
    return name.includes(':') ? `[${name}]:${port}` : `${name}:${port}`;
  }
}
