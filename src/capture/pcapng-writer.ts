/**
 * Writes frames back out as a pcapng capture (what `--extract` makes): one section, one interface
 * description block per link type, snap length and timestamp unit met (microseconds for frames of
 * microsecond captures, nanoseconds for finer ones, so no time loses precision or overflows 64 bits),
 * and an enhanced packet block per frame with its original timestamp and lengths. Written
 * little-endian, through one reused buffer flushed to the file descriptor in large writes.
 */
import { writeSync } from 'node:fs';
import type { Frame } from './frame.js';

const BLOCK_SHB = 0x0a0d0d0a;
const BLOCK_IDB = 0x00000001;
const BLOCK_EPB = 0x00000006;
const OPT_END = 0;
const OPT_COMMENT = 1;
const OPT_SHB_USERAPPL = 4;
const OPT_IF_TSRESOL = 9;
const FLUSH_AT = 1 << 20;

export class PcapngWriter {
  private buffer = new Uint8Array(FLUSH_AT + 65536);
  private view = new DataView(this.buffer.buffer);
  private length = 0;
  private readonly interfaces = new Map<string, number>();
  /** Packets written. */
  packets = 0;

  /** `application`: the shb_userappl option; `comment`: the section's comment. */
  constructor(
    private readonly fd: number,
    application: string,
    comment: string | null,
  ) {
    const options = [option(OPT_SHB_USERAPPL, utf8(application)), ...(comment === null ? [] : [option(OPT_COMMENT, utf8(comment))])];
    const body = new Uint8Array(16);
    const v = new DataView(body.buffer);
    v.setUint32(0, 0x1a2b3c4d, true);
    v.setUint16(4, 1, true);
    v.setUint16(6, 0, true);
    // Section length unknown (-1): the file is written in one pass.
    v.setInt32(8, -1, true);
    v.setInt32(12, -1, true);
    this.block(BLOCK_SHB, body, options);
  }

  /** Writes a frame (its bytes are read during the call only), with an optional packet comment. */
  frame(frame: Frame, comment: string | null = null): void {
    const digits = frame.precision > 6 ? 9 : 6;
    const id = this.interfaceFor(frame.linkType, frame.snapLength, digits);
    const captured = frame.capturedLength;
    const padded = (captured + 3) & ~3;
    const commentBytes = comment === null ? null : utf8(comment);
    const optionLength = commentBytes === null ? 0 : 4 + ((commentBytes.length + 3) & ~3) + 4;
    const total = 28 + padded + optionLength + 4;
    this.reserve(total);
    const v = this.view;
    const p = this.length;
    // Units since 1970 as a 64-bit number in two 32-bit halves; BigInt keeps all 64 bits exact.
    const ts =
      digits === 9
        ? BigInt.asUintN(64, BigInt(frame.seconds) * 1_000_000_000n + BigInt(frame.nanos))
        : BigInt.asUintN(64, BigInt(frame.seconds) * 1_000_000n + BigInt(Math.floor(frame.nanos / 1000)));
    v.setUint32(p, BLOCK_EPB, true);
    v.setUint32(p + 4, total, true);
    v.setUint32(p + 8, id, true);
    v.setUint32(p + 12, Number((ts >> 32n) & 0xffffffffn), true);
    v.setUint32(p + 16, Number(ts & 0xffffffffn), true);
    v.setUint32(p + 20, captured, true);
    v.setUint32(p + 24, frame.originalLength, true);
    this.buffer.set(frame.bytes.subarray(frame.offset, frame.offset + captured), p + 28);
    this.buffer.fill(0, p + 28 + captured, p + 28 + padded);
    let q = p + 28 + padded;
    if (commentBytes !== null) {
      q = this.putOption(q, OPT_COMMENT, commentBytes);
      v.setUint32(q, OPT_END, true);
      q += 4;
    }
    v.setUint32(q, total, true);
    this.length = p + total;
    this.packets++;
    if (this.length >= FLUSH_AT) this.flush();
  }

  /** Writes what is buffered. Call once at the end. */
  flush(): void {
    let done = 0;
    while (done < this.length) done += writeSync(this.fd, this.buffer, done, this.length - done);
    this.length = 0;
  }

  private interfaceFor(linkType: number, snapLength: number, digits: number): number {
    const key = `${linkType}/${snapLength}/${digits}`;
    let id = this.interfaces.get(key);
    if (id === undefined) {
      id = this.interfaces.size;
      this.interfaces.set(key, id);
      const body = new Uint8Array(8);
      const v = new DataView(body.buffer);
      v.setUint16(0, linkType, true);
      v.setUint16(2, 0, true);
      v.setUint32(4, snapLength, true);
      this.block(BLOCK_IDB, body, [option(OPT_IF_TSRESOL, Uint8Array.of(digits))]);
    }
    return id;
  }

  private block(type: number, body: Uint8Array, options: Uint8Array[]): void {
    const optionBytes = options.length === 0 ? 0 : options.reduce((n, o) => n + o.length, 0) + 4;
    const total = 12 + body.length + optionBytes;
    this.reserve(total);
    const v = this.view;
    let p = this.length;
    v.setUint32(p, type, true);
    v.setUint32(p + 4, total, true);
    this.buffer.set(body, p + 8);
    p += 8 + body.length;
    for (const o of options) {
      this.buffer.set(o, p);
      p += o.length;
    }
    if (options.length > 0) {
      v.setUint32(p, OPT_END, true);
      p += 4;
    }
    v.setUint32(p, total, true);
    this.length = p + 4;
  }

  private putOption(p: number, code: number, value: Uint8Array): number {
    const o = option(code, value);
    this.buffer.set(o, p);
    return p + o.length;
  }

  private reserve(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    this.flush();
    if (bytes > this.buffer.length) {
      this.buffer = new Uint8Array(bytes);
      this.view = new DataView(this.buffer.buffer);
    }
  }
}

/** An option: code, length, value padded to 32 bits. */
function option(code: number, value: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + ((value.length + 3) & ~3));
  const v = new DataView(out.buffer);
  v.setUint16(0, code, true);
  v.setUint16(2, value.length, true);
  out.set(value, 4);
  return out;
}

function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
