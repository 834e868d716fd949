/**
 * --host: an IP address or a CIDR prefix, IPv4 or IPv6 in any spelling RFC 4291 allows (`2001:DB8::1`,
 * `2001:db8:0:0::1`, `::ffff:192.0.2.1`), compared as numbers so the spelling of the report (RFC 5952)
 * and of the option need not agree. Anything else is refused: a host name or a typo would otherwise
 * match nothing, silently.
 */

export interface HostPrefix {
  version: 4 | 6;
  /** The address bytes (4 or 16), host bits beyond the prefix cleared. */
  bytes: Uint8Array;
  bits: number;
}

/** The prefix `text` names, or null when it is not an address or prefix. */
export function parseHostPrefix(text: string): HostPrefix | null {
  const trimmed = text.trim();
  const slash = trimmed.indexOf('/');
  const address = slash < 0 ? trimmed : trimmed.slice(0, slash);
  const bytes = parseAddress(address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address);
  if (bytes === null) return null;
  const max = bytes.length * 8;
  let bits = max;
  if (slash >= 0) {
    const length = trimmed.slice(slash + 1);
    if (!/^\d{1,3}$/.test(length) || Number(length) > max) return null;
    bits = Number(length);
  }
  for (let i = 0; i < bytes.length; i++) {
    const keep = Math.max(0, Math.min(8, bits - i * 8));
    bytes[i] &= (0xff << (8 - keep)) & 0xff;
  }
  return { version: bytes.length === 4 ? 4 : 6, bytes, bits };
}

/** IPv4 dotted quad or IPv6 text (with `::` and an embedded IPv4 tail) as bytes, or null. */
export function parseAddress(text: string): Uint8Array | null {
  return text.includes(':') ? parseIpv6(text) : parseIpv4(text);
}

function parseIpv4(text: string): Uint8Array | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    // No leading zeros: 010 means 8 to inet_aton and 10 to others, so it is refused rather than guessed.
    if (!/^(0|[1-9]\d{0,2})$/.test(parts[i]) || Number(parts[i]) > 255) return null;
    out[i] = Number(parts[i]);
  }
  return out;
}

function parseIpv6(text: string): Uint8Array | null {
  if (text.includes('%')) return null;
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const head = wordsOf(halves[0], halves.length === 1);
  const tail = halves.length === 2 ? wordsOf(halves[1], true) : [];
  if (head === null || tail === null) return null;
  // Without `::` all eight words are written; with it, it stands for at least one zero word.
  if (halves.length === 1 ? head.length !== 8 : head.length + tail.length > 7) return null;
  const words = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  const out = new Uint8Array(16);
  words.forEach((w, i) => {
    out[i * 2] = w >> 8;
    out[i * 2 + 1] = w & 0xff;
  });
  return out;
}

/** Colon-separated 16-bit words; `last`: this part ends the address, so it may end in a dotted IPv4. */
function wordsOf(part: string, last: boolean): number[] | null {
  if (part === '') return [];
  const groups = part.split(':');
  const words: number[] = [];
  for (let i = 0; i < groups.length; i++) {
    const group = groups[i];
    if (last && i === groups.length - 1 && group.includes('.')) {
      const v4 = parseIpv4(group);
      if (v4 === null) return null;
      words.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
    } else if (/^[0-9a-fA-F]{1,4}$/.test(group)) {
      words.push(parseInt(group, 16));
    } else {
      return null;
    }
  }
  return words;
}

/** Whether an `ip:port` / `[ip]:port` endpoint lies within the prefix. */
export function endpointInPrefix(endpoint: string, prefix: HostPrefix): boolean {
  const host = endpoint.startsWith('[') ? endpoint.slice(1, endpoint.indexOf(']')) : endpoint.slice(0, endpoint.lastIndexOf(':'));
  const bytes = parseAddress(host);
  if (bytes === null || bytes.length !== prefix.bytes.length) return false;
  let bits = prefix.bits;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((bytes[i] & mask) !== prefix.bytes[i]) return false;
  }
  return true;
}
