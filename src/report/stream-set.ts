/**
 * The tcp.stream numbers of one capture's listed connections, as a bitmap: one bit per stream number,
 * so a capture with ten million connections takes 1.2 MB however many of them are listed, and a worker
 * thread hands it over as one block. From it come the capture's Wireshark display filter (ranges keep
 * it short when most streams are listed) and the frames `--extract` copies.
 */
export class StreamSet {
  private bits: Uint8Array;
  /** Streams in the set. */
  size = 0;

  constructor(bits?: Uint8Array) {
    this.bits = bits ?? new Uint8Array(64);
    if (bits !== undefined) for (const byte of bits) this.size += popcount(byte);
  }

  add(stream: number): void {
    const byte = stream >>> 3;
    if (byte >= this.bits.length) {
      const grown = new Uint8Array(Math.max(byte + 1, this.bits.length * 2));
      grown.set(this.bits);
      this.bits = grown;
    }
    const mask = 1 << (stream & 7);
    if ((this.bits[byte] & mask) === 0) {
      this.bits[byte] |= mask;
      this.size++;
    }
  }

  has(stream: number): boolean {
    const byte = stream >>> 3;
    return byte < this.bits.length && (this.bits[byte] & (1 << (stream & 7))) !== 0;
  }

  addAll(other: StreamSet): void {
    if (other.bits.length > this.bits.length) {
      const grown = new Uint8Array(other.bits.length);
      grown.set(this.bits);
      this.bits = grown;
    }
    this.size = 0;
    for (let i = 0; i < this.bits.length; i++) {
      if (i < other.bits.length) this.bits[i] |= other.bits[i];
      this.size += popcount(this.bits[i]);
    }
  }

  /** The bitmap (structured clone sends it as one block; new StreamSet(bits) takes it back). */
  toBits(): Uint8Array {
    return this.bits.slice();
  }

  /** Runs of consecutive streams, ascending: `visit(first, last)` for each (no array per run). */
  forEachRange(visit: (first: number, last: number) => void): void {
    let start = -1;
    const end = this.bits.length * 8;
    for (let s = 0; s <= end; s++) {
      const present = s < end && (this.bits[s >>> 3] & (1 << (s & 7))) !== 0;
      if (present && start < 0) start = s;
      else if (!present && start >= 0) {
        visit(start, s - 1);
        start = -1;
      }
    }
  }
}

function popcount(byte: number): number {
  let n = 0;
  for (let b = byte; b !== 0; b &= b - 1) n++;
  return n;
}

/**
 * A Wireshark display filter selecting exactly these streams: `tcp.stream in {3, 7..9}`, or `tcp.stream
 * eq 3` for one. Set elements are separated by commas, as Wireshark 3.6 and later require.
 */
export function streamFilter(set: StreamSet): string {
  // Written as ASCII bytes and decoded once: a string per run, joined, cost 27 MB for 270,000 streams.
  const text = new AsciiText();
  text.append(set.size === 1 ? 'tcp.stream eq ' : 'tcp.stream in {');
  let runs = 0;
  set.forEachRange((first, last) => {
    if (runs++ > 0) text.append(', ');
    text.number(first);
    if (last === first + 1) text.append(', ');
    else if (last > first) text.append('..');
    if (last > first) text.number(last);
  });
  if (set.size !== 1) text.append('}');
  return text.toString();
}

/** A growing buffer of ASCII text (digits and punctuation), made into one string at the end. */
class AsciiText {
  private bytes = new Uint8Array(256);
  private length = 0;

  append(ascii: string): void {
    this.reserve(ascii.length);
    for (let i = 0; i < ascii.length; i++) this.bytes[this.length++] = ascii.charCodeAt(i);
  }

  /** A non-negative integer in decimal. */
  number(n: number): void {
    let digits = 1;
    for (let rest = n; rest >= 10; rest = Math.floor(rest / 10)) digits++;
    this.reserve(digits);
    for (let i = this.length + digits - 1, rest = n; i >= this.length; i--, rest = Math.floor(rest / 10)) this.bytes[i] = 48 + (rest % 10);
    this.length += digits;
  }

  toString(): string {
    return DECODER.decode(this.bytes.subarray(0, this.length));
  }

  private reserve(more: number): void {
    if (this.length + more <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.length + more, this.bytes.length * 2));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }
}

const DECODER = new TextDecoder();

/** The streams a filter made by streamFilter() selects (null for any other text). */
export function parseStreamFilter(filter: string): StreamSet | null {
  const set = new StreamSet();
  const one = /^tcp\.stream eq (\d+)$/.exec(filter);
  if (one !== null) {
    set.add(Number(one[1]));
    return set;
  }
  const many = /^tcp\.stream in \{([0-9., ]*)\}$/.exec(filter);
  if (many === null) return null;
  for (const part of many[1].split(',')) {
    const range = /^\s*(\d+)(?:\.\.(\d+))?\s*$/.exec(part);
    if (range === null) return null;
    const first = Number(range[1]);
    const last = range[2] === undefined ? first : Number(range[2]);
    for (let s = first; s <= last; s++) set.add(s);
  }
  return set;
}
