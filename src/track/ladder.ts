import { FIN, RST, type TcpSegment } from '../decode/segment.js';

const FIELDS = 8;
const HEAD = 4;
const RING = 6;
const CLOSE = 12;

/** One packet of a connection's ladder diagram, as recorded (directions are flow directions). */
export interface LadderPacket {
  frame: number;
  dir: number;
  seconds: number;
  nanos: number;
  flags: number;
  seq: number;
  ack: number;
  length: number;
}

/**
 * Keeps the packets a ladder diagram of the close needs, in fixed space: the first few packets (the
 * handshake), the last few before the close began, and the first dozen from the first FIN or RST on.
 * Recording writes numbers into typed arrays; only the close part is allocated, once, when it starts.
 */
export class LadderRecorder {
  private readonly head = new Float64Array(HEAD * FIELDS);
  private headCount = 0;
  private readonly ring = new Float64Array(RING * FIELDS);
  private ringCount = 0;
  private close: Float64Array | null = null;
  private closeCount = 0;
  private beforeClose: Float64Array | null = null;
  private beforeCount = 0;

  record(seg: TcpSegment, dir: number): void {
    if (this.close === null && (seg.flags & (FIN | RST)) !== 0) {
      // Freeze what led up to the close, then record the close itself.
      this.beforeClose = this.ring.slice();
      this.beforeCount = this.ringCount;
      this.close = new Float64Array(CLOSE * FIELDS);
    }
    if (this.close !== null) {
      if (this.closeCount < CLOSE) write(this.close, this.closeCount++, seg, dir);
      return;
    }
    if (this.headCount < HEAD) {
      write(this.head, this.headCount++, seg, dir);
      return;
    }
    write(this.ring, this.ringCount % RING, seg, dir);
    this.ringCount++;
  }

  /** The recorded packets in frame order, each once. */
  packets(): LadderPacket[] {
    const out: LadderPacket[] = [];
    const seen = new Set<number>();
    const take = (data: Float64Array, index: number): void => {
      const o = index * FIELDS;
      if (seen.has(data[o])) return;
      seen.add(data[o]);
      out.push({ frame: data[o], dir: data[o + 1], seconds: data[o + 2], nanos: data[o + 3], flags: data[o + 4], seq: data[o + 5], ack: data[o + 6], length: data[o + 7] });
    };
    for (let i = 0; i < this.headCount; i++) take(this.head, i);
    const ring = this.beforeClose ?? this.ring;
    const ringCount = this.beforeClose !== null ? this.beforeCount : this.ringCount;
    for (let i = Math.max(0, ringCount - RING); i < ringCount; i++) take(ring, i % RING);
    if (this.close !== null) for (let i = 0; i < this.closeCount; i++) take(this.close, i);
    return out.sort((a, b) => a.frame - b.frame);
  }
}

function write(data: Float64Array, index: number, seg: TcpSegment, dir: number): void {
  const o = index * FIELDS;
  data[o] = seg.frame;
  data[o + 1] = dir;
  data[o + 2] = seg.seconds;
  data[o + 3] = seg.nanos;
  data[o + 4] = seg.flags;
  data[o + 5] = seg.seq;
  data[o + 6] = seg.ack;
  data[o + 7] = seg.payloadLength;
}
