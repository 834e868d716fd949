/**
 * IP addresses and "address:port" endpoints in text form, as tests write them: '10.0.0.1:40000',
 * '[2001:db8::1]:443'. IPv6 accepts '::' compression and a trailing dotted quad ('::ffff:10.0.0.1').
 */
export interface IpAddress {
  version: 4 | 6;
  /** 4 or 16 bytes, network order. */
  bytes: Uint8Array;
}

export interface Endpoint {
  address: IpAddress;
  port: number;
}

export function parseIpv4(text: string): Uint8Array {
  const parts = text.split('.');
  if (parts.length !== 4) throw new Error(`not an IPv4 address: ${text}`);
  const bytes = new Uint8Array(4);
  parts.forEach((part, i) => {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) throw new Error(`not an IPv4 address: ${text}`);
    bytes[i] = Number(part);
  });
  return bytes;
}

export function parseIpv6(text: string): Uint8Array {
  const bad = (): Error => new Error(`not an IPv6 address: ${text}`);
  const halves = text.split('::');
  if (halves.length > 2) throw bad();
  const groups = (half: string): number[] => {
    if (half === '') return [];
    const out: number[] = [];
    const pieces = half.split(':');
    pieces.forEach((piece, i) => {
      if (i === pieces.length - 1 && piece.includes('.')) {
        const v4 = parseIpv4(piece);
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(piece)) throw bad();
        out.push(parseInt(piece, 16));
      }
    });
    return out;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) throw bad();
  const all = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  all.forEach((g, i) => {
    bytes[2 * i] = g >> 8;
    bytes[2 * i + 1] = g & 0xff;
  });
  return bytes;
}

export function parseIp(text: string): IpAddress {
  return text.includes(':') ? { version: 6, bytes: parseIpv6(text) } : { version: 4, bytes: parseIpv4(text) };
}

/** 'a.b.c.d:port' or '[v6]:port'. */
export function parseEndpoint(text: string): Endpoint {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:]+):(\d+)$/.exec(text);
  if (!m) throw new Error(`not an address:port endpoint: ${text}`);
  const port = Number(m[2]);
  if (port > 0xffff) throw new Error(`port out of range: ${text}`);
  return { address: parseIp(m[1]), port };
}

export function toEndpoint(e: string | Endpoint): Endpoint {
  return typeof e === 'string' ? parseEndpoint(e) : e;
}

export function toAddress(a: string | IpAddress | Uint8Array): IpAddress {
  if (typeof a === 'string') return parseIp(a);
  if (a instanceof Uint8Array) {
    if (a.length !== 4 && a.length !== 16) throw new Error(`address must be 4 or 16 bytes, got ${a.length}`);
    return { version: a.length === 4 ? 4 : 6, bytes: a };
  }
  return a;
}

/** Text form; IPv6 in the RFC 5952 canonical form that Wireshark prints (longest zero run as '::'). */
export function formatIp(addr: IpAddress | Uint8Array): string {
  const bytes = addr instanceof Uint8Array ? addr : addr.bytes;
  if (bytes.length === 4) return Array.from(bytes).join('.');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i] << 8) | bytes[i + 1]);
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (gs: number[]): string => gs.map((g) => g.toString(16)).join(':');
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLen))}`;
}
