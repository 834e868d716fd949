/** Text forms of the flow's numeric addresses: dotted quad, and RFC 5952 IPv6 (lowercase, longest zero run as ::). */
export function formatAddress(ipVersion: number, w0: number, w1: number, w2: number, w3: number): string {
  if (ipVersion === 4) return `${w3 >>> 24}.${(w3 >>> 16) & 255}.${(w3 >>> 8) & 255}.${w3 & 255}`;
  const groups = [w0 >>> 16, w0 & 0xffff, w1 >>> 16, w1 & 0xffff, w2 >>> 16, w2 & 0xffff, w3 >>> 16, w3 & 0xffff];
  // RFC 5952 4.2: compress the longest run of two or more zero groups (the first if tied).
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  // RFC 5952 5: IPv4-mapped addresses keep the dotted quad.
  if (w0 === 0 && w1 === 0 && w2 === 0xffff) return `::ffff:${formatAddress(4, 0, 0, 0, w3)}`;
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

export function formatEndpoint(ipVersion: number, w0: number, w1: number, w2: number, w3: number, port: number): string {
  const address = formatAddress(ipVersion, w0, w1, w2, w3);
  return ipVersion === 6 ? `[${address}]:${port}` : `${address}:${port}`;
}
